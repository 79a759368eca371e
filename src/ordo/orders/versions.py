"""Workflow versions: an admin edits a draft, publishes it as the next version, and may move the
orders of older versions onto it.

- A **draft** (``WorkflowDraft``) holds an edited definition with its problems listed as it is
  edited (the same validation as ``ordo workflow validate``); it changes no order.
- **Publishing** writes the next version (a new, never-changing ``Workflow`` row), points the order
  types at it so new orders start on it, and drops the draft. A draft with problems is refused, and
  so is one started from a version that is no longer current (someone published meanwhile).
- **Moving** puts the open orders of older versions on the new one, one history row per order. A
  status the new version removes needs a **mapping** (old status → new status) for the orders in it;
  without one, publishing is refused with each status and its count, and nothing changes.

Orders not moved keep their version: ``lock_order`` reads the order's own version, so the rules an
order started with stay its rules.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ordo.db import adapt, insert_many
from ordo.errors import DomainError
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import Order, OrderItem, StatusChange, Stay, WorkflowDraft
from ordo.orders.models import Workflow as WorkflowRow
from ordo.orders.permissions import Action, require
from ordo.orders.workflows import compiled, version_publish
from ordo.workflow.diff import Change, definition_diff, removed_statuses
from ordo.workflow.loader import validate, workflow_from_dict
from ordo.workflow.snapshot import SYSTEM, Actor

#: The history row's transition for a move between versions (the comment names the versions).
MOVED = "version_move"


def problems_of(definition: Any) -> list[str]:
    """Every problem of a definition, as ``ordo workflow validate`` lists them; [] when none."""
    from ordo.orders.effects import EFFECTS

    if not isinstance(definition, Mapping):
        return ["workflow: the definition must be a table"]
    workflow, problems = workflow_from_dict(definition)
    problems += validate(workflow, set(EFFECTS))
    return [str(p) for p in problems]


def current_version(code: str, *, lock: bool = False) -> WorkflowRow:
    rows = WorkflowRow.objects.filter(code=code, current=True)
    row = (rows.select_for_update() if lock else rows).first()
    if row is None:
        raise DomainError(OrderErrorCode.NOT_FOUND, f"Workflow {code!r} not found.")
    return row


def versions_of(code: str) -> list[WorkflowRow]:
    """Every published version of ``code``, newest first (404 for an unknown workflow)."""
    rows = list(WorkflowRow.objects.filter(code=code).select_related("published_by").order_by("-version"))
    if not rows:
        raise DomainError(OrderErrorCode.NOT_FOUND, f"Workflow {code!r} not found.")
    return rows


def version_get(code: str, version: int) -> WorkflowRow:
    row = WorkflowRow.objects.filter(code=code, version=version).select_related("published_by").first()
    if row is None:
        raise DomainError(OrderErrorCode.NOT_FOUND, f"Workflow {code!r} has no version {version}.")
    return row


def version_changes(row: WorkflowRow) -> list[Change]:
    """What ``row`` changed from the version before it (everything is new in version 1)."""
    before = WorkflowRow.objects.filter(code=row.code, version__lt=row.version).order_by("-version").first()
    return definition_diff(before.definition if before else {}, row.definition)


# -- drafts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftView:
    draft: WorkflowDraft
    problems: list[str]
    changes: list[Change]
    #: Statuses the draft removes that orders of the current version are in: {status: count}.
    in_use: dict[str, int]


def draft_view(draft: WorkflowDraft, current: WorkflowRow | None = None) -> DraftView:
    """The draft with its problems, what it changes from ``current`` (read when not given) and the
    statuses it removes that open orders are in."""
    current = current or current_version(draft.code)
    gone = removed_statuses(current.definition, draft.definition)
    return DraftView(
        draft,
        problems_of(draft.definition),
        definition_diff(current.definition, draft.definition),
        _in_use(draft.code, gone, draft.scope),
    )


def draft_open(*, code: str, actor: Actor, user: User | None = None) -> WorkflowDraft:
    """The workflow's draft; a new one copied from the current version where there is none."""
    require(actor, Action.CONFIGURE)
    with transaction.atomic():
        current = current_version(code, lock=True)
        draft, _ = WorkflowDraft.objects.get_or_create(
            code=code,
            defaults={
                "scope": current.scope,
                "definition": current.definition,
                "base_version": current.version,
                "updated_by": user,
            },
        )
    return draft


