"""Where an API request's time goes: order creation and transitions through Django's whole stack
in this process (no network), called as the server calls it (``WSGIHandler``, one request at a
time), with each stage timed by wrapping the function that does it:

- auth: the bearer token's row;
- parse: the body and headers into the route's arguments (django-ninja and pydantic);
- customer: a placement's customer row (the view's, before the service);
- lock: the order's row, locked for the transition;
- decide: the workflow engine;
- write: the order's rows, or the transition's;
- transaction: ``BEGIN`` (with its wait for SQLite's write lock), ``COMMIT`` and what runs on
  commit (the worker woken);
- present: the order drawn as JSON, with what the write did not hold read back;
- serialize: the response's bytes.

Two more figures make up the whole: "between" — the rest of the route, what runs between those
stages (django-ninja's own steps, the view's and the services' Python outside the stages: the
order type, the checks of the input, ``transaction.atomic``) — and "django": the handler and
middleware around the route, which the bare view goes through too.

The bare Django view of bench/ceiling.py answers the same requests in the same run, through
the same handler, middleware and connection. Its time as a share of the API's is what the HTTP
share (bench/http.py) comes to when the two cores are the limit, as they are in that run.

A regression shows as one stage growing, in one run."""

from __future__ import annotations

import io
import json
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from bench.http import ORDER
from bench.report import Row

STAGES = ("auth", "parse", "customer", "lock", "decide", "write", "transaction", "present", "serialize")
#: The whole of the route (django-ninja's operation), the stages with what lies between them.
ROUTE = "route"
#: Timed batches of each kind, alternating API and bare view so both meet the same host.
ROUNDS = 4


def _timed(spent: dict[str, float], stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[stage] += time.perf_counter() - started

    return wrapped


@contextmanager
def _stages_timed(spent: dict[str, float]) -> Iterator[None]:
    """Each stage's function wrapped to add its time to ``spent`` while the block runs."""
    from django.db import connections
    from ninja.operation import Operation

    from ordo.api import auth, orders
    from ordo.orders import selectors, services

    database = type(connections["default"])
    patches = [
        (Operation, "run", ROUTE),
        (auth.BearerToken, "authenticate", "auth"),
        (Operation, "_get_values", "parse"),
        (orders, "_customer_for", "customer"),
        (services, "lock_order", "lock"),
        (services, "decide", "decide"),
        (services, "order_create", "write"),
        (services.OrderUnit, "flush", "write"),
        # BEGIN (turning autocommit off), COMMIT, and turning it back on with the on-commit hooks.
        (database, "set_autocommit", "transaction"),
        (database, "commit", "transaction"),
        (selectors, "order_answer", "present"),
        (orders, "order_json", "present"),
        (Operation, "_result_to_response", "serialize"),
        (orders.RENDERER, "render", "serialize"),  # the order after a write (api.orders.answer)
    ]
    originals = [(owner, name, owner.__dict__[name]) for owner, name, _ in patches if name in owner.__dict__]
    for owner, name, stage in patches:
        setattr(owner, name, _timed(spent, stage, getattr(owner, name)))
    try:
        yield
    finally:
        for owner, name, _ in patches:
            delattr(owner, name)
        for owner, name, original in originals:
            setattr(owner, name, original)


class _Server:
    """Django's WSGI handler called as a WSGI server calls it, the response closed after it is read
    (Django's ``request_finished`` runs, as under gunicorn)."""

    def __init__(self, token: str):
        from django.core.handlers.wsgi import WSGIHandler

        self.app = WSGIHandler()
        self.token = token

    def post(self, path: str, body: bytes, expected: int) -> bytes:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": path,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_AUTHORIZATION": f"Bearer {self.token}",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
        }
        answered: list[str] = []
        response = self.app(environ, lambda status, headers: answered.append(status))
        try:
            content = b"".join(response)
        finally:
            response.close()
        if not answered[0].startswith(str(expected)):
            raise RuntimeError(f"{path}: {answered[0]} {content[:300]!r}")
        return content


def run(*, requests: int = 800) -> list[Row]:
    from django.test import override_settings

    from ordo.accounts.services import token_create, user_create
    from ordo.orders.workflows import preset_load_named

    preset_load_named("shop")
    admin, _ = user_create(username="bench-stages", role="admin")
    buyer, _ = user_create(username="bench-stages-buyer", role="customer")
    server = _Server(token_create(user=admin))
    order = json.dumps({"customer": buyer.customer.pk, "items": ORDER["items"]}).encode()
    cancel = json.dumps({"transition": "cancel"}).encode()
    bases = {"api": "/api/v1", "bare": "/bench/ceiling"}

    def create(who: str) -> int:
        return int(json.loads(server.post(f"{bases[who]}/orders", order, 201))["number"])

    def fire(who: str, number: int) -> None:
        server.post(f"{bases[who]}/orders/{number}/transitions", cancel, 200)

    spent: dict[str, float] = defaultdict(float)
    rows: list[Row] = []
    # The bare view's URLs beside Ordo's own (bench/ceiling_settings.py).
    with override_settings(ROOT_URLCONF="bench.ceiling"):
        for who in ("api", "bare", "api"):  # warm-up: imports, compiled workflows, kept rows
            for _ in range(30):
                fire(who, create(who))
        for kind in ("create", "transition"):
            batch = max(1, requests // ROUNDS)
            # "staged": the API with its stages timed; "api": as it runs, so the share is not billed
            # for the wrappers; "bare": the bare view.
            took: dict[str, list[float]] = {"staged": [], "api": [], "bare": []}
            spent.clear()
            for _ in range(ROUNDS):
                for run_as in took:
                    who = "bare" if run_as == "bare" else "api"
                    numbers = [create(who) for _ in range(batch)] if kind == "transition" else []
                    with _stages_timed(spent) if run_as == "staged" else nullcontext():
                        started = time.perf_counter()
                        for i in range(batch):
                            if kind == "create":
                                create(who)
                            else:
                                fire(who, numbers[i])
                        took[run_as].append((time.perf_counter() - started) / batch * 1000)
            # Means, so that the stages add up to the whole.
            staged, total, bare = (statistics.mean(took[run_as]) for run_as in ("staged", "api", "bare"))
            per_request = {name: ms / (batch * ROUNDS) * 1000 for name, ms in spent.items()}
            shares = {stage: per_request.get(stage, 0.0) for stage in STAGES}
            shares["between"] = per_request[ROUTE] - sum(shares.values())
            shares["django"] = staged - per_request[ROUTE]
            what = "order create" if kind == "create" else "transition"
            print(
                f"stages of one {what} ({total:.2f} ms in-process, {staged:.2f} ms timed by stages; the bare "
                f"view {bare:.2f} ms, {bare / total:.0%} of it): "
                + ", ".join(f"{stage} {ms:.2f}" for stage, ms in shares.items())
            )
            rows.append(Row(f"api {what} in-process, whole request", total, "ms"))
            rows += [Row(f"  {stage}", ms, "ms") for stage, ms in shares.items()]
            rows.append(Row("  the bare Django view, whole request", bare, "ms"))
            rows.append(Row("  the bare view's time as a share of the API's", bare / total * 100, "%"))
    return rows
