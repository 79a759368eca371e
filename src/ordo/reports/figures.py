"""The business at a glance: the dashboard's figures and where orders wait, read for one user.

Every figure goes through the one visibility rule (``orders_visible_to``): a manager with own scope
counts their orders only. Each reads a bounded slice through an index — orders by ``placed_at``,
the ledger by ``recorded_at``, stays by ``left_at`` — so a page costs what one period holds, not
what the whole history holds. Time in status comes from ``Stay`` rows, written by the transaction
that moved each order on.

Percentiles are nearest-rank: the p-th percentile of n durations sorted ascending is the one at
rank ⌈p/100 · n⌉ (the median is p = 50). Every figure is exact.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import CharField, Count, F, QuerySet, Sum
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from ordo.business.details import business
from ordo.notifications.models import Message
from ordo.orders.models import Order, Stay
from ordo.orders.models import Workflow as WorkflowRow
from ordo.orders.timers import Planned, forecast
from ordo.orders.workflows import compiled, final_statuses
from ordo.payments.models import LedgerEntry

#: The longest period a report covers.
MAX_DAYS = 366
#: How far back "how long a status usually takes" looks.
USUAL_DAYS = 30
OWING = ("unpaid", "partially_paid")


@dataclass(frozen=True)
class Period:
    """Whole days ``start``…``end`` (both included) in the user's time zone."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        first = datetime.combine(self.start, time.min, tzinfo=zone)
        after = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone)
        return first, after

    def previous(self) -> Period:
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]


def period_of(start: str | None, end: str | None, *, today: date, default_days: int = 30) -> Period:
    """The period asked for (ISO dates), else the last ``default_days`` days up to today; the end
    never before the start, at most ``MAX_DAYS`` long. Raises ValueError on a date it cannot read."""
    last = date.fromisoformat(end) if end else today
    first = date.fromisoformat(start) if start else last - timedelta(days=default_days - 1)
    if first > last:
        first, last = last, first
    if (last - first).days + 1 > MAX_DAYS:
        first = last - timedelta(days=MAX_DAYS - 1)
    return Period(first, last)


def rank(sorted_values: list[int], percent: int) -> int | None:
    """The nearest-rank percentile of values sorted ascending; None for none."""
    if not sorted_values:
        return None
    return sorted_values[max(math.ceil(percent / 100 * len(sorted_values)), 1) - 1]


def _narrowed(visible: QuerySet[Order]) -> bool:
    """Does the visibility rule leave out some orders (then every other table is joined to it)?"""
    return bool(visible.query.has_filters())


@dataclass
class Figures:
    """One period's figures, money per currency."""

    placed: int = 0
    placed_value: dict[str, Decimal] = field(default_factory=dict)
    average: dict[str, Decimal] = field(default_factory=dict)
    revenue: dict[str, Decimal] = field(default_factory=dict)
    refunds: dict[str, Decimal] = field(default_factory=dict)
    unpaid: int = 0
    unpaid_owed: dict[str, Decimal] = field(default_factory=dict)
    partly_paid: int = 0
    partly_owed: dict[str, Decimal] = field(default_factory=dict)


def figures(visible: QuerySet[Order], period: Period, zone: tzinfo) -> Figures:
    """Orders placed in the period (count, value, average), money received and refunded in it,
    and which of its orders still owe (unpaid, partly paid) and how much."""
    start, after = period.bounds(zone)
    placed = visible.filter(placed_at__gte=start, placed_at__lt=after)
    found = Figures()
    for row in placed.values("currency").annotate(n=Count("id"), value=Sum("total")):
        found.placed += row["n"]
        found.placed_value[row["currency"]] = _cents(row["value"])
        found.average[row["currency"]] = _cents(Decimal(row["value"] or 0) / row["n"])
    owing = placed.filter(payment_status__in=OWING).values("payment_status", "currency")
    for owes in owing.annotate(n=Count("id"), owed=Sum(F("total") - F("paid") + F("refunded"))):
        if owes["payment_status"] == "unpaid":
            found.unpaid += owes["n"]
            found.unpaid_owed[owes["currency"]] = _cents(owes["owed"])
        else:
            found.partly_paid += owes["n"]
            found.partly_owed[owes["currency"]] = _cents(owes["owed"])
    money = _ledger(visible).filter(recorded_at__gte=start, recorded_at__lt=after)
    for entry in money.values("kind", "currency").annotate(total=Sum("amount")):
        target = found.revenue if entry["kind"] == LedgerEntry.Kind.PAYMENT else found.refunds
        target[entry["currency"]] = _cents(entry["total"])
    return found


def _ledger(visible: QuerySet[Order]) -> QuerySet[LedgerEntry]:
    entries = LedgerEntry.objects.filter(
        state=LedgerEntry.State.CONFIRMED, kind__in=[LedgerEntry.Kind.PAYMENT, LedgerEntry.Kind.REFUND]
    )
    return entries.filter(order__in=visible) if _narrowed(visible) else entries


