"""``/workflows``: the configured workflows, as data or as a Mermaid diagram."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status

from ordo.accounts.models import Profile, Role
from ordo.accounts.roles import actor_for, role_of
from ordo.api import schemas as s
from ordo.api.types import Id, Text
from ordo.errors import DomainError
from ordo.orders import versions
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import Workflow as WorkflowRow
from ordo.orders.permissions import Action, require
from ordo.orders.selectors import orders_visible_to
from ordo.orders.timers import forecast, planned_json
from ordo.orders.versions import workflow_timers_update
from ordo.orders.workflows import compiled
from ordo.reports.figures import Period
from ordo.workflow.diff import changes_text
from ordo.workflow.render import mermaid

router = Router(tags=["workflows"])
ERRORS = s.ERRORS


def _staff(request: HttpRequest) -> None:
    if role_of(request.user) not in (Role.ADMIN, Role.MANAGER):
        raise DomainError(OrderErrorCode.FORBIDDEN, "Only staff may read workflow definitions.")


def _summary(row: WorkflowRow, language: str) -> dict:
    workflow = compiled(row)
    return {
        "code": row.code,
        "scope": row.scope,
        "label": workflow.label(language),
        "version": row.version,
        "statuses": [{"code": st.code, "label": st.label(language)} for st in workflow.statuses],
    }


@router.put(
    "/workflows/{code}/timers", response={200: s.TimersOut, 422: s.ErrorOut, **ERRORS}, summary="Replace the timers"
)
def put_timers(request: HttpRequest, code: Text, payload: s.TimersIn):
    """Admins change the "order processing rules". The workflow is validated again; with
    ``dry_run`` nothing is saved and the answer lists what the new rules would move now."""
    timers = [t.model_dump(exclude_none=True, exclude_defaults=False) for t in payload.timers]
    for timer in timers:
        if not timer.get("warn"):
            timer.pop("warn", None)
    user = request.user if isinstance(request.user, User) else None
    row, preview = workflow_timers_update(
        code=code, timers=timers, dry_run=payload.dry_run, actor=actor_for(request.user), user=user
    )
    moves = [p for p in preview.planned if p.kind == "move"]
    return {
        "workflow": row.code,
        "version": row.version,
        "saved": not payload.dry_run,
        "would_move_now": planned_json(moves),
    }


@router.get("/timers/forecast", response={200: list[s.PlannedOut], **ERRORS}, summary="What moves in the next days")
def timers_forecast(request: HttpRequest, days: int = Query(7, ge=0, le=366)):
    """Every order that will move or be warned about in the next ``days`` days, soonest first."""
    _staff(request)
    return planned_json(forecast(days=days, within=orders_visible_to(request.user)))


@router.get("/workflows", response={200: list[s.WorkflowSummary], **ERRORS}, summary="List workflows")
def list_workflows(request: HttpRequest):
    _staff(request)
    language = getattr(request, "LANGUAGE_CODE", "en")
    return [
        _summary(row, language) for row in WorkflowRow.objects.filter(current=True).defer("definition").order_by("code")
    ]


@router.get(
    "/workflows/{code}",
    response={200: s.WorkflowOut, **ERRORS},
    summary="Fetch a workflow",
    openapi_extra={"responses": {200: {"content": {"text/vnd.mermaid": {"schema": {"type": "string"}}}}}},
)
def get_workflow(
    request: HttpRequest, code: Text, format: Literal["json", "mermaid"] = "json", employee: Id | None = None
):
    """``?format=mermaid`` answers with a Mermaid ``stateDiagram-v2`` (``text/vnd.mermaid``);
    ``&employee=ID`` cuts it to the statuses that employee may move orders into."""
    _staff(request)
    row = WorkflowRow.objects.filter(code=code, current=True).first()
    if row is None:
        raise DomainError(OrderErrorCode.NOT_FOUND, f"Workflow {code!r} not found.")
    language = getattr(request, "LANGUAGE_CODE", "en")
    if format == "mermaid":
        only = None
        if employee is not None:
            profile = Profile.objects.filter(user_id=employee).first()
            if profile is None:
                raise DomainError(OrderErrorCode.NOT_FOUND, f"Employee {employee} not found.")
            only = frozenset(profile.allowed_statuses) or None
        drawn = mermaid(compiled(row), language, only)
        return HttpResponse(drawn, content_type="text/vnd.mermaid; charset=utf-8")
    return {**_summary(row, language), "definition": row.definition}


# -- versions and drafts (admins) -------------------------------------------------------------------


def _version(row: WorkflowRow, *, definition: bool = False) -> dict[str, Any]:
    found = {
        "version": row.version,
        "current": row.current,
        "published_at": row.published_at,
        "published_by": row.published_by.username if row.published_by else None,
        "note": row.note,
        "changes": changes_text(versions.version_changes(row)),
    }
    return {**found, "definition": row.definition} if definition else found


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _draft(view: versions.DraftView) -> dict[str, Any]:
    draft = view.draft
    return {
        "code": draft.code,
        "base_version": draft.base_version,
        "definition": draft.definition,
        "problems": view.problems,
        "changes": changes_text(view.changes),
        "in_use": view.in_use,
        "updated_at": draft.updated_at,
        "updated_by": draft.updated_by.username if draft.updated_by else None,
    }


def _configure(request: HttpRequest) -> None:
    require(actor_for(request.user), Action.CONFIGURE)


@router.get("/workflows/{code}/versions", response={200: list[s.VersionOut], **ERRORS}, summary="Published versions")
def list_versions(request: HttpRequest, code: Text):
    """Every published version, newest first: who published it, when, why, and what it changed."""
    _configure(request)
    return [_version(row) for row in versions.versions_of(code)]


@router.get("/workflows/{code}/versions/{version}", response={200: s.VersionFull, **ERRORS}, summary="One version")
def get_version(request: HttpRequest, code: Text, version: int):
    _configure(request)
    return _version(versions.version_get(code, version), definition=True)


@router.get("/workflows/{code}/draft", response={200: s.DraftOut, **ERRORS}, summary="The draft")
def get_draft(request: HttpRequest, code: Text):
    """The workflow's draft with its problems and what it changes; one is started from the
    current version where there is none (it changes nothing until published)."""
    _configure(request)
    draft = versions.draft_open(code=code, actor=actor_for(request.user), user=_user(request))
    return _draft(versions.draft_view(draft))


@router.put("/workflows/{code}/draft", response={200: s.DraftOut, **ERRORS}, summary="Save the draft")
def put_draft(request: HttpRequest, code: Text, payload: s.DraftIn):
    """Kept even with problems (they are listed); publishing refuses it until there are none."""
    _configure(request)
    view = versions.draft_save(
        code=code, definition=payload.definition, actor=actor_for(request.user), user=_user(request)
    )
    return _draft(view)


@router.delete("/workflows/{code}/draft", response={204: None, **ERRORS}, summary="Discard the draft")
def delete_draft(request: HttpRequest, code: Text):
    versions.draft_discard(code=code, actor=actor_for(request.user))
    return Status(204, None)


@router.post(
    "/workflows/{code}/draft/publish",
    response={200: s.PublishOut, 409: s.ErrorOut, 422: s.ErrorOut, **ERRORS},
    summary="Publish the draft",
)
def publish_draft(request: HttpRequest, code: Text, payload: s.PublishIn):
    """Publish the draft as the next version; new orders start on it. With ``move``, the open
    orders of older versions move onto it (a history row each); a status it removes that orders
    are in needs ``mapping`` (409 ``status_in_use`` names each with its count)."""
    published = versions.publish(
        code=code,
        actor=actor_for(request.user),
        user=_user(request),
        note=payload.note,
        move=payload.move,
        mapping=payload.mapping,
    )
    return {
        "version": published.workflow.version,
        "moved": published.moved,
        "remapped": published.remapped,
        "changes": changes_text(published.changes),
    }


@router.post(
    "/workflows/{code}/draft/replay", response={200: s.ReplayOut, 422: s.ErrorOut, **ERRORS}, summary="Try the draft"
)
def replay_draft(request: HttpRequest, code: Text, payload: s.ReplayIn):
    """Replay the orders placed from ``start`` to ``end`` (days, in the server's time zone) through
    the draft: steps it would refuse, orders in statuses it removes, timers that would move."""
    _configure(request)
    draft = versions.draft_open(code=code, actor=actor_for(request.user), user=_user(request))
    if payload.end < payload.start:
        raise DomainError(OrderErrorCode.INVALID_PERIOD, "The period ends before it starts.")
    start, after = Period(payload.start, payload.end).bounds(timezone.get_current_timezone())
    found = versions.replay(code=code, definition=draft.definition, start=start, end=after)
    return {
        "orders": found.orders,
        "refused": [asdict(r) for r in found.refused],
        "removed": [{"number": n, "status": st} for n, st in found.removed],
        "timers": [asdict(t) for t in found.timers],
    }