def draft_save(*, code: str, definition: Any, actor: Actor, user: User | None = None) -> DraftView:
    """Keep an edited definition as the draft, problems and all (they are listed, not refused:
    an admin fixes them one by one). The code cannot change: it is the workflow's name."""
    require(actor, Action.CONFIGURE)
    if not isinstance(definition, dict):
        raise DomainError(OrderErrorCode.PRESET_INVALID, "A workflow definition is a table.")
    definition = {**definition, "code": code}
    with transaction.atomic():
        current = current_version(code, lock=True)
        draft = WorkflowDraft.objects.select_for_update().filter(code=code).first()
        if draft is None:
            draft = WorkflowDraft(code=code, scope=current.scope, base_version=current.version)
        draft.definition, draft.updated_by = definition, user
        draft.save()
    return draft_view(draft, current)


def draft_discard(*, code: str, actor: Actor) -> None:
    require(actor, Action.CONFIGURE)
    WorkflowDraft.objects.filter(code=code).delete()


# -- publishing and moving -------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    workflow: WorkflowRow
    changes: list[Change]
    #: Orders moved onto the new version (0 where the admin kept them where they were).
    moved: int = 0
    remapped: dict[str, int] = field(default_factory=dict)


def publish(
    *,
    code: str,
    actor: Actor,
    user: User | None = None,
    note: str = "",
    move: bool = False,
    mapping: Mapping[str, str] | None = None,
) -> Published:
    """Publish the workflow's draft as its next version, all or nothing (see the module's text)."""
    require(actor, Action.CONFIGURE)
    with transaction.atomic():
        current = current_version(code, lock=True)
        draft = WorkflowDraft.objects.select_for_update().filter(code=code).first()
        if draft is None:
            raise DomainError(OrderErrorCode.NOT_FOUND, f"Workflow {code!r} has no draft to publish.")
        if draft.base_version != current.version:
            raise DomainError(
                OrderErrorCode.VERSION_CONFLICT,
                f"The draft was started from version {draft.base_version}; version {current.version} "
                "was published since. Discard the draft and start again from it.",
                base_version=draft.base_version,
                current_version=current.version,
            )
        problems = problems_of(draft.definition)
        if problems:
            raise DomainError(
                OrderErrorCode.PRESET_INVALID,
                f"The draft has {len(problems)} problem(s): {'; '.join(problems)}",
                problems=problems,
            )
        changes = definition_diff(current.definition, draft.definition)
        if not changes:
            raise DomainError(OrderErrorCode.PRESET_INVALID, "The draft is the same as the current version.")
        row = version_publish(current, draft.definition, user=user, note=note)
        moved, remapped = 0, dict[str, int]()
        if move:
            moved, remapped = orders_move(row, mapping or {}, actor=actor)
        draft.delete()
    return Published(row, changes, moved, remapped)


def _older(row: WorkflowRow) -> list[int]:
    return list(WorkflowRow.objects.filter(code=row.code, version__lt=row.version).values_list("pk", flat=True))


def _open_statuses(ids: list[int]) -> dict[int, set[str]]:
    """Each version's statuses that are not final (orders there still run)."""
    rows = WorkflowRow.objects.filter(pk__in=ids).only("pk", "digest")
    return {r.pk: {s.code for s in compiled(r).statuses if not s.final} for r in rows}


def _in_use(code: str, gone: list[str], scope: str) -> dict[str, int]:
    """How many open orders (or items) of ``code``'s versions are in each of the ``gone`` statuses."""
    if not gone:
        return {}
    ids = list(WorkflowRow.objects.filter(code=code).values_list("pk", flat=True))
    if scope == WorkflowRow.Scope.ITEM:
        rows = OrderItem.objects.filter(order__item_workflow_id__in=ids, status__in=gone)
        return dict(Counter(rows.values_list("status", flat=True)))
    found: Counter[str] = Counter()
    for workflow_id, statuses in _open_statuses(ids).items():
        used = Order.objects.filter(workflow_id=workflow_id, status__in=set(gone) & statuses)
        found.update(used.values_list("status", flat=True))
    return dict(found)


