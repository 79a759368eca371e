"""Preset files (TOML) → ``Preset`` and ``Workflow`` values, and ``validate()`` listing every problem.

The same functions read a preset file and the JSON a workflow is stored as in the database, so what
an admin edits is checked exactly like what ships in ``ordo/presets/``.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter, deque
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ordo.workflow.definition import (
    CHANNELS,
    KNOWN_ROLES,
    NOTIFICATION_EVENTS,
    RECIPIENTS,
    EventRule,
    NotificationRule,
    Ref,
    Status,
    Timer,
    Transition,
    Workflow,
)
from ordo.workflow.guards import GUARDS

LANGUAGES = ("en", "ru", "pl", "fi")

#: Events that event rules may listen to. ``payment.<status>`` fires when the derived payment
#: status becomes that value.
KNOWN_EVENTS = frozenset(
    {
        "payment.paid",
        "payment.partially_paid",
        "payment.partially_refunded",
        "payment.refunded",
        "items.all_final",
        # Stock of a material the order waits for arrived (the catalog fires it, oldest order first).
        "stock.arrived",
    }
)

_DURATION = re.compile(r"(\d+)\s*([wdhms])")
_UNIT = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class PresetError(Exception):
    """A preset or workflow that cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class OrderType:
    code: str
    workflow: str
    item_workflow: str | None = None
    #: "person" or "organization" when only such customers may place this type (top-ups).
    customer: str = ""
    #: How long orders of this type usually take: placed date + this is the expected issue date.
    execution_time: timedelta | None = None
    #: False for digital orders: no delivery address, no courier.
    delivery: bool = True
    #: Customers may order lines the catalog does not know, at the price they name (custom work
    #: that staff review and price first); otherwise a customer's lines come from the catalog.
    free_lines: bool = False
    #: The type's name per language ("Order", "Wallet top-up"); the code where none is given.
    labels: Mapping[str, str] = field(default_factory=dict)
    #: Give every customer a personal manager (the least busy one) at their first order.
    personal_manager: bool = False
    #: How customers order this type in the portal's shop (see ``checkout_from_dict``); empty
    #: when the type is not sold there (wallet top-ups, orders staff enter).
    checkout: Mapping[str, Any] = field(default_factory=dict)
    #: "gross" (prices include VAT) or "net" (VAT on top, B2B); "" takes the preset's ``[taxes]``.
    prices: str = ""


GATEWAYS = frozenset({"", "stripe", "hmac", "wallet"})


@dataclass(frozen=True)
class Channel:
    """A way to pay. ``gateway``: "" (staff record payments by hand), "stripe" (card checkout and
    signed webhooks), "hmac" (another automatic gateway with HMAC-signed webhooks), "wallet"."""

    code: str
    labels: Mapping[str, str] = field(default_factory=dict)
    gateway: str = ""
    fee_percent: Decimal = Decimal(0)
    fee_fixed: Decimal = Decimal(0)
    #: Does a refund to the processor return the processing fee too (card: yes; PayPal: no)?
    fees_refundable: bool = True
    #: The courier collects what is owed when handing the order over (cash on delivery).
    on_delivery: bool = False


@dataclass(frozen=True)
class DiscountTier:
    """Customers whose paid orders add up to ``threshold`` get ``percent`` off new orders."""

    name: str
    threshold: Decimal
    percent: Decimal


@dataclass(frozen=True)
class Preset:
    code: str
    labels: Mapping[str, str]
    language: str
    currency: str
    types: tuple[OrderType, ...]
    channels: tuple[Channel, ...]
    workflows: tuple[Workflow, ...]
    #: Each workflow's definition as plain data, as it is stored in the database.
    sources: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: The starting discount tiers, in the preset's currency; admins edit them afterwards.
    tiers: tuple[DiscountTier, ...] = ()
    #: VAT (``taxes_from_dict``): ``country``, ``rounding`` and the starting ``rates``.
    taxes: Mapping[str, Any] = field(default_factory=dict)


def _tells_customer(workflow: Mapping[str, Any]) -> bool:
    """Does this workflow (as plain data) e-mail the customer when an order is placed?"""
    return any(
        rule.get("event") == "order_placed"
        and "customer" in rule.get("to", [])
        and "email" in rule.get("channels", ["email"])
        for rule in workflow.get("notifications", [])
        if isinstance(rule, dict)
    )


