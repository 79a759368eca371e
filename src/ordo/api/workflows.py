"""``/workflows``: the configured workflows, as data or as a Mermaid diagram."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from ordo.accounts.models import Profile, Role
from ordo.accounts.roles import role_of
from ordo.api import schemas as s
from ordo.api.types import Id, Text
from ordo.errors import DomainError
from ordo.orders.errors import OrderErrorCode
from ordo.orders.models import Workflow as WorkflowRow
from ordo.orders.selectors import orders_visible_to
from ordo.orders.timers import forecast, planned_json
from ordo.orders.workflows import compiled, workflow_timers_update
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
    if role_of(request.user) != Role.ADMIN:
        raise DomainError(OrderErrorCode.FORBIDDEN, "Only admins may change timers.")
    timers = [t.model_dump(exclude_none=True, exclude_defaults=False) for t in payload.timers]
    for timer in timers:
        if not timer.get("warn"):
            timer.pop("warn", None)
    row, preview = workflow_timers_update(code=code, timers=timers, dry_run=payload.dry_run)
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
    return [_summary(row, language) for row in WorkflowRow.objects.defer("definition").order_by("code")]


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
    row = WorkflowRow.objects.filter(code=code).first()
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