def orders_move(
    row: WorkflowRow, mapping: Mapping[str, str], *, actor: Actor, now: datetime | None = None
) -> tuple[int, dict[str, int]]:
    """Move the open orders of ``row``'s older versions onto ``row``: one history row per order
    (and per item whose status is mapped). Returns how many moved and how many per mapped status."""
    now = now or timezone.now()
    flow = compiled(row)
    known = {s.code for s in flow.statuses}
    bad = sorted({f"{old} → {new}" for old, new in mapping.items() if new not in known})
    if bad:
        raise DomainError(
            OrderErrorCode.PRESET_INVALID,
            f"The mapping names statuses version {row.version} does not have: {', '.join(bad)}.",
            mapping=bad,
        )
    older = _older(row)
    if row.scope == WorkflowRow.Scope.ITEM:
        return _items_move(row, older, known, mapping, actor, now)
    opened = _open_statuses(older)
    orders = [
        o
        for o in Order.objects.filter(workflow_id__in=older).values(
            "id", "workflow_id", "status", "status_seq", "status_since"
        )
        if o["status"] in opened.get(o["workflow_id"], ())
    ]
    _all_mapped(row, [o["status"] for o in orders], known, mapping, "orders")
    versions = dict(WorkflowRow.objects.filter(pk__in=older).values_list("pk", "version"))
    remapped: Counter[str] = Counter()
    history: list[tuple[object, ...]] = []
    stays: list[tuple[object, ...]] = []
    for o in orders:
        old = o["status"]
        new = old if old in known else mapping[old]
        seq = o["status_seq"] + (new != old)
        comment = f"version {versions[o['workflow_id']]} → {row.version}"
        history.append((o["id"], old, new, seq, comment))
        if new != old:
            remapped[old] += 1
            since = o["status_since"]
            stays.append(
                (o["id"], o["workflow_id"], old, adapt(Stay, "entered_at", since), int((now - since).total_seconds()))
            )
    ids = [o["id"] for o in orders]
    Order.objects.filter(id__in=ids).update(workflow=row)
    for old in remapped:
        Order.objects.filter(id__in=ids, status=old).update(
            status=mapping[old], status_since=now, status_seq=F("status_seq") + 1
        )
    _history(history, actor, now)
    insert_many(
        Stay,
        ["order_id", "workflow_id", "status", "entered_at", "seconds"],
        stays,
        constants={"left_at": now, "left_by": MOVED},
    )
    return len(orders), dict(remapped)


def _all_mapped(row: WorkflowRow, statuses: list[str], known: set[str], mapping: Mapping[str, str], what: str) -> None:
    """Refuse the move (nothing changes) while some of ``statuses`` are neither kept nor mapped."""
    unmapped = Counter(code for code in statuses if code not in known and code not in mapping)
    if unmapped:
        raise DomainError(
            OrderErrorCode.STATUS_IN_USE,
            f"Version {row.version} has no status for {what} in: "
            + ", ".join(f"{code} ({n})" for code, n in sorted(unmapped.items()))
            + ". Say where each goes.",
            statuses=dict(sorted(unmapped.items())),
        )


def _history(rows: list[tuple[object, ...]], actor: Actor, now: datetime, item: bool = False) -> None:
    columns = ["order_id", "from_status", "to_status", "status_seq", "comment"] + (["item_id"] if item else [])
    insert_many(
        StatusChange,
        columns,
        rows,
        constants={
            "at": now,
            "transition": MOVED,
            "actor_id": None if actor.is_system else actor.id,
            "actor_name": actor.name or actor.role,
            "kind": StatusChange.Kind.VERSION,
        },
    )


def _items_move(
    row: WorkflowRow, older: list[int], known: set[str], mapping: Mapping[str, str], actor: Actor, now: datetime
) -> tuple[int, dict[str, int]]:
    """An item workflow's move: the orders' item workflow changes, and items in removed statuses
    take the mapped one (a history row for each such item, and one per order)."""
    items = list(OrderItem.objects.filter(order__item_workflow_id__in=older).values("id", "order_id", "status"))
    _all_mapped(row, [i["status"] for i in items], known, mapping, "items")
    order_ids = sorted({i["order_id"] for i in items})
    orders = dict(Order.objects.filter(id__in=order_ids).values_list("id", "status"))
    comment = f"version → {row.version}"
    _history([(oid, orders[oid], orders[oid], 0, comment) for oid in order_ids], actor, now)
    moved = [i for i in items if i["status"] not in known]
    _history(
        [(i["order_id"], i["status"], mapping[i["status"]], 0, comment, i["id"]) for i in moved], actor, now, item=True
    )
    remapped = Counter(i["status"] for i in moved)
    for old in remapped:
        OrderItem.objects.filter(order_id__in=order_ids, status=old).update(status=mapping[old])
    Order.objects.filter(id__in=order_ids).update(item_workflow=row)
    return len(order_ids), dict(remapped)


