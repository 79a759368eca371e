"""The bare Django read+write view the API is measured against (bench/http.py): Django's whole
request cycle — the same server, middleware and database connection as Ordo's API — around the
least a create or a transition must do. It reads the bearer token's row, parses the JSON body,
writes the same rows as the services in one ``transaction.atomic()`` (bench/rows.py) and answers
with a small JSON body. No validation, workflow, permission or presenter: what is left between
this and the API is Ordo's own work and django-ninja's.

Served only by the bench: its settings module (``bench.ceiling_settings``) puts these two URLs
beside Ordo's own."""

from __future__ import annotations

import functools
import hashlib
import json

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bench.rows import SameRows
from ordo.urls import urlpatterns as ordo_urls


@functools.cache
def _rows() -> SameRows:
    from ordo.orders.models import Order

    return SameRows(Order.objects.earliest("id"))


def _bearer(request: HttpRequest) -> int | None:
    """The token's user, read the way every API request reads it: one statement by the key's hash."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key:
        return None
    from django.contrib.auth.models import User

    from ordo.accounts.models import ApiToken

    tokens, users = ApiToken._meta.db_table, User._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.user_id FROM {tokens} t JOIN {users} u ON u.id = t.user_id "
            "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active = %s",
            [hashlib.sha256(key.encode()).hexdigest(), True],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _refused() -> JsonResponse:
    return JsonResponse({"code": "unauthorized", "message": "A valid API key is needed."}, status=401)


@csrf_exempt
@require_POST
def create(request: HttpRequest) -> JsonResponse:
    if _bearer(request) is None:
        return _refused()
    body = json.loads(request.body)
    with transaction.atomic(), connection.cursor() as cursor:
        number = _rows().place(cursor, "ceiling")
    return JsonResponse({"number": number, "status": "new", "items": body["items"]}, status=201)


@csrf_exempt
@require_POST
def transition(request: HttpRequest, number: int) -> JsonResponse:
    if _bearer(request) is None:
        return _refused()
    json.loads(request.body)
    with transaction.atomic(), connection.cursor() as cursor:
        status = _rows().fire(cursor, number, "ceiling")
    return JsonResponse({"number": number, "status": status})


urlpatterns = [
    path("bench/ceiling/orders", create),
    path("bench/ceiling/orders/<int:number>/transitions", transition),
    *ordo_urls,
]
