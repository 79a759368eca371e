"""Admins configure the business in the desk: the workflow editor (a draft edited as forms, the
diagram redrawn and every problem listed at each save, tried on real orders, published as the next
version), the versions with what each changed, the message templates, and the business's settings.

Every page asks the one permission rule (``Action.CONFIGURE``); every write is one service call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict
from datetime import date
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ordo.accounts.roles import actor_for, role_of
from ordo.business.details import FIELDS, LOGO_MAX_BYTES, business, defaults
from ordo.business.models import Setting
from ordo.configuration import business_changes, business_update, config_export, config_import
from ordo.desk.diagrams import workflow_svg
from ordo.errors import DomainError
from ordo.notifications import wording
from ordo.notifications.models import TemplateOverride
from ordo.orders import versions
from ordo.orders.effects import EFFECTS
from ordo.orders.models import Workflow as WorkflowRow
from ordo.orders.permissions import Action, may
from ordo.orders.selectors import orders_visible_to
from ordo.orders.workflows import compiled
from ordo.reports.figures import Period
from ordo.web import labels
from ordo.web.labels import error_message
from ordo.web.pages import STAFF, for_roles, is_htmx, language
from ordo.workflow import edit
from ordo.workflow.definition import RECIPIENTS, label_for
from ordo.workflow.guards import GUARDS
from ordo.workflow.loader import KNOWN_EVENTS, workflow_from_dict

#: The colour a status without one of its own is drawn in (what the colour input shows for it).
DEFAULT_COLOUR = "#ffffff"


def configures(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Admins' pages: the one permission rule decides, a refusal is the forbidden page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not may(role_of(request.user), Action.CONFIGURE):
            return render(request, "web/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return for_roles(*STAFF)(wrapped)


def _user(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def _refused(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, f"{error_message(str(error.code), error.message, error.details)} {error.message}")


# -- the workflow editor ---------------------------------------------------------------------------


def _by_label(codes: Iterable[str], names: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(code, name)`` pairs for a select, by their names in the page's language."""
    return sorted(((code, str(names.get(code, code))) for code in codes), key=lambda pair: pair[1])


