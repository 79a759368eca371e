"""Issuing an order's invoice, contract and act as PDF (WeasyPrint).

Each kind has its own numbering sequence per year (``INV-2026-00001``), given out under a row lock
so two processes never share a number. A document is kept as issued; staff regenerate it only on
purpose (a new version under the same number, with the reason), never as a side effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.template.loader import select_template
from django.utils import formats, timezone, translation
from num2words import num2words

from ordo.business.details import business
from ordo.documents.errors import DocumentErrorCode
from ordo.documents.labels import LABELS, labels
from ordo.documents.models import Counter, Document
from ordo.errors import DomainError
from ordo.orders.effects import EffectCall, effect
from ordo.orders.models import Order
from ordo.orders.permissions import Action, require
from ordo.orders.services import OrderUnit, lock_order
from ordo.taxes.compute import RateTotal
from ordo.taxes.present import OrderTaxes, order_taxes, rate_text
from ordo.workflow.snapshot import Actor

PREFIX = {
    Document.Kind.INVOICE: "INV",
    Document.Kind.CONTRACT: "CTR",
    Document.Kind.ACT: "ACT",
    Document.Kind.CORRECTION: "COR",
}
#: What staff issue by hand; a correcting invoice comes from a refund (``documents.corrections``).
ISSUED_BY_HAND = (Document.Kind.INVOICE, Document.Kind.CONTRACT, Document.Kind.ACT)


def next_number(kind: str, now: datetime) -> str:
    """The next number of ``kind`` this year. Call inside the transaction that keeps it: the
    counter row stays locked until it commits."""
    year = timezone.localdate(now).year
    name = f"{kind}:{year}"
    if not Counter.objects.filter(name=name).exists():
        try:
            with transaction.atomic():
                Counter.objects.create(name=name)
        except IntegrityError:
            pass  # another process opened the year first
    Counter.objects.filter(name=name).update(value=F("value") + 1)
    value = Counter.objects.values_list("value", flat=True).get(name=name)
    return f"{PREFIX[Document.Kind(kind)]}-{year}-{value:05d}"


@dataclass(frozen=True)
class Party:
    name: str
    tax_id: str = ""
    address: str = ""
    email: str = ""
    phone: str = ""
    bank: str = ""


def seller() -> Party:
    """The business as its documents name it (the admins' settings, else the environment's)."""
    found = business()
    return Party(
        name=found.name,
        tax_id=found.tax_id,
        address=found.address,
        email=found.email,
        phone=found.phone,
        bank=found.bank,
    )


def _money(value: Decimal, language: str) -> str:
    with translation.override(language):
        return formats.number_format(value, 2, use_l10n=True, force_grouping=True)


@dataclass(frozen=True)
class Correction:
    """What a correcting invoice shows: the invoice it corrects, its lines and VAT per rate
    (negative), and why."""

    original: Document
    lines: list[tuple[str, int, Decimal]]  # name, quantity, amount (negative)
    rates: list[RateTotal]
    gross: Decimal
    refunded: Decimal


def amount_in_words(amount: Decimal, currency: str, language: str) -> str:
    """``1 234,50 RUB`` as words in ``language`` (num2words), or "" where it cannot say it."""
    try:
        return str(num2words(abs(amount), lang=language, to="currency", currency=currency))
    except (NotImplementedError, KeyError, ValueError, TypeError, AttributeError):
        return ""


def render_pdf(
    order: Order,
    *,
    kind: str,
    number: str,
    language: str,
    issued_at: datetime,
    version_note: str,
    correction: Correction | None = None,
) -> bytes:
    """The document as PDF bytes, from ``documents/<kind>.<language>.html`` if a deployment has
    one, else ``documents/<kind>.html`` with the language's wording."""
    from weasyprint import HTML  # imported here: loading Pango is not free, and only this needs it

    words = labels(language)
    customer = order.customer
    buyer = Party(
        name=customer.name, tax_id=customer.tax_id, address=customer.address, email=customer.email, phone=customer.phone
    )
    with translation.override(language):
        date = formats.date_format(timezone.localtime(issued_at), "DATE_FORMAT")
    fields: dict[str, Any] = {"order": order.number, "total": _money(order.total, language), "currency": order.currency}
    items = list(order.items.all().order_by("id"))
    lines = [
        {
            "name": item.name,
            "sku": item.sku,
            "target": item.target,
            "quantity": item.quantity,
            "price": _money(item.unit_price, language),
            "sum": _money(item.line_total, language),
        }
        for item in items
    ]
    due = max(order.total - (order.paid - order.refunded), Decimal(0))
    found = order_taxes(order, items)
    gross = order.total
    if correction is not None:
        lines = [
            {"name": name, "sku": "", "target": "", "quantity": qty, "price": "", "sum": _money(amount, language)}
            for name, qty, amount in correction.lines
        ]
        rates = correction.rates
        found = OrderTaxes("", rates, sum((r.net for r in rates), Decimal(0)), sum((r.tax for r in rates), Decimal(0)))
        gross = correction.gross
    taxes = (
        {
            "rates": [
                {
                    "rate": rate_text(r.rate, words["exempt"], language),
                    "net": _money(r.net, language),
                    "tax": _money(r.tax, language),
                    "gross": _money(r.gross, language),
                }
                for r in found.rates
            ],
            "net": _money(found.net, language),
            "tax": _money(found.tax, language),
            "gross": _money(gross, language),
        }
        if found is not None and found.rates
        else None
    )
    with translation.override(language):
        sale_day = timezone.localtime(order.issued_at or issued_at)
        sale_date = formats.date_format(sale_day, "DATE_FORMAT")
    about = ""
    if correction is not None:
        with translation.override(language):
            original_date = formats.date_format(timezone.localtime(correction.original.issued_at), "DATE_FORMAT")
        about = " ".join(
            [
                words["corrects"].format(number=correction.original.number, date=original_date),
                words["correction.reason"].format(amount=f"{_money(correction.refunded, language)} {order.currency}"),
            ]
        )
    context = {
        "language": language,
        "title": words["title"].format(kind=words[kind], number=number, date=date),
        "version_note": version_note,
        "seller": seller(),
        "logo": business().logo,
        "buyer": buyer,
        "lines": lines,
        "taxes": taxes,
        "currency": order.currency,
        "sale_date": sale_date,
        "issue_date": date,
        "about": about,
        "in_words": amount_in_words(gross, order.currency, language),
        "money": {
            "subtotal": _money(order.subtotal, language),
            "discount": _money(order.discount, language),
            "fees": _money(order.fees, language),
            "total": _money(gross, language),
            "paid": _money(order.paid - order.refunded, language),
            "due": _money(due, language),
        },
        "show": {"discount": order.discount > 0, "fees": order.fees > 0},
        "l": {
            **words,
            "order_ref": words["order"].format(**fields),
            "reference_text": words["reference"].format(**fields),
            "subject_text": words["contract.subject"].format(**fields),
            "price_text": words["contract.price"].format(**fields),
            "terms_text": words["contract.terms"].format(**fields),
            "body_text": words["act.body"].format(**fields),
            "claims_text": words["act.claims"].format(**fields),
        },
    }
    template = select_template([f"documents/{kind}.{language}.html", f"documents/{kind}.html"])
    html = template.render(context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def sums(gross: Decimal, rates: list[RateTotal] | None) -> dict[str, Any]:
    """A document's stored sums: gross, and with VAT net, tax and the rates (JSON-safe)."""
    if rates is None:
        return {"gross": gross, "net": None, "tax": None, "taxes": []}
    return {
        "gross": gross,
        "net": sum((r.net for r in rates), Decimal("0.00")),
        "tax": sum((r.tax for r in rates), Decimal("0.00")),
        "taxes": [
            {
                "rate": None if r.rate is None else str(r.rate),
                "net": str(r.net),
                "tax": str(r.tax),
                "gross": str(r.gross),
            }
            for r in rates
        ],
    }


def _kind(kind: str) -> str:
    if kind not in ISSUED_BY_HAND:
        raise DomainError(DocumentErrorCode.UNKNOWN_KIND, f"Documents are {', '.join(ISSUED_BY_HAND)}; not {kind!r}.")
    return kind


def _language(order: Order, language: str) -> str:
    chosen = (language or order.customer.language or order.language or "en").split("-")[0]
    return chosen if chosen in LABELS else "en"


def document_issue(
    *,
    number: int,
    kind: str,
    actor: Actor,
    visible: QuerySet[Order],
    language: str = "",
    reissue_reason: str = "",
) -> Document:
    """Issue ``kind`` for the order: a new number the first time (409 ``document_exists`` after),
    or, with ``reissue_reason``, a new version of the issued one under the same number."""
    kind = _kind(kind)
    with transaction.atomic(durable=True):
        unit = OrderUnit(lock_order(number, visible), actor=actor)
        require(actor, Action.ISSUE_DOCUMENTS)
        document = issue_in(unit, kind=kind, language=language, reissue_reason=reissue_reason)
        unit.flush()
    return document


def issue_in(unit: OrderUnit, *, kind: str, language: str = "", reissue_reason: str = "") -> Document:
    """Issue ``kind`` for the locked order inside the caller's transaction (``document_issue``,
    and the ``issue_documents`` effect of a transition)."""
    kind = _kind(kind)
    order = unit.order
    number = order.number
    latest = Document.objects.filter(order=order, kind=kind).order_by("-version").first()
    if latest is not None and not reissue_reason:
        raise DomainError(
            DocumentErrorCode.DOCUMENT_EXISTS,
            f"The {kind} of order {number} is {latest.number}; reissue it with a reason to change it.",
            document=latest.pk,
        )
    if latest is None and reissue_reason:
        raise DomainError(DocumentErrorCode.NO_DOCUMENT, f"Order {number} has no {kind} to reissue.")
    version = latest.version + 1 if latest else 1
    doc_number = latest.number if latest else next_number(kind, unit.now)
    language = _language(order, language or (latest.language if latest else ""))
    note = labels(language)["version"].format(version=version, reason=reissue_reason) if reissue_reason else ""
    pdf = render_pdf(order, kind=kind, number=doc_number, language=language, issued_at=unit.now, version_note=note)
    found = order_taxes(order, unit.items)
    document = Document.objects.create(
        order=order,
        kind=kind,
        number=doc_number,
        version=version,
        language=language,
        issued_at=unit.now,
        issued_by=unit.actor.name or unit.actor.role,
        reason=reissue_reason,
        pdf=pdf,
        size=len(pdf),
        **sums(order.total, found.rates if found else None),
    )
    unit.note("document_issued", {"kind": kind, "number": doc_number, "version": version, "reason": reissue_reason})
    return document


@effect("issue_documents")
def issue_documents(call: EffectCall) -> None:
    """The ``issue_documents`` effect: issue the documents ``kinds`` names (``invoice``,
    ``contract``, ``act``) as the transition happens, each once, so the customer sees them on the
    order at once (seed 001: invoice and contract on confirmation). One issued already stays."""
    unit = call.unit
    issued = set(Document.objects.filter(order=unit.order).values_list("kind", flat=True))
    for kind in call.params.get("kinds", ["invoice"]):
        if kind not in issued:
            issue_in(unit, kind=str(kind))
