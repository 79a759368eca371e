"""What changed between two workflow definitions (the plain data a preset declares), as a list of
changes a person reads: a status, transition, timer, event rule or notification added, removed or
changed, with the fields that changed. Pure: used to show a published version beside the one before
it and a draft beside the version it would replace."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

What = Literal["workflow", "status", "transition", "event", "timer", "notification"]


@dataclass(frozen=True)
class Change:
    kind: Literal["added", "removed", "changed"]
    what: What
    #: The status or transition code; a timer's ``status → fire``; an event rule's ``on``.
    key: str
    #: The fields that changed (empty for an added or removed one).
    fields: tuple[str, ...] = ()

    def __str__(self) -> str:
        changed = f" ({', '.join(self.fields)})" if self.fields else ""
        return f"{self.what} {self.key} {self.kind}{changed}"


#: How each list's entries are told apart between versions.
_KEYS: dict[str, tuple[What, Any]] = {
    "statuses": ("status", lambda e: str(e.get("code", ""))),
    "transitions": ("transition", lambda e: str(e.get("code", ""))),
    "timers": ("timer", lambda e: f"{e.get('status', '')} → {e.get('fire', '')}"),
    "events": ("event", lambda e: f"{e.get('on', '')} → {', '.join(_as_list(e.get('fire')))}"),
    "notifications": ("notification", lambda e: f"{e.get('event', '')} → {', '.join(_as_list(e.get('to')))}"),
}


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)] if value not in (None, "") else []


def _entries(definition: Mapping[str, Any], name: str) -> dict[str, Mapping[str, Any]]:
    key = _KEYS[name][1]
    found: dict[str, Mapping[str, Any]] = {}
    for entry in definition.get(name) or []:
        if isinstance(entry, Mapping):
            base = key(entry)
            # Two entries with one key (two timers on a status firing one transition) stay apart.
            n, unique = 1, base
            while unique in found:
                n += 1
                unique = f"{base} #{n}"
            found[unique] = entry
    return found


def _fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k)))


def definition_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    """Every change from ``old`` to ``new``: the workflow's own fields first, then statuses,
    transitions, event rules, timers and notifications, each in the new definition's order (removed
    ones after, in the old order)."""
    changes: list[Change] = []
    own = _fields({k: v for k, v in old.items() if k not in _KEYS}, {k: v for k, v in new.items() if k not in _KEYS})
    if own:
        changes.append(Change("changed", "workflow", str(new.get("code", old.get("code", ""))), own))
    for name, (what, _) in _KEYS.items():
        before, after = _entries(old, name), _entries(new, name)
        for key, entry in after.items():
            if key not in before:
                changes.append(Change("added", what, key))
            elif fields := _fields(before[key], entry):
                changes.append(Change("changed", what, key, fields))
        changes += [Change("removed", what, key) for key in before if key not in after]
    return changes


def removed_statuses(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Status codes ``old`` has and ``new`` has not, in ``old``'s order."""
    kept = set(_entries(new, "statuses"))
    return [code for code in _entries(old, "statuses") if code not in kept]


def changes_text(changes: Sequence[Change]) -> list[str]:
    return [str(c) for c in changes]