def _cents(value: Any) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


@dataclass
class Daily:
    """Orders placed and money received per day of the period (every day present, zeros too)."""

    days: list[date]
    orders: list[int]
    revenue: dict[str, list[Decimal]]


def daily(visible: QuerySet[Order], period: Period, zone: tzinfo) -> Daily:
    start, after = period.bounds(zone)
    days = period.each_day()
    # The instants where each day starts (and the last one ends), right across clock changes.
    edges = [start] + [Period(day, day).bounds(zone)[1] for day in days]
    orders = [0] * len(days)
    placed = visible.filter(placed_at__gte=start, placed_at__lt=after)
    for n, _ in _by_day(placed, "placed_at", edges, days, zone):
        orders[n] += 1
    revenue: dict[str, list[Decimal]] = {}
    paid = _ledger(visible).filter(kind=LedgerEntry.Kind.PAYMENT, recorded_at__gte=start, recorded_at__lt=after)
    for n, (currency, amount) in _by_day(paid, "recorded_at", edges, days, zone, "currency", "amount"):
        series = revenue.setdefault(currency, [Decimal("0.00")] * len(days))
        series[n] += amount
    return Daily(days, orders, {c: [_cents(v) for v in values] for c, values in revenue.items()})


def _by_day(
    rows: QuerySet[Any], field: str, edges: list[datetime], days: list[date], zone: tzinfo, *extra: str
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(day index, extra values) for each row, by the day ``field`` falls on in ``zone``.

    PostgreSQL cuts days itself (``AT TIME ZONE``). SQLite would call a Python function per row for
    that, so there the moments are read as the text SQLite keeps (UTC, ``YYYY-MM-DD HH:MM:SS``)
    and placed among the days' UTC edges by bisection: exact, and a tenth of the time."""
    if connection.vendor != "sqlite":
        index = {day: n for n, day in enumerate(days)}
        for row in rows.annotate(_day=TruncDate(field, tzinfo=zone)).values_list("_day", *extra).iterator(5000):
            if row[0] in index:
                yield index[row[0]], tuple(row[1:])
        return
    marks = [edge.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") for edge in edges]
    text = rows.annotate(_at=Cast(field, output_field=CharField())).values_list("_at", *extra)
    for row in text.iterator(5000):
        n = bisect_right(marks, row[0]) - 1
        if 0 <= n < len(days):
            yield n, tuple(row[1:])


def breakdown(visible: QuerySet[Order], period: Period, zone: tzinfo) -> dict[str, list[tuple[str, int]]]:
    """Orders placed in the period by source, by type and by payment channel, most first."""
    start, after = period.bounds(zone)
    placed = visible.filter(placed_at__gte=start, placed_at__lt=after)
    found = {}
    for name in ("source", "type", "payment_channel"):
        rows = placed.values(name).annotate(n=Count("id")).order_by("-n", name)
        found[name] = [(row[name], row["n"]) for row in rows]
    return found


@dataclass
class Attention:
    """Orders that need a hand now."""

    overdue: list[Order]
    overdue_count: int
    stuck: list[tuple[Order, int]]  # the order and the usual (p90) seconds of its status
    stuck_count: int
    timers: list[Planned]
    failed: list[Message]
    failed_count: int


def attention(visible: QuerySet[Order], *, now: datetime | None = None, shown: int = 10) -> Attention:
    """Waiting for payment past the due days (the business's ``payment_due_days``, within 90 days of
    placing), stuck in a status longer than 90 % of the stays there took over the last 30 days,
    due to be moved or warned about by a timer in the next 3 days, and notifications that failed
    in the last 30 days."""
    now = now or timezone.now()
    final = final_statuses()
    due = now - timedelta(days=business().payment_due_days)
    overdue = (
        visible.filter(payment_status__in=OWING, placed_at__lt=due, placed_at__gte=now - timedelta(days=90))
        .exclude(status__in=final)
        .select_related("customer")
        .order_by("placed_at", "id")
    )
    usual = usual_seconds(now=now)
    stuck: list[tuple[Order, int]] = []
    stuck_count = 0
    for (workflow_id, status), seconds in sorted(usual.items()):
        if status in final:
            continue
        waiting = visible.filter(
            workflow_id=workflow_id, status=status, status_since__lt=now - timedelta(seconds=seconds)
        )
        stuck_count += waiting.count()
        if len(stuck) < shown:
            stuck += [(o, seconds) for o in waiting.select_related("customer").order_by("status_since", "id")[:shown]]
    stuck.sort(key=lambda pair: (pair[0].status_since, pair[0].pk))
    failed = Message.objects.filter(
        status__in=[Message.Status.FAILED, Message.Status.DEAD], created_at__gte=now - timedelta(days=30)
    )
    if _narrowed(visible):
        failed = failed.filter(order__in=visible)
    return Attention(
        overdue=list(overdue[:shown]),
        overdue_count=overdue.count(),
        stuck=stuck[:shown],
        stuck_count=stuck_count,
        timers=forecast(days=3, now=now, limit=shown, within=visible),
        failed=list(failed.select_related("order").order_by("-id")[:shown]),
        failed_count=failed.count(),
    )


#: How long "usually" is kept before it is worked out again (per process).
USUAL_FOR = timedelta(minutes=10)
_usual: dict[str, Any] = {}


def usual_seconds(*, now: datetime) -> dict[tuple[int, str], int]:
    """How long each (workflow, status) usually takes: the 90th percentile of the stays that ended
    in the last ``USUAL_DAYS`` days (statuses with fewer than 5 stays are left out). A slow-moving
    figure read by every dashboard: worked out at most every ``USUAL_FOR`` per process."""
    if _usual.get("until") and _usual["from"] <= now < _usual["until"]:
        return dict(_usual["found"])
    found = _usual_now(now)
    _usual.update({"found": found, "from": now, "until": now + USUAL_FOR})
    return dict(found)


def forget_usual() -> None:
    """Work "usually" out afresh on the next read (tests, after loading history)."""
    _usual.clear()


def _usual_now(now: datetime) -> dict[tuple[int, str], int]:
    """Per workflow code, over all its versions (a new version inherits what was usual), given for
    each version's id."""
    code_of = dict(WorkflowRow.objects.values_list("pk", "code"))
    grouped: dict[tuple[str, str], list[int]] = defaultdict(list)
    recent = Stay.objects.filter(left_at__gte=now - timedelta(days=USUAL_DAYS))
    for workflow_id, status, seconds in recent.values_list("workflow_id", "status", "seconds").iterator(5000):
        grouped[(code_of.get(workflow_id, ""), status)].append(seconds)
    usual = {}
    for key, values in grouped.items():
        if len(values) >= 5:
            values.sort()
            usual[key] = rank(values, 90) or 0
    return {
        (workflow_id, status): seconds
        for workflow_id, code in code_of.items()
        for (usual_code, status), seconds in usual.items()
        if usual_code == code
    }


@dataclass
class StatusWait:
    code: str
    count: int
    median: int | None
    p90: int | None
    left_by: list[tuple[str, int]]


@dataclass
class PersonWait:
    user_id: int | None
    count: int
    median: int | None
    p90: int | None


@dataclass
class Waits:
    workflow: WorkflowRow
    statuses: list[StatusWait]
    managers: list[PersonWait]
    contractors: list[PersonWait]


def waits(visible: QuerySet[Order], workflow: WorkflowRow, period: Period, zone: tzinfo) -> Waits:
    """For each status of ``workflow``: how many stays ended in the period, their median and 90th
    percentile in seconds, and how many left by each transition; the same per manager and per
    contractor of the orders (all statuses together). Stays in every version of the workflow count."""
    start, after = period.bounds(zone)
    versions = WorkflowRow.objects.filter(code=workflow.code).values_list("pk", flat=True)
    stays = Stay.objects.filter(workflow_id__in=list(versions), left_at__gte=start, left_at__lt=after)
    if _narrowed(visible):
        stays = stays.filter(order__in=visible)
    by_status: dict[str, list[int]] = defaultdict(list)
    exits: dict[str, Counter[str]] = defaultdict(Counter)
    by_manager: dict[int | None, list[int]] = defaultdict(list)
    by_contractor: dict[int | None, list[int]] = defaultdict(list)
    rows = stays.values_list("status", "left_by", "seconds", "order__manager_id", "order__contractor_id")
    for status, left_by, seconds, manager_id, contractor_id in rows.iterator(5000):
        by_status[status].append(seconds)
        exits[status][left_by] += 1
        by_manager[manager_id].append(seconds)
        by_contractor[contractor_id].append(seconds)
    flow = compiled(workflow)
    statuses = []
    for known in flow.statuses:
        values = sorted(by_status.get(known.code, []))
        statuses.append(
            StatusWait(
                known.code,
                len(values),
                rank(values, 50),
                rank(values, 90),
                sorted(exits[known.code].items(), key=lambda pair: (-pair[1], pair[0])),
            )
        )
    return Waits(workflow, statuses, _people(by_manager), _people(by_contractor))


def _people(grouped: dict[int | None, list[int]]) -> list[PersonWait]:
    found = []
    for user_id, values in grouped.items():
        values.sort()
        found.append(PersonWait(user_id, len(values), rank(values, 50), rank(values, 90)))
    return sorted(found, key=lambda p: (-p.count, p.user_id or 0))
