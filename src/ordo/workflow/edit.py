"""Editing a workflow definition from forms: each function takes the definition (the plain data a
preset declares) and what one form sent (field name → list of values, as a browser posts it) and
returns the edited definition. Pure: no Django; nothing is checked here beyond the form's shape —
the edited definition goes through ``loader.validate`` like any other, and every problem is shown.

Rows of a table form are numbered: ``status-0-code``, ``status-0-final``…, with ``status-count``.
Keys the forms do not know (a definition's notifications, a transition's future settings) are kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from copy import deepcopy
from typing import Any

from ordo.workflow.definition import KNOWN_ROLES, SYSTEM_ROLE

Form = Mapping[str, Sequence[str]]
LANGUAGES = ("en", "ru", "pl", "fi")

#: The parameters each guard and effect takes, and their kind: a box to tick, a word, or a list
#: written with commas. Those not named take none.
PARAMS: dict[str, dict[str, str]] = {
    "materials_in_stock": {"catalog_only": "bool"},
    "materials_short": {"catalog_only": "bool"},
    "issue_documents": {"kinds": "list"},
    "start_items": {"transition": "text"},
}
#: Roles a person may hold (the system's timers and rules fire what no role lists).
ROLES = tuple(sorted(KNOWN_ROLES - {SYSTEM_ROLE}))


def _one(form: Form, name: str, default: str = "") -> str:
    values = form.get(name) or []
    return str(values[-1]).strip() if values else default


def _many(form: Form, name: str) -> list[str]:
    return [str(v).strip() for v in form.get(name) or [] if str(v).strip()]


def _count(form: Form, prefix: str) -> int:
    try:
        return max(0, min(int(_one(form, f"{prefix}-count", "0")), 500))
    except ValueError:
        return 0


def _labels(form: Form, prefix: str, kept: Mapping[str, str] | None = None) -> dict[str, str]:
    labels = dict(kept or {})
    for language in LANGUAGES:
        text = _one(form, f"{prefix}-label-{language}")
        if text:
            labels[language] = text
        else:
            labels.pop(language, None)
    return labels


def _rename(definition: dict[str, Any], old: str, new: str) -> None:
    """A status renamed: every transition, timer and rule that names it follows."""
    for transition in definition.get("transitions") or []:
        transition["from"] = [new if s == old else s for s in transition.get("from") or []]
        if transition.get("to") == old:
            transition["to"] = new
        roles_from = transition.get("roles_from")
        if isinstance(roles_from, dict) and old in roles_from:
            roles_from[new] = roles_from.pop(old)
    for timer in definition.get("timers") or []:
        if timer.get("status") == old:
            timer["status"] = new
    if definition.get("initial") == old:
        definition["initial"] = new


def statuses_edit(definition: Mapping[str, Any], form: Form) -> dict[str, Any]:
    """The statuses table: codes (a new row names its own; an existing one may be renamed), labels,
    final, editable, colour; a row marked ``delete`` goes."""
    edited = deepcopy(dict(definition))
    before = {s.get("code"): s for s in edited.get("statuses") or []}
    statuses = []
    for i in range(_count(form, "status")):
        row = f"status-{i}"
        original = _one(form, f"{row}-original")
        code = _one(form, f"{row}-code")
        if not code and not original:
            continue  # the empty row for a new status, left empty
        if _one(form, f"{row}-delete"):
            continue
        status = dict(before.get(original, {}))
        code = code or original
        if original and code != original:
            _rename(edited, original, code)
        status["code"] = code
        status["labels"] = _labels(form, row, status.get("labels"))
        for flag in ("final", "editable"):
            if _one(form, f"{row}-{flag}"):
                status[flag] = True
            else:
                status.pop(flag, None)
        colour = _one(form, f"{row}-colour").lower()
        if colour and colour != _one(form, "status-default-colour").lower():
            status["colour"] = colour
        else:
            status.pop("colour", None)
        statuses.append(status)
    edited["statuses"] = statuses
    return edited


def _refs(form: Form, kind: str, kept: Sequence[Any]) -> list[Any]:
    """Guards or effects ticked in the form, each with its parameters; one written as a bare name
    stays a bare name."""
    found: list[Any] = []
    for name in _many(form, kind):
        params: dict[str, Any] = {}
        for param, shape in PARAMS.get(name, {}).items():
            raw = _one(form, f"{kind}-{name}-{param}")
            if shape == "bool":
                if raw:
                    params[param] = True
            elif shape == "list":
                items = [v.strip() for v in raw.split(",") if v.strip()]
                if items:
                    params[param] = items
            elif raw:
                params[param] = raw
        found.append({"name": name, **params} if params else name)
    return found


def transition_edit(definition: Mapping[str, Any], code: str, form: Form) -> dict[str, Any]:
    """One transition's form: labels, from, to, roles and the narrower roles of some sources,
    guards and effects with their parameters, comment required, dangerous. ``code`` "" adds one
    with the code the form names."""
    edited = deepcopy(dict(definition))
    transitions = edited.setdefault("transitions", [])
    found = next((t for t in transitions if t.get("code") == code), None) if code else None
    if found is None:
        found = {"code": _one(form, "code")}
        transitions.append(found)
    found["labels"] = _labels(form, "transition", found.get("labels"))
    found["from"] = _many(form, "from")
    found["to"] = _one(form, "to")
    found["roles"] = [r for r in _many(form, "roles") if r in ROLES]
    roles_from = {
        source: [r for r in _many(form, f"roles_from-{source}") if r in ROLES]
        for source in found["from"]
        if _many(form, f"roles_from-{source}")
    }
    if roles_from:
        found["roles_from"] = roles_from
    else:
        found.pop("roles_from", None)
    for kind in ("guards", "effects"):
        refs = _refs(form, kind, found.get(kind) or [])
        if refs:
            found[kind] = refs
        else:
            found.pop(kind, None)
    for flag in ("comment_required", "dangerous"):
        if _one(form, flag):
            found[flag] = True
        else:
            found.pop(flag, None)
    return edited


def transition_delete(definition: Mapping[str, Any], code: str) -> dict[str, Any]:
    """Drop a transition; the event rules and timers that fired it lose it (and are listed as
    problems where nothing is left for them to fire)."""
    edited = deepcopy(dict(definition))
    edited["transitions"] = [t for t in edited.get("transitions") or [] if t.get("code") != code]
    for rule in edited.get("events") or []:
        fire = rule.get("fire")
        if isinstance(fire, list):
            rule["fire"] = [c for c in fire if c != code]
    return edited


def events_edit(definition: Mapping[str, Any], form: Form) -> dict[str, Any]:
    """The event rules table: on this event, fire the first of these transitions that may fire."""
    edited = deepcopy(dict(definition))
    rules = []
    for i in range(_count(form, "event")):
        row = f"event-{i}"
        on = _one(form, f"{row}-on")
        fire = _many(form, f"{row}-fire")
        if _one(form, f"{row}-delete") or not (on or fire):
            continue
        rules.append({"on": on, "fire": fire})
    if rules:
        edited["events"] = rules
    else:
        edited.pop("events", None)
    return edited


def timers_edit(definition: Mapping[str, Any], form: Form) -> dict[str, Any]:
    """The timers table: in this status for this long, fire this transition; warn these people
    this long before. A duration is written ``3d``, ``24h``, ``1w2d``."""
    edited = deepcopy(dict(definition))
    timers = []
    for i in range(_count(form, "timer")):
        row = f"timer-{i}"
        status, after, fire = _one(form, f"{row}-status"), _one(form, f"{row}-after"), _one(form, f"{row}-fire")
        if _one(form, f"{row}-delete") or not (status or after or fire):
            continue
        timer: dict[str, Any] = {"status": status, "after": after, "fire": fire}
        warn_before, warn = _one(form, f"{row}-warn_before"), _many(form, f"{row}-warn")
        if warn_before:
            timer["warn_before"] = warn_before
        if warn:
            timer["warn"] = warn
        timers.append(timer)
    if timers:
        edited["timers"] = timers
    else:
        edited.pop("timers", None)
    return edited


def workflow_labels_edit(definition: Mapping[str, Any], form: Form) -> dict[str, Any]:
    edited = deepcopy(dict(definition))
    edited["labels"] = _labels(form, "workflow", edited.get("labels"))
    return edited