def parse_duration(text: str) -> timedelta:
    """``"2w"``, ``"3d"``, ``"24h"``, ``"1w3d"`` → timedelta; ValueError on anything else."""
    cleaned = text.strip().lower()
    parts = _DURATION.findall(cleaned)
    if not parts or _DURATION.sub("", cleaned).strip():
        raise ValueError(f"not a duration: {text!r} (use e.g. 2w, 3d, 24h, 30m)")
    return sum((timedelta(**{_UNIT[unit]: int(n)}) for n, unit in parts), timedelta())


def format_duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    out = []
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            out.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(out) or "0s"


class _Reader:
    """Reads loosely typed data, recording a problem instead of raising at the first one."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))

    def text(self, data: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or not value:
            self.fail(where, f"{key!r} must be a non-empty string")
            return ""
        return value

    def texts(self, data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(where, f"{key!r} must be a list of strings")
            return ()
        return tuple(value)

    def labels(self, data: Mapping[str, Any], where: str) -> dict[str, str]:
        value = data.get("labels", {})
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            self.fail(where, "'labels' must map language codes to text")
            return {}
        for language in value:
            if language not in LANGUAGES:
                self.fail(where, f"label language {language!r} is not one of {', '.join(LANGUAGES)}")
        if "en" not in value:
            self.fail(where, "an English label ('en') is required")
        return dict(value)

    def refs(self, data: Mapping[str, Any], key: str, where: str) -> tuple[Ref, ...]:
        value = data.get(key, [])
        if not isinstance(value, list):
            self.fail(where, f"{key!r} must be a list")
            return ()
        refs = []
        for entry in value:
            if isinstance(entry, str):
                refs.append(Ref(entry))
            elif isinstance(entry, dict) and isinstance(entry.get("name"), str):
                refs.append(Ref(entry["name"], {k: v for k, v in entry.items() if k != "name"}))
            else:
                self.fail(where, f"each of {key!r} is a name or a table with 'name'")
        return tuple(refs)

    def colour(self, data: Mapping[str, Any], where: str) -> str:
        value = str(data.get("colour", ""))
        if value and not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            self.fail(where, f"colour {value!r} is not written #rrggbb")
            return ""
        return value.lower()

    def duration(self, data: Mapping[str, Any], key: str, where: str) -> timedelta | None:
        if key not in data:
            return None
        try:
            return parse_duration(str(data[key]))
        except ValueError as error:
            self.fail(where, f"{key!r}: {error}")
            return None

    def tables(self, data: Mapping[str, Any], key: str, where: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(where, f"{key!r} must be a list of tables")
            return []
        return value


def _choices(read: _Reader, data: Mapping[str, Any], key: str, where: str) -> list[dict[str, Any]]:
    """A list of ``{code, labels}`` tables (shipping options, pickup places)."""
    found: list[dict[str, Any]] = []
    for entry in read.tables(data, key, where):
        code = read.text(entry, "code", f"{where} {key}")
        found.append({"code": code, "labels": read.labels(entry, f"{where} {key} {code or '?'}")})
    for repeated, count in Counter(c["code"] for c in found).items():
        if count > 1:
            read.fail(where, f"{key} {repeated!r} is declared {count} times")
    return found


def checkout_from_dict(read: _Reader, data: Any, where: str) -> dict[str, Any]:
    """A type's ``[checkout.<type>]`` table as stored with the type:

    - ``guests``: people without an account may buy (name, e-mail, phone); the order's link is
      e-mailed to them, so the type's workflow must tell the customer of ``order_placed``;
    - ``shipping``: the ways to receive the order, each ``{code, labels, address, places}``:
      ``address = true`` asks for a delivery address, ``places`` lists pickup points to choose from;
    - ``planned_date``: the customer may name the date they plan to buy (seed 001);
    - ``services``: SKUs of priced extras offered as tick boxes (fitting, diagnostics);
    - ``targets``: each line asks for what it is for (the link to an account or a post).
    """
    if not isinstance(data, dict):
        read.fail(where, "must be a table")
        return {}
    known = {"guests", "shipping", "planned_date", "services", "targets"}
    for key in data:
        if key not in known:
            read.fail(where, f"unknown setting {key!r} (known: {', '.join(sorted(known))})")
    shipping = []
    for option in read.tables(data, "shipping", where):
        code = read.text(option, "code", f"{where} shipping")
        shipping.append(
            {
                "code": code,
                "labels": read.labels(option, f"{where} shipping {code or '?'}"),
                "address": bool(option.get("address", False)),
                "places": _choices(read, option, "places", f"{where} shipping {code or '?'}"),
            }
        )
    for repeated, count in Counter(o["code"] for o in shipping).items():
        if count > 1:
            read.fail(where, f"shipping option {repeated!r} is declared {count} times")
    return {
        "guests": bool(data.get("guests", False)),
        "shipping": shipping,
        "planned_date": bool(data.get("planned_date", False)),
        "services": list(read.texts(data, "services", where)),
        "targets": bool(data.get("targets", False)),
    }


def workflow_from_dict(data: Mapping[str, Any]) -> tuple[Workflow, list[Problem]]:
    """Build a workflow from plain data; shape problems are returned, not raised."""
    read = _Reader()
    code = read.text(data, "code", "workflow")
    here = f"workflow {code or '?'}"
    scope = data.get("scope", "order")
    if scope not in ("order", "item"):
        read.fail(here, f"scope must be 'order' or 'item', not {scope!r}")
        scope = "order"

    statuses = tuple(
        Status(
            code=read.text(s, "code", f"{here} status"),
            labels=read.labels(s, f"{here} status {s.get('code', '?')}"),
            final=bool(s.get("final", False)),
            editable=bool(s.get("editable", False)),
            colour=read.colour(s, f"{here} status {s.get('code', '?')}"),
        )
        for s in read.tables(data, "statuses", here)
    )
    transitions = []
    for t in read.tables(data, "transitions", here):
        where = f"{here} transition {t.get('code', '?')}"
        transitions.append(
            Transition(
                code=read.text(t, "code", where),
                sources=read.texts(t, "from", where),
                target=read.text(t, "to", where),
                roles=frozenset(read.texts(t, "roles", where)),
                guards=read.refs(t, "guards", where),
                effects=read.refs(t, "effects", where),
                labels=read.labels(t, where),
                roles_from=_roles_from(read, t, where),
                comment_required=bool(t.get("comment_required", False)),
                dangerous=bool(t.get("dangerous", False)),
            )
        )
    events = []
    for e in read.tables(data, "events", here):
        where = f"{here} event {e.get('on', '?')}"
        events.append(EventRule(event=read.text(e, "on", where), transitions=read.texts(e, "fire", where)))
    timers = []
    for tm in read.tables(data, "timers", here):
        where = f"{here} timer on {tm.get('status', '?')}"
        after = read.duration(tm, "after", where)
        if after is None and "after" not in tm:
            read.fail(where, "'after' is required")
        timers.append(
            Timer(
                status=read.text(tm, "status", where),
                after=after or timedelta(),
                transition=read.text(tm, "fire", where),
                warn_before=read.duration(tm, "warn_before", where),
                warn=read.texts(tm, "warn", where),
            )
        )
    rules = []
    for n in read.tables(data, "notifications", here):
        where = f"{here} notification on {n.get('event', '?')}"
        rules.append(
            NotificationRule(
                event=read.text(n, "event", where),
                recipients=read.texts(n, "to", where),
                channels=read.texts(n, "channels", where) or ("email",),
                statuses=read.texts(n, "statuses", where),
                delay=read.duration(n, "delay", where) or timedelta(),
            )
        )
    workflow = Workflow(
        code=code,
        notifications=tuple(rules),
        scope=scope,
        initial=str(data.get("initial", "")),
        statuses=statuses,
        transitions=tuple(transitions),
        events=tuple(events),
        timers=tuple(timers),
        labels=read.labels(data, here) if "labels" in data else {},
    )
    return workflow, read.problems


def _roles_from(read: _Reader, data: Mapping[str, Any], where: str) -> dict[str, frozenset[str]]:
    value = data.get("roles_from", {})
    if not isinstance(value, dict):
        read.fail(where, "'roles_from' must map statuses to lists of roles")
        return {}
    return {source: frozenset(read.texts(value, source, where)) for source in value}


def validate(workflow: Workflow, effects: Collection[str] | None = None) -> list[Problem]:
    """Every reason the workflow cannot be used; empty when it is sound.

    ``effects`` is the set of effect names the services implement; ``None`` skips that check.
    """
    problems: list[Problem] = []
    here = f"workflow {workflow.code}"

    def fail(message: str, where: str = here) -> None:
        problems.append(Problem(where, message))

    status_codes = [s.code for s in workflow.statuses]
    transition_codes = [t.code for t in workflow.transitions]
    for code, count in Counter(status_codes).items():
        if count > 1:
            fail(f"status {code!r} is declared {count} times")
    for code, count in Counter(transition_codes).items():
        if count > 1:
            fail(f"transition {code!r} is declared {count} times")
    if not workflow.statuses:
        fail("it declares no statuses")
        return problems
    known = set(status_codes)
    if workflow.initial not in known:
        fail(f"the initial status {workflow.initial!r} is not declared")

    for t in workflow.transitions:
        where = f"{here} transition {t.code}"
        if not t.sources:
            fail("it has no 'from' status", where)
        for source in t.sources:
            if source not in known:
                fail(f"unknown status {source!r} in 'from'", where)
        if t.target not in known:
            fail(f"unknown status {t.target!r} in 'to'", where)
        for role in sorted(t.roles.union(*t.roles_from.values()) - KNOWN_ROLES):
            fail(f"unknown role {role!r}", where)
        for source in t.roles_from:
            if source not in t.sources:
                fail(f"'roles_from' names {source!r}, which is not in 'from'", where)
        if not t.roles and not workflow.fired_by_system(t.code):
            fail("nobody can fire it: it names no role and no event rule or timer fires it", where)
        for ref in t.guards:
            if ref.name not in GUARDS:
                fail(f"unknown guard {ref.name!r}", where)
        if effects is not None:
            for ref in t.effects:
                if ref.name not in effects:
                    fail(f"unknown effect {ref.name!r}", where)

    for rule in workflow.events:
        where = f"{here} event {rule.event}"
        if rule.event not in KNOWN_EVENTS:
            fail(f"unknown event {rule.event!r} (known: {', '.join(sorted(KNOWN_EVENTS))})", where)
        if not rule.transitions:
            fail("it fires no transition", where)
        for code in rule.transitions:
            if workflow.transition(code) is None:
                fail(f"unknown transition {code!r}", where)

    for timer in workflow.timers:
        where = f"{here} timer on {timer.status}"
        transition = workflow.transition(timer.transition)
        if timer.status not in known:
            fail(f"unknown status {timer.status!r}", where)
        elif workflow.is_final(timer.status):
            fail(f"{timer.status!r} is final: nothing can move out of it", where)
        if transition is None:
            fail(f"unknown transition {timer.transition!r}", where)
        elif timer.status not in transition.sources:
            fail(f"transition {timer.transition!r} does not leave {timer.status!r}", where)
        if timer.after <= timedelta():
            fail("'after' must be longer than zero", where)
        if timer.warn_before is not None and not timedelta() < timer.warn_before < timer.after:
            fail("'warn_before' must be longer than zero and shorter than 'after'", where)
        if timer.warn and timer.warn_before is None:
            fail("'warn' needs 'warn_before'", where)
        for recipient in sorted(set(timer.warn) - RECIPIENTS):
            fail(f"unknown recipient {recipient!r} in 'warn'", where)

    for note in workflow.notifications:
        where = f"{here} notification on {note.event}"
        if note.event not in NOTIFICATION_EVENTS:
            fail(f"unknown event {note.event!r} (known: {', '.join(sorted(NOTIFICATION_EVENTS))})", where)
        if not note.recipients:
            fail("it names no recipient ('to')", where)
        for recipient in sorted(set(note.recipients) - RECIPIENTS):
            fail(f"unknown recipient {recipient!r} (known: {', '.join(sorted(RECIPIENTS))})", where)
        for channel in sorted(set(note.channels) - CHANNELS):
            fail(f"unknown channel {channel!r} (known: {', '.join(sorted(CHANNELS))})", where)
        # Rules live in the workflow whose statuses they name: item rules in the item workflow.
        for code in note.statuses:
            if code not in known:
                fail(f"unknown status {code!r}", where)

    reachable = _reachable(workflow)
    for status in workflow.statuses:
        if status.code not in reachable:
            fail(f"status {status.code!r} cannot be reached from {workflow.initial!r}")
        if not status.final and not workflow.transitions_from(status.code):
            fail(f"status {status.code!r} has no way out and is not marked final")
    return problems


def _reachable(workflow: Workflow) -> set[str]:
    seen = {workflow.initial}
    queue = deque([workflow.initial])
    while queue:
        status = queue.popleft()
        for t in workflow.transitions_from(status):
            if t.target not in seen:
                seen.add(t.target)
                queue.append(t.target)
    return seen


def preset_from_dict(data: Mapping[str, Any], effects: Collection[str] | None = None) -> Preset:
    """Build and validate a whole preset; raises ``PresetError`` listing every problem."""
    read = _Reader()
    head = data.get("preset", {})
    if not isinstance(head, dict):
        head = {}
        read.fail("preset", "the [preset] table is missing")
    code = read.text(head, "code", "preset")
    labels = read.labels(head, "preset")
    language = str(head.get("language", "en"))
    if language not in LANGUAGES:
        read.fail("preset", f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    currency = str(head.get("currency", "EUR"))
    if not re.fullmatch(r"[A-Z]{3}", currency):
        read.fail("preset", f"currency {currency!r} is not a three-letter ISO code")

    workflows: list[Workflow] = []
    sources: dict[str, Mapping[str, Any]] = {}
    problems = read.problems
    for raw in read.tables(data, "workflows", "preset"):
        workflow, shape = workflow_from_dict(raw)
        problems.extend(shape)
        problems.extend(validate(workflow, effects))
        workflows.append(workflow)
        sources[workflow.code] = raw
    for code_, count in Counter(w.code for w in workflows).items():
        if count > 1:
            read.fail("preset", f"workflow {code_!r} is declared {count} times")
    scopes = {w.code: w.scope for w in workflows}

    types = []
    raw_types = data.get("types", {})
    if not isinstance(raw_types, dict) or not raw_types:
        read.fail("preset", "[types] must map at least 'regular' to a workflow")
        raw_types = {}
    elif "regular" not in raw_types:
        read.fail("types", "every preset accepts the 'regular' order type")
    checkouts = data.get("checkout", {})
    if not isinstance(checkouts, dict):
        read.fail("preset", "[checkout] must map order types to their shop settings")
        checkouts = {}
    for type_code in checkouts:
        if type_code not in raw_types:
            read.fail(f"checkout {type_code}", "is not an order type of this preset")
    for type_code, spec in raw_types.items():
        where = f"type {type_code}"
        if not isinstance(spec, dict):
            read.fail(where, "must be a table with 'workflow'")
            continue
        order_type = OrderType(
            type_code,
            read.text(spec, "workflow", where),
            spec.get("items"),
            str(spec.get("customer", "")),
            read.duration(spec, "execution_time", where),
            bool(spec.get("delivery", True)),
            bool(spec.get("free_lines", False)),
            read.labels(spec, where) if "labels" in spec else {},
            bool(spec.get("personal_manager", False)),
            checkout_from_dict(read, checkouts[type_code], f"checkout {type_code}") if type_code in checkouts else {},
            str(spec.get("prices", "")),
        )
        if order_type.prices not in ("", "gross", "net"):
            read.fail(where, f"prices {order_type.prices!r} is not 'gross' or 'net'")
        if order_type.customer not in ("", "person", "organization"):
            read.fail(where, f"customer {order_type.customer!r} is not 'person' or 'organization'")
        if scopes.get(order_type.workflow) != "order":
            read.fail(where, f"{order_type.workflow!r} is not an order workflow of this preset")
        if order_type.item_workflow is not None and scopes.get(order_type.item_workflow) != "item":
            read.fail(where, f"{order_type.item_workflow!r} is not an item workflow of this preset")
        if order_type.checkout.get("guests") and not _tells_customer(sources.get(order_type.workflow, {})):
            read.fail(
                f"checkout {type_code}",
                "guests get their order's link by e-mail: the workflow must notify the customer of 'order_placed'",
            )
        types.append(order_type)

    channels = tuple(_channel(read, c) for c in read.tables(data, "payment_channels", "preset"))
    for code_, count in Counter(c.code for c in channels).items():
        if count > 1:
            read.fail("preset", f"payment channel {code_!r} is declared {count} times")

    tiers = tuple(_tier(read, t) for t in read.tables(data, "discount_tiers", "preset"))
    for threshold, count in Counter(t.threshold for t in tiers).items():
        if count > 1:
            read.fail("preset", f"two discount tiers start at {threshold}")

    taxes = taxes_from_dict(read, data["taxes"]) if "taxes" in data else {}

    if problems:
        raise PresetError(problems)
    return Preset(code, labels, language, currency, tuple(types), channels, tuple(workflows), sources, tiers, taxes)


def taxes_from_dict(read: _Reader, data: Any) -> dict[str, Any]:
    """The preset's ``[taxes]``: ``country`` (ISO code), ``rounding`` (``per_line`` or
    ``per_rate``), ``prices`` (``gross``: VAT included, the default; ``net``: VAT on top — a type
    may say otherwise), ``rates``, each ``{ class, rate, from }`` with ``rate = "exempt"``, and
    ``categories``: ``{ category = class }`` for products without a class of their own."""
    where = "taxes"
    if not isinstance(data, dict):
        read.fail(where, "must be a table")
        return {}
    country = str(data.get("country", "")).upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        read.fail(where, f"country {country!r} is not a two-letter country code")
    rounding = str(data.get("rounding", "per_line"))
    if rounding not in ("per_line", "per_rate"):
        read.fail(where, f"rounding {rounding!r} is not 'per_line' or 'per_rate'")
    prices = str(data.get("prices", "gross"))
    if prices not in ("gross", "net"):
        read.fail(where, f"prices {prices!r} is not 'gross' (VAT included) or 'net' (VAT on top)")
    rates = []
    for entry in read.tables(data, "rates", where):
        tax_class = read.text(entry, "class", f"{where} rate")
        raw = str(entry.get("rate", ""))
        rate: str | None = None
        if raw != "exempt":
            try:
                value = Decimal(raw)
                if not value.is_finite() or not 0 <= value < 100:
                    raise InvalidOperation
                rate = str(value)
            except InvalidOperation:
                read.fail(f"{where} {tax_class}", f"rate {raw!r} is not a percent from 0 to below 100, or 'exempt'")
        since = entry.get("from")
        if not isinstance(since, date):
            read.fail(f"{where} {tax_class}", "'from' must be a date (2024-09-01)")
            continue
        rates.append({"class": tax_class, "rate": rate, "from": since.isoformat()})
    if not any(r["class"] == "standard" for r in rates):
        read.fail(where, "a 'standard' class is required (lines without a class take it)")
    categories = data.get("categories", {})
    if not isinstance(categories, dict):
        read.fail(where, "categories must be a table of category = class")
        categories = {}
    classes = {r["class"] for r in rates}
    for category, tax_class in categories.items():
        if tax_class not in classes:
            read.fail(f"{where} categories", f"{category!r} names the class {tax_class!r}, which has no rate")
    return {
        "country": country,
        "rounding": rounding,
        "prices": prices,
        "rates": rates,
        "categories": {str(k): str(v) for k, v in categories.items()},
    }


def _tier(read: _Reader, data: Mapping[str, Any]) -> DiscountTier:
    where = f"discount tier {data.get('name', '?')}"
    name = read.text(data, "name", where)
    try:
        threshold, percent = Decimal(str(data.get("threshold"))), Decimal(str(data.get("percent")))
    except ArithmeticError:
        read.fail(where, "threshold and percent are numbers")
        return DiscountTier(name, Decimal(0), Decimal(0))
    if threshold < 0 or not 0 < percent <= 100:
        read.fail(where, "threshold is at least 0 and percent between 0 (excluded) and 100")
    return DiscountTier(name, threshold, percent)


def _channel(read: _Reader, data: Mapping[str, Any]) -> Channel:
    where = f"payment channel {data.get('code', '?')}"
    gateway = str(data.get("gateway", ""))
    if gateway not in GATEWAYS:
        read.fail(where, f"gateway {gateway!r} is not one of {', '.join(sorted(g or '(none)' for g in GATEWAYS))}")
    fees = []
    for key in ("fee_percent", "fee_fixed"):
        try:
            value = Decimal(str(data.get(key, "0")))
            if not value.is_finite() or value < 0 or (key == "fee_percent" and value >= 100):
                raise InvalidOperation
        except InvalidOperation:
            read.fail(where, f"{key!r} must be a number from 0" + (" to below 100" if key == "fee_percent" else ""))
            value = Decimal(0)
        fees.append(value)
    if gateway == "wallet" and any(fees):
        read.fail(where, "paying from the wallet charges no processing fee")
    return Channel(
        code=read.text(data, "code", "payment channel"),
        labels=read.labels(data, where),
        gateway=gateway,
        fee_percent=fees[0],
        fee_fixed=fees[1],
        fees_refundable=bool(data.get("fees_refundable", True)),
        on_delivery=bool(data.get("on_delivery", False)),
    )


def load_preset_file(path: Path, effects: Collection[str] | None = None) -> Preset:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise PresetError([Problem(path.name, f"not valid TOML: {error}")]) from error
    except OSError as error:
        raise PresetError([Problem(str(path), f"cannot be read: {error.strerror}")]) from error
    return preset_from_dict(data, effects)


def ensure_valid(workflows: Iterable[Workflow], effects: Collection[str] | None = None) -> None:
    problems = [p for w in workflows for p in validate(w, effects)]
    if problems:
        raise PresetError(problems)
