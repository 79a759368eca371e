"""Workflow definitions as immutable data.

A workflow is statuses + transitions + event rules + timers. Definitions come from preset files
(see ``loader``) and are never mutated: an edited workflow is a new ``Workflow`` value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

Scope = Literal["order", "item"]

#: The role of automatic actors: timers, gateways, event rules, the worker.
SYSTEM_ROLE = "system"

#: Roles a preset may name on a transition.
KNOWN_ROLES = frozenset({"admin", "manager", "contractor", "courier", "customer", SYSTEM_ROLE})


def label_for(labels: Mapping[str, str], language: str, fallback: str) -> str:
    """The label in ``language`` (``ru`` also matches ``ru-RU``), else English, else ``fallback``."""
    base = language.split("-")[0].lower() if language else ""
    return labels.get(base) or labels.get("en") or fallback


@dataclass(frozen=True)
class Status:
    code: str
    labels: Mapping[str, str] = field(default_factory=dict)
    final: bool = False
    #: Customers (and staff) may still change the items of an order in this status.
    editable: bool = False
    #: ``#rrggbb`` the pages and diagrams draw the status in ("": the default).
    colour: str = ""

    def label(self, language: str = "en") -> str:
        return label_for(self.labels, language, self.code)


@dataclass(frozen=True)
class Ref:
    """A named guard or effect with its parameters, as a preset writes it."""

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Transition:
    code: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str] = frozenset()
    guards: tuple[Ref, ...] = ()
    effects: tuple[Ref, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    #: Narrower roles for some sources: furniture's customer may cancel only before payment.
    roles_from: Mapping[str, frozenset[str]] = field(default_factory=dict)
    comment_required: bool = False
    #: Hard to undo (cancel, refund): pages style it apart and ask to confirm.
    dangerous: bool = False

    def label(self, language: str = "en") -> str:
        return label_for(self.labels, language, self.code)

    def roles_for(self, source: str) -> frozenset[str]:
        return self.roles_from.get(source, self.roles)


@dataclass(frozen=True)
class EventRule:
    """When ``event`` happens, try ``transitions`` in order; the first one that may fire, fires."""

    event: str
    transitions: tuple[str, ...]


@dataclass(frozen=True)
class Timer:
    """In ``status`` for ``after`` → fire ``transition``; warn ``warn`` recipients ``warn_before`` earlier."""

    status: str
    after: timedelta
    transition: str
    warn_before: timedelta | None = None
    warn: tuple[str, ...] = ()


#: Who a notification rule may address, and over which channels.
RECIPIENTS = frozenset({"customer", "manager", "admins", "contractor", "courier"})
CHANNELS = frozenset({"email", "sms"})
#: What notification rules may listen to.
NOTIFICATION_EVENTS = frozenset(
    {
        "order_placed",
        "status_changed",
        "payment_changed",
        "item_status_changed",
        "courier_assigned",
        "timer_warning",
        "archive_ready",
        "stock_checked",
    }
)


@dataclass(frozen=True)
class NotificationRule:
    """``event`` → ``recipients`` over ``channels``, after ``delay``; ``statuses`` narrows a status
    event to changes into those statuses (of the item workflow for item events)."""

    event: str
    recipients: tuple[str, ...]
    channels: tuple[str, ...] = ("email",)
    statuses: tuple[str, ...] = ()
    delay: timedelta = timedelta()

    def matches(self, event: str, status: str | None = None) -> bool:
        return self.event == event and (not self.statuses or status in self.statuses)


@dataclass(frozen=True)
class Workflow:
    code: str
    statuses: tuple[Status, ...]
    transitions: tuple[Transition, ...]
    scope: Scope = "order"
    initial: str = ""
    events: tuple[EventRule, ...] = ()
    timers: tuple[Timer, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    notifications: tuple[NotificationRule, ...] = ()

    def __post_init__(self) -> None:
        if not self.initial and self.statuses:
            object.__setattr__(self, "initial", self.statuses[0].code)
        # Lookup tables; duplicates are reported by validate(), the last one wins here.
        object.__setattr__(self, "_status_by_code", {s.code: s for s in self.statuses})
        object.__setattr__(self, "_transition_by_code", {t.code: t for t in self.transitions})
        system = {t for rule in self.events for t in rule.transitions} | {t.transition for t in self.timers}
        object.__setattr__(self, "_system_fired", frozenset(system))

    def label(self, language: str = "en") -> str:
        return label_for(self.labels, language, self.code)

    def status(self, code: str) -> Status | None:
        found: Status | None = self._status_by_code.get(code)  # type: ignore[attr-defined]
        return found

    def transition(self, code: str) -> Transition | None:
        found: Transition | None = self._transition_by_code.get(code)  # type: ignore[attr-defined]
        return found

    def is_final(self, status: str) -> bool:
        found = self.status(status)
        return found is not None and found.final

    def fired_by_system(self, transition: str) -> bool:
        """Event rules and timers may fire a transition whatever roles it lists for people."""
        return transition in self._system_fired  # type: ignore[attr-defined]

    def transitions_from(self, status: str) -> tuple[Transition, ...]:
        return tuple(t for t in self.transitions if status in t.sources)

    def rules_for(self, event: str) -> tuple[EventRule, ...]:
        return tuple(rule for rule in self.events if rule.event == event)

    def notifications_for(self, event: str, status: str | None = None) -> tuple[NotificationRule, ...]:
        return tuple(rule for rule in self.notifications if rule.matches(event, status))
