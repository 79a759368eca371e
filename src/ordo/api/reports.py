"""``/reports``: the dashboard's figures and the time-in-status report, for the orders the caller
sees (``orders_visible_to``), as JSON or — with ``format=csv`` — as CSV."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from ordo.accounts.roles import actor_for
from ordo.api import schemas as s
from ordo.api.types import Text
from ordo.errors import DomainError
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import Workflow as WorkflowRow
from ordo.orders.permissions import Action, require
from ordo.orders.selectors import orders_visible_to
from ordo.orders.workflows import compiled
from ordo.reports.figures import Figures, Period, PersonWait, breakdown, daily, figures, period_of, waits
from ordo.reports.register import register_table, sales_register
from ordo.web.files import csv_download, xlsx_download

router = Router(tags=["reports"])
ERRORS = s.ERRORS


def _period(start: str | None, end: str | None) -> Period:
    try:
        return period_of(start, end, today=timezone.localdate())
    except ValueError:
        raise DomainError(OrderErrorCode.INVALID_PERIOD, "Dates are written as YYYY-MM-DD.") from None


def _figures(found: Figures, period: Period) -> dict[str, Any]:
    return {
        "start": period.start,
        "end": period.end,
        "placed": found.placed,
        "placed_value": found.placed_value,
        "average_order": found.average,
        "revenue": found.revenue,
        "refunds": found.refunds,
        "unpaid": found.unpaid,
        "unpaid_owed": found.unpaid_owed,
        "partly_paid": found.partly_paid,
        "partly_owed": found.partly_owed,
    }


@router.get(
    "/reports/summary",
    response={200: s.SummaryOut, **ERRORS},
    summary="Orders, revenue, refunds and what is owed in a period, beside the period before",
)
def summary(request: HttpRequest, start: Text | None = None, end: Text | None = None, format: Text = "json"):
    """Days are whole days in the server's time zone (``ORDO_TIME_ZONE``); the default period is
    the last 30 days. ``format=csv`` answers the per-day figures as CSV."""
    require(actor_for(request.user), Action.READ_REPORTS)
    period = _period(start, end)
    zone = timezone.get_current_timezone()
    visible = orders_visible_to(request.user)
    series = daily(visible, period, zone)
    currencies = sorted(series.revenue)
    days: list[dict[str, Any]] = [
        {
            "day": day,
            "orders": series.orders[n],
            "revenue": {currency: series.revenue[currency][n] for currency in currencies},
        }
        for n, day in enumerate(series.days)
    ]
    if format == "csv":
        return csv_download(
            "summary.csv",
            ["day", "orders", *(f"revenue_{currency}" for currency in currencies)],
            [[d["day"].isoformat(), d["orders"], *(d["revenue"][c] for c in currencies)] for d in days],
        )
    split = breakdown(visible, period, zone)
    return {
        "current": _figures(figures(visible, period, zone), period),
        "previous": _figures(figures(visible, period.previous(), zone), period.previous()),
        "days": days,
        "by_source": [{"code": code, "count": n} for code, n in split["source"]],
        "by_type": [{"code": code, "count": n} for code, n in split["type"]],
        "by_payment_channel": [{"code": code, "count": n} for code, n in split["payment_channel"]],
    }


@router.get(
    "/reports/waits",
    response={200: s.WaitsOut, **ERRORS},
    summary="How long orders stayed in each status of a workflow, and how they left",
)
def where_orders_wait(
    request: HttpRequest, workflow: Text, start: Text | None = None, end: Text | None = None, format: Text = "json"
):
    """Stays that ended in the period: count, median and nearest-rank 90th percentile in seconds,
    the transitions they left by; the same per manager and per contractor of the orders."""
    require(actor_for(request.user), Action.READ_REPORTS)
    period = _period(start, end)
    row = WorkflowRow.objects.filter(code=workflow, scope=WorkflowRow.Scope.ORDER, current=True).first()
    if row is None:
        raise DomainError(OrderErrorCode.NOT_FOUND, f"No order workflow {workflow!r}.")
    report = waits(orders_visible_to(request.user), row, period, timezone.get_current_timezone())
    flow = compiled(row)
    language = getattr(request, "LANGUAGE_CODE", "en")
    statuses: list[dict[str, Any]] = [
        {
            "code": w.code,
            "label": (found.label(language) if (found := flow.status(w.code)) else w.code),
            "count": w.count,
            "median_seconds": w.median,
            "p90_seconds": w.p90,
            "left_by": [{"transition": code, "count": n} for code, n in w.left_by],
        }
        for w in report.statuses
    ]
    if format == "csv":
        return csv_download(
            f"waits-{row.code}.csv",
            ["status", "count", "median_seconds", "p90_seconds", "left_by"],
            [
                [w["code"], w["count"], w["median_seconds"] or "", w["p90_seconds"] or "", _exits(w["left_by"])]
                for w in statuses
            ],
        )

    def people(found: list[PersonWait]) -> list[dict[str, Any]]:
        return [{"user": p.user_id, "count": p.count, "median_seconds": p.median, "p90_seconds": p.p90} for p in found]

    return {
        "workflow": row.code,
        "start": period.start,
        "end": period.end,
        "statuses": statuses,
        "managers": people(report.managers),
        "contractors": people(report.contractors),
    }


def _exits(left_by: list[dict[str, Any]]) -> str:
    return "; ".join(f"{e['transition']}:{e['count']}" for e in left_by)


@router.get(
    "/reports/sales-register",
    response={200: list[s.RegisterEntryOut], **ERRORS},
    summary="Every invoice and correcting invoice issued in a period, with net, VAT per rate and gross",
)
def register(request: HttpRequest, start: Text | None = None, end: Text | None = None, format: Text = "json"):
    """As issued: an invoice reissued with a reason counts once (its latest version), on the day it
    was first issued; a correction counts on its own day, negative. ``format=csv`` or ``xlsx``
    answers a file with a column pair (net, VAT) per rate."""
    require(actor_for(request.user), Action.READ_REPORTS)
    period = _period(start, end)
    rates, entries = sales_register(orders_visible_to(request.user), period, timezone.get_current_timezone())
    if format in ("csv", "xlsx"):
        header, rows = register_table(rates, entries)
        name = f"sales-register-{period.start.isoformat()}-{period.end.isoformat()}.{format}"
        if format == "xlsx":
            return xlsx_download(name, header, rows, sheet="Sales register")
        return csv_download(name, header, rows)
    return [
        {
            "number": e.number,
            "kind": e.kind,
            "issued": e.issued,
            "corrects": e.corrects,
            "order": e.order,
            "buyer": e.buyer,
            "buyer_tax_id": e.buyer_tax_id,
            "currency": e.currency,
            "net": e.net,
            "tax": e.tax,
            "gross": e.gross,
            "rates": [{"rate": rate, "net": net, "tax": tax} for rate, (net, tax) in e.by_rate.items()],
        }
        for e in entries
    ]
