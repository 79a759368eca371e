"""The desk's home: the business at a glance, and where orders wait. Figures come from
``ordo.reports.figures`` for the orders the user sees; the charts are SVG drawn here with their
numbers in a table beside them, and each report downloads as CSV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ordo.desk.card import for_action
from ordo.desk.diagrams import workflow_svg
from ordo.money import money_text
from ordo.orders.models import Workflow as WorkflowRow
from ordo.orders.permissions import Action
from ordo.orders.selectors import orders_visible_to
from ordo.orders.workflows import compiled
from ordo.payments.models import PaymentChannel
from ordo.reports.figures import Figures, Period, PersonWait, attention, breakdown, daily, figures, period_of, waits
from ordo.reports.register import register_table, sales_register
from ordo.web.charts import bar_chart
from ordo.web.files import csv_download, xlsx_download
from ordo.web.labels import SOURCE
from ordo.web.orders import status_labels, type_labels
from ordo.web.pages import language
from ordo.workflow.definition import label_for


def _period(request: HttpRequest) -> Period:
    today = timezone.localdate()
    try:
        return period_of(request.GET.get("start"), request.GET.get("end"), today=today)
    except ValueError:
        messages.error(request, _("Dates are written as YYYY-MM-DD: the last 30 days are shown instead."))
        return period_of(None, None, today=today)


def _money(amounts: dict[str, Decimal], lang: str) -> str:
    return " · ".join(money_text(amount, currency, lang) for currency, amount in sorted(amounts.items())) or "—"


def _change(now: Decimal | int, before: Decimal | int) -> str:
    if not before:
        return ""
    percent = (Decimal(now) - Decimal(before)) * 100 / Decimal(before)
    return f"{'+' if percent >= 0 else '−'}{abs(percent):.0f} %"


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    before: str
    change: str


def _tiles(now: Figures, before: Figures, lang: str) -> list[Tile]:
    def total(amounts: dict[str, Decimal]) -> Decimal:
        return sum(amounts.values(), Decimal(0))

    def money(label: str, amounts: str, counts: tuple[int, int] | None = None) -> Tile:
        """A tile of sums per currency (``amounts`` names the figure), with their count before them."""
        mine, theirs = getattr(now, amounts), getattr(before, amounts)
        value, was = _money(mine, lang), _money(theirs, lang)
        if counts is not None:
            value, was = f"{counts[0]} · {value}", f"{counts[1]} · {was}"
        return Tile(label, value, was, _change(total(mine), total(theirs)))

    return [
        Tile(_("Orders placed"), str(now.placed), str(before.placed), _change(now.placed, before.placed)),
        money(_("Revenue paid"), "revenue"),
        money(_("Refunds"), "refunds"),
        money(_("Unpaid"), "unpaid_owed", (now.unpaid, before.unpaid)),
        money(_("Partly paid, still owed"), "partly_owed", (now.partly_paid, before.partly_paid)),
        money(_("Average order"), "average"),
    ]


def _day(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


@for_action(Action.READ_REPORTS)
def dashboard(request: HttpRequest) -> HttpResponse:
    lang = language()
    zone = timezone.get_current_timezone()
    period = _period(request)
    today = Period(timezone.localdate(), timezone.localdate())
    visible = orders_visible_to(request.user)
    series = daily(visible, period, zone)
    days = [_day(d) for d in series.days]
    currency, revenue = next(iter(sorted(series.revenue.items())), ("", [Decimal("0.00")] * len(days)))
    split = breakdown(visible, period, zone)
    names = {
        "source": {code: str(label) for code, label in SOURCE.items()},
        "type": type_labels(lang),
        "payment_channel": {c.code: label_for(c.labels, lang, c.code) for c in PaymentChannel.objects.all()},
    }
    if request.GET.get("format") == "csv":
        return csv_download(
            "dashboard.csv",
            [_("Day"), _("Orders placed"), _("Revenue paid") + (f" ({currency})" if currency else "")],
            [[d.isoformat(), n, money] for d, n, money in zip(series.days, series.orders, revenue, strict=True)],
        )
    hand = attention(visible)
    labels = status_labels(lang)
    context: dict[str, Any] = {
        "title": _("Dashboard"),
        "nav": "dashboard",
        "period": period,
        "quick": _quick_periods(),
        "today": _tiles(figures(visible, today, zone), figures(visible, today.previous(), zone), lang),
        "tiles": _tiles(figures(visible, period, zone), figures(visible, period.previous(), zone), lang),
        "days": list(zip(days, series.orders, [money_text(v, currency, lang) for v in revenue], strict=True)),
        "orders_chart": bar_chart(
            series.orders, days, title=_("Orders placed per day"), peak=str(max(series.orders, default=0))
        ),
        "revenue_chart": bar_chart(
            revenue,
            days,
            title=_("Revenue paid per day"),
            peak=money_text(max(revenue, default=Decimal(0)), currency, lang),
        ),
        "currency": currency,
        "split": [
            (_("By source"), [(names["source"].get(code, code), n) for code, n in split["source"]]),
            (_("By type"), [(names["type"].get(code, code), n) for code, n in split["type"]]),
            (
                _("By payment channel"),
                [(names["payment_channel"].get(code, code) or _("none"), n) for code, n in split["payment_channel"]],
            ),
        ],
        "hand": hand,
        "stuck": [(order, labels.get(order.status, order.status), _duration(usual)) for order, usual in hand.stuck],
        "timers": [(p, labels.get(p.to, p.to)) for p in hand.timers],
    }
    return render(request, "desk/dashboard.html", context)


def _quick_periods() -> list[tuple[str, str, str]]:
    today = timezone.localdate()
    month_start = today.replace(day=1)
    return [
        (_("Today"), today.isoformat(), today.isoformat()),
        (_("7 days"), (today - timedelta(days=6)).isoformat(), today.isoformat()),
        (_("30 days"), (today - timedelta(days=29)).isoformat(), today.isoformat()),
        (_("This month"), month_start.isoformat(), today.isoformat()),
    ]


def _duration(seconds: int | None) -> str:
    """``2 d 5 h``, ``3 h 10 min``, ``45 min``, ``30 s``."""
    if seconds is None:
        return "—"
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)s min") % {"m": minutes}
    return _("%(s)s s") % {"s": secs}


#: Box colours on the diagram: how a status's 90th percentile compares with the slowest one's.
HEAT = ("#e0e8f9", "#fef3c7", "#fde68a", "#fecaca")


@for_action(Action.READ_REPORTS)
def where_orders_wait(request: HttpRequest) -> HttpResponse:
    lang = language()
    zone = timezone.get_current_timezone()
    period = _period(request)
    workflows = list(WorkflowRow.objects.filter(scope=WorkflowRow.Scope.ORDER, current=True).order_by("code"))
    chosen = next((w for w in workflows if w.code == request.GET.get("workflow")), workflows[0] if workflows else None)
    if chosen is None:
        return render(request, "desk/waits.html", {"title": _("Where orders wait"), "nav": "waits"})
    visible = orders_visible_to(request.user)
    report = waits(visible, chosen, period, zone)
    flow = compiled(chosen)
    labels = {s.code: s.label(lang) for s in flow.statuses}
    transitions = {t.code: t.label(lang) for t in flow.transitions}
    people = dict(
        User.objects.filter(
            pk__in=[p.user_id for p in [*report.managers, *report.contractors] if p.user_id]
        ).values_list("pk", "username")
    )
    if request.GET.get("format") == "csv":
        return csv_download(
            f"waits-{chosen.code}.csv",
            [_("Status"), _("Stays"), _("Median (s)"), _("90th percentile (s)"), _("Left by")],
            [
                [
                    labels[s.code],
                    s.count,
                    s.median or "",
                    s.p90 or "",
                    "; ".join(f"{transitions.get(c, c)}: {n}" for c, n in s.left_by),
                ]
                for s in report.statuses
            ],
        )
    slowest = max((s.p90 or 0 for s in report.statuses), default=0)
    notes = {
        s.code: ngettext("%(n)s stay", "%(n)s stays", s.count) % {"n": s.count}
        + (f" · {_duration(s.median)} / {_duration(s.p90)}" if s.count else "")
        for s in report.statuses
    }
    final = {status.code for status in flow.statuses if status.final}
    fills = {
        s.code: HEAT[min(int(3 * (s.p90 or 0) / slowest + 0.5), 3)] if slowest and s.count else HEAT[0]
        for s in report.statuses
        if s.code not in final
    }
    exits = {}
    for stay in report.statuses:
        for code, n in stay.left_by:
            exits[(stay.code, code)] = str(n)
    context = {
        "title": _("Where orders wait"),
        "nav": "waits",
        "period": period,
        "quick": _quick_periods(),
        "workflows": [(w.code, compiled(w).label(lang)) for w in workflows],
        "chosen": chosen.code,
        "diagram": workflow_svg(flow, lang, notes=notes, fills=fills, edge_notes=exits),
        "rows": [
            {
                "label": labels[s.code],
                "count": s.count,
                "median": _duration(s.median),
                "p90": _duration(s.p90),
                "left_by": [(transitions.get(code, code), n) for code, n in s.left_by],
            }
            for s in report.statuses
        ],
        "managers": [
            (people.get(p.user_id or 0, _("nobody")), p.count, _duration(p.median), _duration(p.p90))
            for p in report.managers
        ],
        "contractors": [
            (people.get(p.user_id or 0, _("nobody")), p.count, _duration(p.median), _duration(p.p90))
            for p in report.contractors
        ],
    }
    return render(request, "desk/waits.html", context)


def _exits(left_by: list[tuple[str, int]], transitions: dict[str, str]) -> str:
    return "; ".join(f"{transitions.get(code, code)}: {n}" for code, n in left_by)


def _person_rows(found: list[PersonWait], people: dict[int, str]) -> list[tuple[str, int, str, str]]:
    return [(people.get(p.user_id or 0, _("nobody")), p.count, _duration(p.median), _duration(p.p90)) for p in found]


@for_action(Action.READ_REPORTS)
def sales_register_page(request: HttpRequest) -> HttpResponseBase:
    """The accountant's register of invoices and corrections in a period, on screen and as files."""
    period = _period(request)
    rates, entries = sales_register(orders_visible_to(request.user), period, timezone.get_current_timezone())
    header, rows = register_table(rates, entries)
    name = f"sales-register-{period.start.isoformat()}-{period.end.isoformat()}"
    if request.GET.get("format") == "xlsx":
        return xlsx_download(f"{name}.xlsx", header, rows, sheet=_("Sales register"))
    if request.GET.get("format") == "csv":
        return csv_download(f"{name}.csv", header, rows)
    context = {
        "title": _("Sales register"),
        "nav": "register",
        "period": period,
        "quick": _quick_periods(),
        "header": header,
        "rows": [list(zip(header, row, strict=True)) for row in rows],
    }
    return render(request, "desk/register.html", context)