def _refs_named(registered: Iterable[str], names: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Guards or effects as the editor lists them: by their names in the page's language, each
    with its code and its parameters (``edit.PARAMS``), named too."""
    refs = [
        {
            "code": code,
            "name": str(names.get(code, code)),
            "params": [
                (param, shape, str(labels.PARAM_NAME.get(param, param)))
                for param, shape in edit.PARAMS.get(code, {}).items()
            ],
        }
        for code in registered
    ]
    return sorted(refs, key=lambda ref: ref["name"])


def _ref_map(refs: list[Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for ref in refs or []:
        if isinstance(ref, str):
            found[ref] = {}
        elif isinstance(ref, dict) and "name" in ref:
            found[str(ref["name"])] = {
                k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in ref.items() if k != "name"
            }
    return found


def _editor(view: versions.DraftView, lang: str) -> dict[str, Any]:
    """Everything the editor draws: the draft as form rows, the choices, problems and diagram."""
    draft = view.draft
    definition = draft.definition
    statuses = [s for s in definition.get("statuses") or [] if isinstance(s, dict)]
    transitions = [t for t in definition.get("transitions") or [] if isinstance(t, dict)]
    status_names = [
        (str(s.get("code", "")), label_for(s.get("labels") or {}, lang, str(s.get("code", "")))) for s in statuses
    ]
    flow, _problems = workflow_from_dict(definition)
    fills = {s.code: s.colour for s in flow.statuses if s.colour}
    try:
        svg = workflow_svg(flow, lang, fills=fills)
    except (KeyError, ValueError, TypeError):
        svg = ""
    current = versions.current_version(draft.code)
    kept = {s.code for s in flow.statuses}
    return {
        "code": draft.code,
        "scope": draft.scope,
        "draft": draft,
        "current": current,
        "workflow_label": label_for(definition.get("labels") or {}, lang, draft.code),
        "workflow_labels": definition.get("labels") or {},
        "problems": view.problems,
        "changes": [str(c) for c in view.changes],
        "in_use": [
            {"code": code, "count": count, "choices": [pair for pair in status_names if pair[0] in kept]}
            for code, count in sorted(view.in_use.items())
        ],
        "svg": svg,
        "label_languages": edit.LANGUAGES,
        "statuses": [
            {
                "code": s.get("code", ""),
                "labels": s.get("labels") or {},
                "final": bool(s.get("final")),
                "editable": bool(s.get("editable")),
                "colour": s.get("colour") or DEFAULT_COLOUR,
            }
            for s in statuses
        ],
        "status_names": status_names,
        "default_colour": DEFAULT_COLOUR,
        "transitions": [
            {
                "code": t.get("code", ""),
                "label": label_for(t.get("labels") or {}, lang, str(t.get("code", ""))),
                "labels": t.get("labels") or {},
                "from": list(t.get("from") or []),
                "to": t.get("to", ""),
                "roles": list(t.get("roles") or []),
                "roles_from": dict(t.get("roles_from") or {}),
                "guards": _ref_map(t.get("guards") or []),
                "effects": _ref_map(t.get("effects") or []),
                "comment_required": bool(t.get("comment_required")),
                "dangerous": bool(t.get("dangerous")),
            }
            for t in transitions
        ],
        "transition_names": [
            (str(t.get("code", "")), label_for(t.get("labels") or {}, lang, str(t.get("code", ""))))
            for t in transitions
        ],
        "roles": [(r, str(labels.ROLE.get(r, r))) for r in edit.ROLES],
        "status_label": dict(status_names),
        "guards": _refs_named(GUARDS, labels.GUARD_NAME),
        "effects": _refs_named(EFFECTS, labels.EFFECT_NAME),
        "events": _by_label(KNOWN_EVENTS, labels.RULE_EVENT),
        "recipients": [(r, str(labels.RECIPIENT.get(r, r))) for r in sorted(RECIPIENTS)],
        "event_rules": [
            {"on": e.get("on", ""), "fire": list(e.get("fire") or [])}
            for e in definition.get("events") or []
            if isinstance(e, dict)
        ],
        "timers": [
            {
                "status": t.get("status", ""),
                "after": t.get("after", ""),
                "fire": t.get("fire", ""),
                "warn_before": t.get("warn_before", ""),
                "warn": list(t.get("warn") or []),
            }
            for t in definition.get("timers") or []
            if isinstance(t, dict)
        ],
        "today": timezone.localdate(),
        "month_ago": timezone.localdate().replace(day=1),
    }


def _editor_page(request: HttpRequest, code: str, *, partial: bool = False) -> HttpResponse:
    draft = versions.draft_open(code=code, actor=actor_for(request.user), user=_user(request))
    context = _editor(versions.draft_view(draft), language())
    if partial:
        return render(request, "desk/_workflow_editor.html", {**context, "partial": True})
    return render(request, "desk/workflow_edit.html", {**context, "title": _("Edit the workflow"), "nav": "workflows"})


@configures
def workflow_editor(request: HttpRequest, code: str) -> HttpResponse:
    try:
        return _editor_page(request, code)
    except DomainError as error:
        _refused(request, error)
        return redirect("desk:workflows")


SECTIONS: dict[str, Callable[[dict[str, Any], edit.Form, str], dict[str, Any]]] = {
    "names": lambda d, f, _c: edit.workflow_labels_edit(d, f),
    "statuses": lambda d, f, _c: edit.statuses_edit(d, f),
    "transition": lambda d, f, c: edit.transition_edit(d, c, f),
    "transition_add": lambda d, f, _c: edit.transition_edit(d, "", f),
    "transition_delete": lambda d, _f, c: edit.transition_delete(d, c),
    "events": lambda d, f, _c: edit.events_edit(d, f),
    "timers": lambda d, f, _c: edit.timers_edit(d, f),
}


@require_POST
@configures
def workflow_editor_save(request: HttpRequest, code: str) -> HttpResponse:
    """One section of the editor saved into the draft; the editor comes back redrawn with the
    draft's problems (kept even with problems: they are fixed one by one)."""
    section = request.POST.get("section", "")
    if section not in SECTIONS:
        messages.error(request, _("Unknown part of the editor."))
        return redirect("desk:workflow-edit", code=code)
    form = {key: request.POST.getlist(key) for key in request.POST}
    try:
        draft = versions.draft_open(code=code, actor=actor_for(request.user), user=_user(request))
        edited = SECTIONS[section](draft.definition, form, request.POST.get("transition", ""))
        versions.draft_save(code=code, definition=edited, actor=actor_for(request.user), user=_user(request))
    except DomainError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Saved in the draft."))
    if is_htmx(request):
        return _editor_page(request, code, partial=True)
    return redirect(reverse("desk:workflow-edit", kwargs={"code": code}) + f"#{section}")


@require_POST
@configures
def workflow_publish(request: HttpRequest, code: str) -> HttpResponse:
    mapping = {
        key.removeprefix("map-"): str(value) for key, value in request.POST.items() if key.startswith("map-") and value
    }
    try:
        published = versions.publish(
            code=code,
            actor=actor_for(request.user),
            user=_user(request),
            note=request.POST.get("note", "").strip(),
            move=bool(request.POST.get("move")),
            mapping=mapping,
        )
    except DomainError as error:
        _refused(request, error)
        return redirect("desk:workflow-edit", code=code)
    text = _("Version %(version)s published.") % {"version": published.workflow.version}
    if published.moved:
        text += " " + _("%(count)s open order(s) moved onto it.") % {"count": published.moved}
    messages.success(request, text)
    return redirect("desk:workflow-versions", code=code)


@require_POST
@configures
def workflow_discard(request: HttpRequest, code: str) -> HttpResponse:
    versions.draft_discard(code=code, actor=actor_for(request.user))
    messages.success(request, _("The draft is discarded; the editor starts again from the current version."))
    return redirect("desk:workflow-edit", code=code)


@configures
def workflow_replay(request: HttpRequest, code: str) -> HttpResponse:
    """The draft tried on the orders placed in a period: what would differ."""
    lang = language()
    try:
        start = date.fromisoformat(request.GET.get("start", ""))
        end = date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        return render(request, "desk/_replay.html", {"error": _("Choose the first and the last day.")})
    if end < start:
        return render(request, "desk/_replay.html", {"error": _("The period ends before it starts.")})
    try:
        draft = versions.draft_open(code=code, actor=actor_for(request.user), user=_user(request))
        begin, after = Period(start, end).bounds(timezone.get_current_timezone())
        found = versions.replay(code=code, definition=draft.definition, start=begin, end=after)
    except DomainError as error:
        return render(
            request, "desk/_replay.html", {"error": error_message(str(error.code), error.message, error.details)}
        )
    current = compiled(versions.current_version(code))
    draft_flow, _problems = workflow_from_dict(draft.definition)

    def named(status: str) -> str:
        found_status = draft_flow.status(status) or current.status(status)
        return found_status.label(lang) if found_status else status

    reasons = {
        "gone": _("the draft has no such step"),
        "not_from": _("the step no longer starts from this status"),
        "elsewhere": _("the step now leads to another status"),
    }
    return render(
        request,
        "desk/_replay.html",
        {
            "found": found,
            "refused": [
                {**r.__dict__, "why": reasons[r.reason], "source": named(r.from_status)} for r in found.refused
            ],
            "removed": [{"number": n, "status": named(s)} for n, s in found.removed],
            "timers": [{**t.__dict__, "status_label": named(t.status)} for t in found.timers],
        },
    )


@configures
def workflow_versions(request: HttpRequest, code: str) -> HttpResponse:
    lang = language()
    try:
        rows = versions.versions_of(code)
    except DomainError as error:
        _refused(request, error)
        return redirect("desk:workflows")
    chosen_number = request.GET.get("version", "")
    chosen = next((r for r in rows if str(r.version) == chosen_number), rows[0])
    flow = compiled(chosen)
    return render(
        request,
        "desk/workflow_versions.html",
        {
            "title": _("Versions"),
            "nav": "workflows",
            "code": code,
            "label": flow.label(lang),
            "versions": [{"row": r, "changes": [str(c) for c in versions.version_changes(r)]} for r in rows],
            "chosen": chosen,
            "svg": workflow_svg(flow, lang, fills={s.code: s.colour for s in flow.statuses if s.colour}),
            "orders_on": {
                r.pk: n
                for r in rows
                if (n := r.orders.count() if r.scope == WorkflowRow.Scope.ORDER else r.item_orders.count())
            },
        },
    )


@configures
def config_download(request: HttpRequest) -> HttpResponse:
    """The whole configuration as a preset TOML file (``ordo preset load`` reads it back)."""
    try:
        text = config_export()
    except DomainError as error:
        _refused(request, error)
        return redirect("desk:workflows")
    response = HttpResponse(text, content_type="application/toml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ordo-config.toml"'
    return response


@require_POST
@configures
def config_upload(request: HttpRequest) -> HttpResponse:
    """Load a configuration file (an export, or a preset): validated as a whole, all or nothing."""
    upload = request.FILES.get("config")
    if upload is None:
        messages.error(request, _("Choose a TOML file to load."))
        return redirect("desk:settings")
    try:
        text = upload.read(2_000_001).decode("utf-8")
        loaded = config_import(text)
    except UnicodeDecodeError:
        messages.error(request, _("The file is not UTF-8 text."))
    except DomainError as error:
        problems = error.details.get("problems") or [error.message]
        messages.error(
            request, _("Nothing was loaded: %(problems)s") % {"problems": "; ".join(map(str, problems[:10]))}
        )
    else:
        messages.success(
            request,
            _("Configuration loaded: %(created)s new, %(updated)s changed (as new versions), %(unchanged)s unchanged.")
            % {"created": len(loaded.created), "updated": len(loaded.updated), "unchanged": len(loaded.unchanged)},
        )
    return redirect("desk:settings")


# -- message templates -------------------------------------------------------------------------------


@configures
def template_list(request: HttpRequest) -> HttpResponse:
    saved = {(t.event, t.recipient, t.channel, t.language): t for t in wording.templates()}
    return render(
        request,
        "desk/templates.html",
        {
            "title": _("Message templates"),
            "nav": "templates",
            "events": _events(),
            "template_languages": wording.LANGUAGES,
            "saved": sorted(saved.values(), key=lambda t: (t.event, t.recipient, t.channel, t.language)),
            "names": _names(),
        },
    )


def _events() -> list[tuple[str, str]]:
    return _by_label(wording.EVENTS, labels.MESSAGE_EVENT)


def _names() -> dict[str, str]:
    """Events, recipients and channels by code, named in the page's language."""
    return {
        **{e: str(labels.MESSAGE_EVENT.get(e, e)) for e in wording.EVENTS},
        **{r: str(labels.RECIPIENT.get(r, r)) for r in wording.RECIPIENTS if r},
        **{c: str(labels.CHANNEL.get(c, c)) for c in wording.CHANNELS},
        "": _("everyone"),
    }


def _template_key(source: Any) -> dict[str, str]:
    return {
        "event": source.get("event", ""),
        "recipient": source.get("recipient", ""),
        "channel": source.get("channel", "email"),
        "language": source.get("language", "") or language(),
    }


@configures
def template_edit(request: HttpRequest) -> HttpResponse:
    """One template: the editor with the events, recipients, languages and placeholders beside it,
    saved only when it passes the checks; a preview with a real order; a reset to the shipped text."""
    source = request.POST if request.method == "POST" else request.GET
    key = _template_key(source)
    actor = actor_for(request.user)
    preview = None
    error = ""
    try:
        wording.template_key(**key)
    except DomainError as refused:
        error = refused.message
    saved = TemplateOverride.objects.filter(**key).first() if not error else None
    shipped_subject, shipped_body = (
        wording.shipped(key["event"], key["recipient"], key["language"]) if not error else ("", "")
    )
    subject = source.get("subject", saved.subject if saved else shipped_subject)
    body = source.get("body", saved.body if saved else shipped_body)
    order_number = source.get("order", "")
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST" and not error:
        try:
            if action == "save":
                wording.template_save(actor=actor, subject=subject, body=body, **key)
                messages.success(request, _("Template saved: it is used from the next message on."))
                return redirect(reverse("desk:template-edit") + "?" + "&".join(f"{k}={v}" for k, v in key.items()))
            if action == "reset":
                wording.template_reset(actor=actor, **key)
                messages.success(request, _("The shipped text is used again."))
                return redirect(reverse("desk:template-edit") + "?" + "&".join(f"{k}={v}" for k, v in key.items()))
            if action == "preview":
                order = (
                    orders_visible_to(request.user).filter(number=order_number.strip() or 0).first()
                    if order_number.strip().isdigit()
                    else None
                )
                if order is None:
                    error = _("Give the number of an order to preview with.")
                else:
                    preview = wording.template_preview(actor=actor, order=order, subject=subject, body=body, **key)
        except DomainError as refused:
            error = refused.message
    if not order_number:
        latest = orders_visible_to(request.user).order_by("-id").values_list("number", flat=True).first()
        order_number = str(latest or "")
    return render(
        request,
        "desk/template_edit.html",
        {
            "title": _("Message template"),
            "nav": "templates",
            "key": key,
            "events": _events(),
            "recipients": [(r, str(labels.RECIPIENT.get(r, r)) if r else _("everyone")) for r in wording.RECIPIENTS],
            "channels": [(c, str(labels.CHANNEL.get(c, c))) for c in wording.CHANNELS],
            "names": _names(),
            "template_languages": wording.LANGUAGES,
            "placeholders": wording.PLACEHOLDERS,
            "subject": subject,
            "body": body,
            "saved": saved,
            "order": order_number,
            "preview": preview,
            "error": error,
        },
    )


# -- the business's settings ---------------------------------------------------------------------------


def _setting_values(post: Any, files: Any) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for key in ("name", "address", "tax_id", "bank", "email", "phone", "manager_scope"):
        if key in post:
            changes[key] = post.get(key, "")
    for key in ("delivery_estimate_hours", "courier_link_days", "payment_due_days"):
        raw = post.get(key, "").strip()
        changes[key] = int(raw) if raw.isdigit() else raw
    for key in ("manager_auto_assign", "contractor_auto_assign"):
        changes[key] = bool(post.get(key))
    upload = files.get("logo")
    if upload is not None:
        changes["logo"] = upload.read(LOGO_MAX_BYTES + 1)
    elif post.get("logo_remove"):
        changes["logo"] = ""
    return changes


@configures
def business_settings(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    typed: dict[str, Any] = {}
    if request.method == "POST":
        typed = _setting_values(request.POST, request.FILES)
        try:
            business_update(changes=typed, actor=actor_for(request.user), user=_user(request))
        except DomainError as error:
            errors = dict(error.details.get("fields", {}))
            messages.error(request, _("Nothing was saved: correct the fields marked below."))
        else:
            messages.success(request, _("Settings saved."))
            return redirect("desk:settings")
    values = {**asdict(business()), **{k: v for k, v in typed.items() if k != "logo"}}
    return render(
        request,
        "desk/settings.html",
        {
            "title": _("Settings"),
            "nav": "settings",
            "values": values,
            "defaults": defaults(),
            "set_here": set(Setting.objects.values_list("key", flat=True)),
            "errors": errors,
            "first_error": next((key for key in FIELDS if key in errors), ""),
            "history": business_changes(),
            "fields": FIELDS,
            "logo_max_kb": LOGO_MAX_BYTES // 1024,
        },
    )
