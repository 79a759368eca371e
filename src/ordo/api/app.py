"""The REST API (``/api/v1``): one NinjaAPI, its routers, and errors as ``{"error", "detail"}`` JSON."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation, TooManyFilesSent
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from ordo.api import (
    catalog,
    configuration,
    couriers,
    documents,
    notifications,
    orders,
    payments,
    people,
    reports,
    tracking,
    workflows,
)
from ordo.api.auth import api_auth
from ordo.api.errors import GENERIC_CODE, http_status
from ordo.api.render import RENDERER
from ordo.errors import DomainError

log = logging.getLogger(__name__)

api = NinjaAPI(
    title="Ordo API",
    version="1",
    description="Orders, workflows and payments. Authenticate with `Authorization: Bearer <token>` "
    '(`ordo token create USER`) or a web session. Errors are JSON: `{"error": code, "detail": text}`.',
    auth=api_auth,
    urls_namespace="api-v1",
    renderer=RENDERER,
)
api.add_router("/", orders.router)
api.add_router("/", workflows.router)
api.add_router("/", notifications.router)
api.add_router("/", couriers.router)
api.add_router("/", payments.router)
api.add_router("/", people.router)
api.add_router("/", catalog.router)
api.add_router("/", documents.router)
api.add_router("/", tracking.router)
api.add_router("/", reports.router)
api.add_router("/", configuration.router)


def error(request: HttpRequest, status: int, code: str, detail: object, /, **extra: object) -> HttpResponse:
    return api.create_response(request, {"error": code, "detail": detail, **extra}, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error(request, http_status(exc.code), str(exc.code), exc.message, **exc.details)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = [
        {
            "loc": [str(part) for part in e.get("loc", ())],
            "msg": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in exc.errors
    ]
    summary = "; ".join(f"{'.'.join(p['loc'][1:] or p['loc'])}: {p['msg']}" for p in problems)
    return error(request, 422, "validation_error", summary or "invalid request", errors=problems)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error(request, 401, "unauthorized", "Authenticate with a Bearer token or a session.")
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error(request, exc.status_code, GENERIC_CODE.get(exc.status_code, "error"), str(exc))


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error(request, 400, "request_too_large", f"The request body is over {limit} bytes (files aside).")


@api.exception_handler(TooManyFilesSent)
def too_many_files(request: HttpRequest, exc: TooManyFilesSent) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
    return error(request, 400, "too_many_files", f"At most {limit} files in one request.")


@api.exception_handler(SuspiciousOperation)
def suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return error(request, 400, "bad_request", "The request cannot be read.")


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, "not_found", "Not found.")


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error(request, 403, "forbidden", str(exc) or "Forbidden.")
