"""Stored workflows: compiled once per version and process, loaded from presets atomically."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ordo.errors import DomainError
from ordo.kept import forgetter
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import DiscountTier, Order, OrderType
from ordo.orders.models import Workflow as WorkflowRow
from ordo.orders.pricing import TIERS
from ordo.workflow.definition import Status, Workflow
from ordo.workflow.loader import Preset, PresetError, load_preset_file, workflow_from_dict

PRESET_DIR = Path(__file__).resolve().parent.parent / "presets"
PRESET_NAMES = tuple(sorted(p.stem for p in PRESET_DIR.glob("*.toml")))

_compiled: dict[str, Workflow] = {}


def definition_digest(definition: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()


def compiled(row: WorkflowRow) -> Workflow:
    """The core ``Workflow`` of a stored row (its ``definition`` may be deferred)."""
    return compiled_by_digest(row.pk, row.digest)


def final_statuses() -> list[str]:
    """The codes of every order workflow's final statuses (an order there is no longer open)."""
    rows = WorkflowRow.objects.filter(scope=WorkflowRow.Scope.ORDER).only("pk", "digest")
    return sorted({s.code for row in rows for s in compiled(row).statuses if s.final})


def status_finder(order: Order) -> Callable[..., Status | None]:
    """``find(code, item=False)``: the status with this code in the order's workflow (or, with
    ``item``, its items' workflow); None for a blank or unknown code."""
    workflow = compiled(order.workflow)
    item_workflow = compiled(order.item_workflow) if order.item_workflow is not None else None

    def find(code: str, item: bool = False) -> Status | None:
        flow = item_workflow if item else workflow
        return flow.status(code) if flow is not None and code else None

    return find


def compiled_by_digest(workflow_id: int, digest: str) -> Workflow:
    """The workflow with this definition digest, compiled once per process.

    A cache hit costs no query; a miss reads the definition once. An edited definition has a new
    digest, so every process picks the edit up at its next read of the row.
    """
    workflow = _compiled.get(digest)
    if workflow is None:
        stored_digest, definition = WorkflowRow.objects.values_list("digest", "definition").get(pk=workflow_id)
        workflow, _ = workflow_from_dict(definition)
        _compiled[stored_digest] = workflow
    return workflow


def version_publish(
    current: WorkflowRow,
    definition: dict[str, Any],
    *,
    user: User | None = None,
    note: str = "",
    preset: str = "",
    scope: str = "",
) -> WorkflowRow:
    """Write ``definition`` as the version after ``current`` (locked by the caller) and start new
    orders on it. Orders stay where they are."""
    WorkflowRow.objects.filter(pk=current.pk).update(current=False)
    row = WorkflowRow.objects.create(
        code=current.code,
        scope=scope or current.scope,
        preset=preset or current.preset,
        definition=definition,
        digest=definition_digest(definition),
        version=current.version + 1,
        current=True,
        published_at=timezone.now(),
        published_by=user,
        note=note[:300],
    )
    OrderType.objects.filter(workflow_id=current.pk).update(workflow=row)
    OrderType.objects.filter(item_workflow_id=current.pk).update(item_workflow=row)
    # An update sends no signal: new orders of this process start on the new version at once, even
    # when the transaction is still open (the kept types are read again after it, too).
    forget_types = forgetter("order types")
    transaction.on_commit(forget_types)
    forget_types()
    return row


def workflow_get(code: str) -> tuple[WorkflowRow, Workflow] | None:
    row = WorkflowRow.objects.filter(code=code, current=True).first()
    return None if row is None else (row, compiled(row))


def preset_path(name_or_file: str) -> Path:
    """A shipped preset by name (``shop``) or a TOML file by path."""
    if name_or_file in PRESET_NAMES:
        return PRESET_DIR / f"{name_or_file}.toml"
    return Path(name_or_file)


def preset_read(name_or_file: str) -> Preset:
    from ordo.orders.effects import EFFECTS

    return load_preset_file(preset_path(name_or_file), effects=set(EFFECTS))


