"""Decisions: may this actor fire this transition on this order, and what happens if so.

The engine has no side effects. ``decide`` returns a ``Decision`` naming the effects the services
must carry out, or a ``Refusal`` saying why not, checked in the order the API promises:
the status first (409), then the actor (403), then every guard (422).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ordo.workflow.definition import Ref, Transition, Workflow
from ordo.workflow.guards import GuardResult, check
from ordo.workflow.snapshot import Actor, Snapshot


class RefusalCode(StrEnum):
    UNKNOWN_TRANSITION = "unknown_transition"
    STATUS_CHANGED = "status_changed"
    WRONG_STATUS = "wrong_status"
    FORBIDDEN = "forbidden"
    GUARDS_FAILED = "guards_failed"


@dataclass(frozen=True)
class Decision:
    transition: Transition
    source: str
    target: str

    @property
    def effects(self) -> tuple[Ref, ...]:
        return self.transition.effects


@dataclass(frozen=True)
class Refusal:
    code: RefusalCode
    message: str
    failed_guards: tuple[GuardResult, ...] = ()


@dataclass(frozen=True)
class Option:
    """A transition the actor may fire from the current status; blocked while a guard fails."""

    transition: Transition
    failed_guards: tuple[GuardResult, ...] = ()

    @property
    def enabled(self) -> bool:
        return not self.failed_guards


def may_fire(workflow: Workflow, transition: Transition, actor: Actor, source: str) -> bool:
    if actor.is_system and workflow.fired_by_system(transition.code):
        return True
    if actor.allowed_statuses is not None and transition.target not in actor.allowed_statuses:
        return False
    return actor.role in transition.roles_for(source)


def failed_guards(transition: Transition, snapshot: Snapshot) -> tuple[GuardResult, ...]:
    results = (check(ref.name, snapshot, ref.params) for ref in transition.guards)
    return tuple(result for result in results if not result.ok)


COMMENT_REQUIRED = GuardResult(False, "comment_required", "This transition needs a comment.")


def decide(
    workflow: Workflow,
    snapshot: Snapshot,
    code: str,
    actor: Actor,
    expected_status: str | None = None,
    comment: str = "",
) -> Decision | Refusal:
    transition = workflow.transition(code)
    if transition is None:
        return Refusal(RefusalCode.UNKNOWN_TRANSITION, f"Workflow {workflow.code!r} has no transition {code!r}.")
    if expected_status is not None and snapshot.status != expected_status:
        return Refusal(
            RefusalCode.STATUS_CHANGED,
            f"The status is {snapshot.status!r}, not {expected_status!r}: someone moved it first.",
        )
    if snapshot.status not in transition.sources:
        return Refusal(
            RefusalCode.WRONG_STATUS,
            f"{code!r} cannot be fired from status {snapshot.status!r}.",
        )
    if not may_fire(workflow, transition, actor, snapshot.status):
        return Refusal(RefusalCode.FORBIDDEN, f"The role {actor.role!r} may not fire {code!r}.")
    failed = failed_guards(transition, snapshot)
    if transition.comment_required and not comment.strip():
        failed += (COMMENT_REQUIRED,)
    if failed:
        return Refusal(RefusalCode.GUARDS_FAILED, "; ".join(g.message for g in failed), failed)
    return Decision(transition=transition, source=snapshot.status, target=transition.target)


def available(workflow: Workflow, snapshot: Snapshot, actor: Actor) -> list[Option]:
    """Transitions the actor may fire from the current status, each with the guards that fail now."""
    return [
        Option(transition, failed_guards(transition, snapshot))
        for transition in workflow.transitions_from(snapshot.status)
        if may_fire(workflow, transition, actor, snapshot.status)
    ]


def first_for_event(workflow: Workflow, snapshot: Snapshot, event: str, actor: Actor) -> Decision | None:
    """The decision for an event: the first transition of a matching rule that may fire now."""
    for rule in workflow.rules_for(event):
        for code in rule.transitions:
            decision = decide(workflow, snapshot, code, actor)
            if isinstance(decision, Decision):
                return decision
    return None
