"""Where an API request's time goes: order creation and transitions through Django's whole stack
in this process (no network), with each stage timed by wrapping the function that does it —
auth (the bearer token), lock (the order row), decide (the workflow engine), write (the order's
rows, or the transition's), present (the order drawn as JSON, with what the write did not hold
read back) and serialize (the response). What is left is the framework around them (middleware,
routing, parsing).

A regression shows as one stage growing, in one run."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from bench.report import Row

STAGES = ("auth", "lock", "decide", "write", "present", "serialize")


def _timed(spent: dict[str, float], stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[stage] += time.perf_counter() - started

    return wrapped


def run(*, requests: int = 400) -> list[Row]:
    from django.test import Client
    from ninja.operation import Operation

    from ordo.accounts.services import token_create, user_create
    from ordo.api import auth, orders
    from ordo.orders import selectors, services
    from ordo.orders.workflows import preset_load_named

    preset_load_named("shop")
    admin, _ = user_create(username="bench-stages", role="admin")
    buyer, _ = user_create(username="bench-stages-buyer", role="customer")
    token = token_create(user=admin)
    client = Client(HTTP_HOST="127.0.0.1")
    headers = {"Authorization": f"Bearer {token}"}
    body = json.dumps(
        {
            "customer": buyer.customer.pk,
            "items": [
                {"sku": "MUG-01", "name": "Ceramic mug", "quantity": 2, "unit_price": "39.00"},
                {"sku": "TEA-200", "name": "Green tea 200 g", "quantity": 1, "unit_price": "54.50"},
                {"sku": "BAG-03", "name": "Canvas bag", "quantity": 1, "unit_price": "79.00"},
            ],
        }
    )

    def create() -> int:
        response = client.post("/api/v1/orders", data=body, content_type="application/json", headers=headers)
        assert response.status_code == 201, response.content
        return int(response.json()["number"])

    def fire(number: int, code: str) -> None:
        response = client.post(
            f"/api/v1/orders/{number}/transitions",
            data=json.dumps({"transition": code}),
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 200, response.content

    for _ in range(30):  # warm-up: imports, compiled workflows, prepared statements
        fire(create(), "cancel")

    spent: dict[str, float] = defaultdict(float)
    patches = [
        (auth.BearerToken, "authenticate", "auth"),
        (services, "lock_order", "lock"),
        (services, "decide", "decide"),
        (services, "order_create", "write"),
        (services.OrderUnit, "flush", "write"),
        (selectors, "order_answer", "present"),
        (orders, "order_json", "present"),
        (Operation, "_result_to_response", "serialize"),
        (orders.RENDERER, "render", "serialize"),  # the order after a write (api.orders.answer)
    ]
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    for owner, name, stage in patches:
        setattr(owner, name, _timed(spent, stage, getattr(owner, name)))
    rows: list[Row] = []
    try:
        for kind in ("create", "transition"):
            spent.clear()
            numbers = [create() for _ in range(requests)] if kind == "transition" else []
            spent.clear()
            started = time.perf_counter()
            for i in range(requests):
                if kind == "create":
                    create()
                else:
                    fire(numbers[i], "cancel")
            total = (time.perf_counter() - started) / requests * 1000
            shares = {stage: spent[stage] / requests * 1000 for stage in STAGES}
            shares["framework"] = total - sum(shares.values())
            what = "order create" if kind == "create" else "transition"
            print(
                f"stages of one {what} ({total:.2f} ms in-process): "
                + ", ".join(f"{stage} {ms:.2f}" for stage, ms in shares.items())
            )
            rows.append(Row(f"api {what} in-process, whole request", total, "ms"))
            rows += [Row(f"  {stage}", ms, "ms") for stage, ms in shares.items()]
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
    return rows
