"""Factories shared by the database tests: presets, people with roles and tokens, an API client."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from ordo.accounts.models import Customer
from ordo.accounts.roles import actor_for
from ordo.accounts.services import token_create, user_create
from ordo.orders.services import ItemInput, order_place
from ordo.orders.workflows import preset_load_named


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_subscription_cache():
    """Each test starts without the webhook subscriptions an earlier test cached."""
    from ordo.notifications.outbox import forget_subscriptions

    forget_subscriptions()
    yield
    forget_subscriptions()


@pytest.fixture(autouse=True)
def _nothing_kept():
    """Each test reads from its own database what processes keep (ordo.kept: order types, tax
    rates, the business settings…): a rolled-back test leaves none of it."""
    from ordo.kept import forget_all

    forget_all()
    yield
    forget_all()


@pytest.fixture(autouse=True)
def _fresh_usual_durations():
    """Each test works out how long statuses usually take from its own history."""
    from ordo.reports.figures import forget_usual

    forget_usual()
    yield
    forget_usual()


@dataclass
class Response:
    status: int
    body: Any
    headers: Any


class Api:
    """A JSON client for ``/api/v1`` speaking as one user through a Bearer token."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _send(self, method: str, path: str, body: Any = None, headers: dict | None = None, raw: str | None = None):
        data = raw if raw is not None else (json.dumps(body, default=str) if body is not None else None)
        response = getattr(self.client, method)(
            f"/api/v1{path}",
            data=data,
            content_type="application/json",
            headers={**self.headers, **(headers or {})},
        )
        content_type = response.get("Content-Type", "")
        parsed = (
            json.loads(response.content)
            if content_type.startswith("application/json") and response.content
            else response.content.decode()
        )
        return Response(response.status_code, parsed, response)

    def get(self, path: str, **params: Any) -> Response:
        response = self.client.get(f"/api/v1{path}", params, headers=self.headers)
        content_type = response.get("Content-Type", "")
        parsed = (
            json.loads(response.content) if content_type.startswith("application/json") else response.content.decode()
        )
        return Response(response.status_code, parsed, response)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Response:
        return self._send("post", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Response:
        return self._send("patch", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> Response:
        return self._send("put", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Response:
        return self._send("delete", path, **kwargs)

    def fire(self, number: int, transition: str, **extra: Any) -> Response:
        return self.post(f"/orders/{number}/transitions", {"transition": transition, **extra})

    def total(self, number: int) -> str:
        """What the customer owes: the goods plus the channel's processing fee."""
        return self.get(f"/orders/{number}").body["totals"]["total"]

    def pay(self, number: int, amount: str | Decimal, **extra: Any) -> Response:
        return self.post(f"/orders/{number}/payments", {"amount": str(amount), **extra})


@dataclass
class Person:
    user: Any
    token: str
    api: Api

    @property
    def actor(self):
        return actor_for(self.user)

    @property
    def customer(self) -> Customer:
        return self.user.customer


@pytest.fixture
def make_person(db):
    def make(username: str, role: str) -> Person:
        user, _ = user_create(username=username, role=role, email=f"{username}@example.org")
        token = token_create(user=user)
        return Person(user, token, Api(token))

    return make


@pytest.fixture
def admin(make_person) -> Person:
    return make_person("alice-admin", "admin")


@pytest.fixture
def manager(make_person) -> Person:
    return make_person("mark-manager", "manager")


@pytest.fixture
def customer(make_person) -> Person:
    return make_person("cora-customer", "customer")


@pytest.fixture
def other_customer(make_person) -> Person:
    return make_person("oscar-customer", "customer")


def sell(*lines: list[dict] | dict) -> None:
    """Put the SKUs of these item lines in the catalog at the lines' own names and prices, so a
    customer may order them (a customer's lines come from the catalog)."""
    from ordo.catalog.models import Product

    for group in lines:
        for line in [group] if isinstance(group, dict) else group:
            Product.objects.update_or_create(
                sku=line["sku"], defaults={"name": line["name"], "price": Decimal(str(line["unit_price"]))}
            )


ITEMS = [
    {"sku": "A-1", "name": "First thing", "quantity": 2, "unit_price": "10.00"},
    {"sku": "B-2", "name": "Second thing", "quantity": 1, "unit_price": "5.50"},
]


#: The catalog of the test world: the SKUs most tests' customers order.
MUG = {"sku": "MUG", "name": "Kubek", "quantity": 1, "unit_price": "39.00"}


@pytest.fixture
def load_preset(db):
    def load(name: str):
        loaded = preset_load_named(name)
        sell(ITEMS, MUG)
        return loaded

    return load


@pytest.fixture
def place(db):
    """Place an order through the service, for tests about what happens after placing."""

    def make(person: Person, *, items=None, by: Person | None = None, **kwargs: Any):
        lines = items if items is not None else ITEMS
        return order_place(
            actor=(by or person).actor,
            customer=person.customer,
            items=[ItemInput(**{**i, "unit_price": Decimal(str(i["unit_price"]))}) for i in lines],
            **kwargs,
        )

    return make


@pytest.fixture
def fund_wallet(db):
    """Put money in a customer's wallet (as a refund or a top-up would)."""

    def fund(customer: Customer, amount: str, currency: str) -> None:
        from django.utils import timezone

        from ordo.payments.models import WalletEntry

        WalletEntry.objects.create(
            customer=customer,
            kind="credit",
            amount=Decimal(amount),
            balance_after=Decimal(amount),
            currency=currency,
            created_at=timezone.now(),
        )

    return fund


@pytest.fixture
def http_peer():
    from tests.peers import HttpPeer

    peer = HttpPeer()
    yield peer
    peer.close()


@pytest.fixture
def smtp(settings):
    from tests.peers import SmtpServer

    server = SmtpServer()
    server.start()
    settings.ORDO_EMAIL_URL = server.url
    yield server
    server.stop()


@pytest.fixture
def drain():
    """Run the worker in-process until nothing is due; returns how many attempts it made."""

    def run(limit: int = 100) -> int:
        from ordo.worker import Worker

        worker = Worker(poll=0, name="test-worker")
        total = 0
        for _ in range(limit):
            tried = worker.run_once()
            total += tried
            if not tried:
                return total
        raise AssertionError("the worker never ran dry")

    return run