def workflow_timers_update(
    *,
    code: str,
    timers: list[dict[str, Any]],
    dry_run: bool = False,
    actor: Actor = SYSTEM,
    user: User | None = None,
) -> tuple[WorkflowRow, Any]:
    """Replace a workflow's timers (the "order processing rules"): published at once as the next
    version, with the open orders moved onto it, so the new rules apply at the next sweep to orders
    already waiting too. The whole workflow is validated again (a bad rule is refused with every
    problem, nothing changes); ``dry_run`` lists what the new rules would do now and saves nothing."""
    from ordo.orders.timers import sweep

    require(actor, Action.CONFIGURE)
    with transaction.atomic():
        row = current_version(code, lock=True)
        definition = {**row.definition, "timers": timers}
        problems = problems_of(definition)
        if problems:
            raise DomainError(OrderErrorCode.PRESET_INVALID, "; ".join(problems), problems=problems)
        workflow, _ = workflow_from_dict(definition)
        versions = WorkflowRow.objects.filter(code=code).values_list("pk", flat=True)
        preview = sweep(dry_run=True, workflows={pk: workflow for pk in versions})
        if not dry_run and definition != row.definition:
            row = version_publish(row, definition, user=user, note="timers")
            orders_move(row, {}, actor=actor)
    return row, preview


# -- trying a draft on real orders -------------------------------------------------------------------


@dataclass(frozen=True)
class Refused:
    """A step an order took that the draft would not allow."""

    number: int
    at: datetime
    transition: str
    from_status: str
    to_status: str
    #: ``gone`` (no such transition), ``not_from`` (not from that status), ``elsewhere`` (it now
    #: leads to another status).
    reason: str


@dataclass(frozen=True)
class TimerShift:
    """An open order's timer that would fire at another moment (None: no such timer)."""

    number: int
    status: str
    transition: str
    before: datetime | None
    after: datetime | None


@dataclass(frozen=True)
class Replay:
    orders: int
    refused: list[Refused]
    #: Orders now in a status the draft removes: (number, status).
    removed: list[tuple[int, str]]
    timers: list[TimerShift]


def replay(*, code: str, definition: Mapping[str, Any], start: datetime, end: datetime) -> Replay:
    """Replay the orders of ``code`` placed in [start, end) through ``definition``: every step of
    their history the draft would refuse, the orders in statuses it removes, and the open orders
    whose timers would fire earlier, later, or no more. Reads only; changes nothing."""
    problems = problems_of(definition)
    if problems:
        raise DomainError(OrderErrorCode.PRESET_INVALID, "; ".join(problems), problems=problems)
    draft, _ = workflow_from_dict(definition)
    rows = {r.pk: r for r in WorkflowRow.objects.filter(code=code).only("pk", "digest", "version")}
    if not rows:
        raise DomainError(OrderErrorCode.NOT_FOUND, f"Workflow {code!r} not found.")
    orders = list(
        Order.objects.filter(workflow_id__in=list(rows), placed_at__gte=start, placed_at__lt=end)
        .order_by("number")
        .values("id", "number", "status", "status_since", "workflow_id")
    )
    numbers = {o["id"]: o["number"] for o in orders}
    refused = []
    steps = (
        StatusChange.objects.filter(order_id__in=list(numbers), item=None)
        .exclude(kind=StatusChange.Kind.VERSION)
        .exclude(from_status="")
        .order_by("order_id", "id")
        .values_list("order_id", "at", "transition", "from_status", "to_status")
    )
    for order_id, at, code_, source, target in steps.iterator(2000):
        found = draft.transition(code_)
        reason = (
            "gone"
            if found is None
            else "not_from"
            if source not in found.sources
            else "elsewhere"
            if found.target != target
            else ""
        )
        if reason:
            refused.append(Refused(numbers[order_id], at, code_, source, target, reason))
    kept = {s.code for s in draft.statuses}
    removed = [(o["number"], o["status"]) for o in orders if o["status"] not in kept]
    shifts = []
    for o in orders:
        flow = compiled(rows[o["workflow_id"]])
        status = flow.status(o["status"])
        if status is None or status.final or o["status"] not in kept:
            continue
        old = {t.transition: t.after for t in flow.timers if t.status == o["status"]}
        new = {t.transition: t.after for t in draft.timers if t.status == o["status"]}
        since = o["status_since"]
        for fired in sorted(set(old) | set(new)):
            if old.get(fired) != new.get(fired):
                before = since + old[fired] if fired in old else None
                after = since + new[fired] if fired in new else None
                shifts.append(TimerShift(o["number"], o["status"], fired, before, after))
    return Replay(len(orders), refused, removed, shifts)