@dataclass(frozen=True)
class PresetLoaded:
    code: str
    created: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]


def preset_load(*, preset: Preset) -> PresetLoaded:
    """Store a validated preset: its workflows, order types and payment channels, all or nothing.

    A workflow whose definition changed is published as its next version; orders already placed
    keep the version they started on (an admin may move them: ``orders.versions``).
    """
    from ordo.payments.models import PaymentChannel

    created, updated, unchanged = [], [], []
    with transaction.atomic():
        rows: dict[str, WorkflowRow] = {}
        for workflow in preset.workflows:
            definition = dict(preset.sources[workflow.code])
            row = WorkflowRow.objects.select_for_update().filter(code=workflow.code, current=True).first()
            if row is None:
                rows[workflow.code] = WorkflowRow.objects.create(
                    code=workflow.code,
                    scope=workflow.scope,
                    preset=preset.code,
                    definition=definition,
                    digest=definition_digest(definition),
                    published_at=timezone.now(),
                    note=f"preset {preset.code}",
                )
                created.append(workflow.code)
                continue
            if row.definition == definition and row.scope == workflow.scope:
                rows[workflow.code] = row
                unchanged.append(workflow.code)
                continue
            # A changed workflow is its next version: orders already placed keep theirs.
            rows[workflow.code] = version_publish(
                row, definition, note=f"preset {preset.code}", preset=preset.code, scope=workflow.scope
            )
            updated.append(workflow.code)
        for order_type in preset.types:
            OrderType.objects.update_or_create(
                code=order_type.code,
                defaults={
                    "workflow": rows[order_type.workflow],
                    "item_workflow": rows.get(order_type.item_workflow or ""),
                    "currency": preset.currency,
                    "language": preset.language,
                    "customer_kind": order_type.customer,
                    "execution_time": order_type.execution_time,
                    "delivery": order_type.delivery,
                    "free_lines": order_type.free_lines,
                    "labels": dict(order_type.labels),
                    "personal_manager": order_type.personal_manager,
                    "checkout": dict(order_type.checkout),
                    "tax_country": preset.taxes.get("country", ""),
                    "tax_rounding": preset.taxes.get("rounding", "per_line"),
                    "prices_include_tax": (order_type.prices or preset.taxes.get("prices", "gross")) == "gross",
                },
            )
        for position, channel in enumerate(preset.channels):
            PaymentChannel.objects.update_or_create(
                code=channel.code,
                defaults={
                    "labels": dict(channel.labels),
                    "position": position,
                    "gateway": channel.gateway,
                    "fee_percent": channel.fee_percent,
                    "fee_fixed": channel.fee_fixed,
                    "fees_refundable": channel.fees_refundable,
                    "on_delivery": channel.on_delivery,
                },
            )
        # Rates are a starting point too: a rate already stored (perhaps edited) stays as it is.
        from ordo.taxes.models import CategoryClass, TaxRate

        for rate in preset.taxes.get("rates", []):
            TaxRate.objects.get_or_create(
                country=preset.taxes["country"],
                tax_class=rate["class"],
                valid_from=rate["from"],
                defaults={"rate": rate["rate"]},
            )
        for category, tax_class in preset.taxes.get("categories", {}).items():
            CategoryClass.objects.get_or_create(category=category, defaults={"tax_class": tax_class})
        # Tiers are a starting point: once a currency has tiers, they are the admins' to edit.
        if preset.tiers and not DiscountTier.objects.filter(currency=preset.currency).exists():
            DiscountTier.objects.bulk_create(
                DiscountTier(name=t.name, currency=preset.currency, threshold=t.threshold, percent=t.percent)
                for t in preset.tiers
            )
            TIERS.forget()
    return PresetLoaded(preset.code, tuple(created), tuple(updated), tuple(unchanged))


def preset_load_named(name_or_file: str) -> PresetLoaded:
    try:
        return preset_load(preset=preset_read(name_or_file))
    except PresetError as error:
        raise DomainError(
            OrderErrorCode.PRESET_INVALID, str(error), problems=[str(p) for p in error.problems]
        ) from error
