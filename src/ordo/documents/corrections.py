"""Correcting invoices: money refunded on an invoiced order is corrected by a document of its own,
numbered in its own yearly sequence (``COR-2026-00001``), referring to the invoice it corrects.

A refund's confirmation queues the ``invoice_correction`` job (in the refund's transaction); the
job issues the correction under the order's lock, once per refund. Its sums are negative and split
by VAT rate: a refund of items over those items' rates, any other refund over the invoice's rates
in proportion to their gross. The tax of each rate is the invoice's tax of that rate in the same
proportion, so refunding everything zeroes the invoice exactly.

Cancelling an invoiced order corrects what nobody paid at once, when its cancel transition has
the ``correct_invoice`` effect (auto-parts); money paid is corrected as it is refunded.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Sum

from ordo.documents.labels import labels
from ordo.documents.models import Document
from ordo.documents.services import Correction, next_number, render_pdf, sums
from ordo.jobs.models import Job
from ordo.jobs.runner import handler
from ordo.orders.effects import EffectCall, effect
from ordo.orders.services import OrderUnit, lock_order
from ordo.payments.models import LedgerEntry
from ordo.taxes.compute import CENT, RateTotal, spread, tax_in
from ordo.workflow.snapshot import SYSTEM

JOB = "invoice_correction"


@handler(JOB)
def _issue_from_job(job: Job) -> None:
    correction_issue(int(job.payload["entry"]))


def correction_issue(entry_id: int) -> Document | None:
    """Correct the order's invoice for the confirmed refund ``entry_id``; None when the order has
    no invoice or the refund was corrected already."""
    entry = LedgerEntry.objects.select_related("order").get(pk=entry_id)
    if entry.kind != LedgerEntry.Kind.REFUND or entry.state != LedgerEntry.State.CONFIRMED:
        return None
    with transaction.atomic():
        unit = OrderUnit(lock_order(entry.order.number), actor=SYSTEM)
        if Document.objects.filter(refund_id=entry.pk).exists():
            return None
        invoice = _invoice(unit)
        if invoice is None:
            return None
        rates = _rates(invoice, entry.amount, entry.items or [], unit)
        words = labels(invoice.language)
        if entry.items:
            chosen = {item.pk: item for item in unit.items}
            lines = [(chosen[i].name, chosen[i].quantity, -chosen[i].line_total) for i in entry.items if i in chosen]
            rest = entry.amount - sum((chosen[i].line_total for i in entry.items if i in chosen), Decimal(0))
            if rest:
                lines.append((words["fees"], 1, -rest))
        else:
            lines = [(words["refund_line"], 1, -entry.amount)]
        document = _issue(unit, invoice, entry.amount, lines, rates, reason=f"refund {entry.pk}", refund_id=entry.pk)
        unit.flush()
    return document


def _issue(
    unit: OrderUnit,
    invoice: Document,
    amount: Decimal,
    lines: list[tuple[str, int, Decimal]],
    rates: list[RateTotal],
    *,
    reason: str,
    refund_id: int | None = None,
) -> Document:
    """Write one correction of ``amount`` (positive: what it takes off the invoice)."""
    number = next_number(Document.Kind.CORRECTION, unit.now)
    pdf = render_pdf(
        unit.order,
        kind=Document.Kind.CORRECTION,
        number=number,
        language=invoice.language,
        issued_at=unit.now,
        version_note="",
        correction=Correction(invoice, lines, rates, -amount, amount),
    )
    document = Document.objects.create(
        order=unit.order,
        kind=Document.Kind.CORRECTION,
        number=number,
        version=1,
        language=invoice.language,
        issued_at=unit.now,
        issued_by=unit.actor.name or "system",
        reason=reason,
        pdf=pdf,
        size=len(pdf),
        corrects=invoice,
        refund_id=refund_id,
        **sums(-amount, rates if invoice.taxes else None),
    )
    unit.note("document_issued", {"kind": document.kind, "number": number, "version": 1, "reason": ""})
    return document


@effect("correct_invoice")
def correct_invoice(call: EffectCall) -> None:
    """The ``correct_invoice`` effect (on a cancel): correct the order's invoice by what it bills
    and nobody paid, in the transition's transaction. Money paid is corrected when it is refunded
    (each refund's own correction), so the invoice ends at zero either way; an order without an
    invoice, or one paid in full, gets none."""
    unit = call.unit
    invoice = _invoice(unit)
    if invoice is None:
        return
    corrected = Document.objects.filter(corrects=invoice).aggregate(total=Sum("gross"))["total"] or Decimal(0)
    order = unit.order
    billed = invoice.gross if invoice.gross is not None else order.total  # issued before sums were kept
    unpaid = billed + corrected - (order.paid - order.refunded)
    if unpaid <= 0:
        return
    rates = _rates(invoice, unpaid, [], unit)
    _issue(unit, invoice, unpaid, [(labels(invoice.language)["cancel_line"], 1, -unpaid)], rates, reason="cancelled")


def _invoice(unit: OrderUnit) -> Document | None:
    return (
        Document.objects.filter(order=unit.order, kind=Document.Kind.INVOICE).defer("pdf").order_by("-version").first()
    )


def _rates(invoice: Document, amount: Decimal, items: list[int], unit: OrderUnit) -> list[RateTotal]:
    """The negative sums per VAT rate of taking ``amount`` off the invoice: over the rates of the
    refunded ``items``, else over the invoice's rates by their gross (none without VAT)."""
    if not invoice.taxes:
        return []
    issued = [
        (None if r["rate"] is None else Decimal(r["rate"]), Decimal(r["gross"]), Decimal(r["tax"]))
        for r in invoice.taxes
    ]
    weights: dict[Decimal | None, Decimal] = defaultdict(Decimal)
    if items:
        for item in unit.items:
            if item.pk in items:
                weights[item.tax_rate] += item.line_total
    if not weights:
        weights = {rate: gross for rate, gross, _ in issued}
    order = sorted(weights, key=lambda r: (r is None, -(r or 0)))
    shares = spread(amount, [weights[r] for r in order])
    found = []
    for rate, gross in zip(order, shares, strict=True):
        match = next(((g, t) for r, g, t in issued if r == rate), None)
        if match is not None and match[0]:
            tax = (match[1] * gross / match[0]).quantize(CENT, rounding=ROUND_HALF_UP)
        else:
            tax = tax_in(gross, rate)
        found.append(RateTotal(rate, -gross, -(gross - tax), -tax))
    return found
