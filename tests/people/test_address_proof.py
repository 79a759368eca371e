"""An e-mail address is proven (a signed link) before an account claims anything by it, and there is
one customer record per address however many first orders arrive at once."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.test import Client

from ordo.accounts.models import Customer
from ordo.catalog.models import Product
from ordo.orders.models import Order
from tests.conftest import ITEMS, Api

pytestmark = pytest.mark.django_db

VICTIM = "vera@example.org"
PASSWORD = "long-enough-pass-42"


def sign_up(email: str = VICTIM) -> Client:
    client = Client()
    response = client.post("/signup", {"name": "Someone", "email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def proof_link(smtp, address: str) -> str:
    (mail,) = [m for m in smtp.inbox.to(address) if "/claim/" in m.get_body(("plain",)).get_content()]
    return re.search(r"http://127\.0\.0\.1:8000(/claim/\S+)", mail.get_body(("plain",)).get_content()).group(1)


def phone_order(manager, email: str = VICTIM) -> int:
    placed = manager.api.post("/orders", {"customer": {"name": "Vera", "email": email}, "items": ITEMS})
    assert placed.status == 201, placed.body
    return placed.body["number"]


def test_an_unproven_account_does_not_capture_orders_staff_enter_for_its_address(load_preset, manager):
    """Finding: an attacker signed up with someone else's address; the next phone order for that
    address was filed under the attacker's record and showed in the attacker's portal."""
    load_preset("shop")
    attacker = sign_up()
    number = phone_order(manager)
    order = Order.objects.get(number=number)
    assert order.customer.user is None  # a record of its own for the address, no account
    assert str(number) not in attacker.get("/").content.decode()
    assert attacker.get(f"/orders/{number}").status_code == 404


def test_once_the_address_is_proven_staff_orders_reach_the_account(load_preset, manager, smtp, drain):
    load_preset("shop")
    client = sign_up()
    drain()
    mail = smtp.inbox.to(VICTIM)[0]
    assert str(mail["Subject"]).strip() == "Confirm your e-mail address for Ordo"
    link = proof_link(smtp, VICTIM)
    assert "Confirm your e-mail address" in client.get(link).content.decode()
    client.post(link)
    mine = Customer.objects.get(user__username=VICTIM)
    assert mine.email_verified_at is not None
    number = phone_order(manager, email="Vera@Example.org")
    assert Order.objects.get(number=number).customer == mine
    assert str(number) in client.get("/").content.decode()


def test_an_address_in_any_case_finds_its_guest_record_and_then_the_account_that_proved_it(load_preset):
    from django.contrib.auth.models import User
    from django.utils import timezone

    from ordo.accounts.services import customer_find_or_create

    guest = customer_find_or_create(email="Vera@Example.org", name="Vera")
    assert customer_find_or_create(email="VERA@example.ORG", name="Vera") == guest
    unproven = Customer.objects.create(user=User.objects.create(username="u1"), email=VICTIM, name="Someone")
    assert customer_find_or_create(email=VICTIM, name="Vera") == guest
    proven = Customer.objects.create(
        user=User.objects.create(username="u2"), email="vera@EXAMPLE.org", name="Vera", email_verified_at=timezone.now()
    )
    assert customer_find_or_create(email="vera@example.org", name="Vera") == proven
    assert unproven.pk < proven.pk
    assert Customer.objects.filter(email__iexact=VICTIM).count() == 3


def test_the_portal_asks_to_confirm_and_sends_the_link_again_at_most_every_ten_minutes(load_preset, drain, smtp):
    load_preset("shop")
    client = sign_up()
    home = client.get("/").content.decode()
    assert "Send the link again" in home
    client.post("/confirm-email")
    client.post("/confirm-email")
    drain()
    assert len(smtp.inbox.to(VICTIM)) == 1  # the sign-up's link was sent a moment ago
    client.post(proof_link(smtp, VICTIM))
    assert "Send the link again" not in client.get("/").content.decode()


def test_a_guests_stock_alerts_stay_theirs_until_the_account_proves_the_address(load_preset, smtp, drain):
    """Finding: a guest's back-in-stock alerts went to whoever signed up with the address."""
    load_preset("shop")
    Product.objects.create(sku="TV", name="Television", price=Decimal("100.00"))
    guest = Api(None)
    assert guest.post("/products/TV/alerts", {"email": VICTIM}).status == 201
    client = sign_up()
    assert "Television" not in client.get("/alerts").content.decode()
    drain()
    client.post(proof_link(smtp, VICTIM))
    assert "Television" in client.get("/alerts").content.decode()


def test_staff_may_register_a_customer_whose_address_an_unproven_account_uses(load_preset, manager):
    load_preset("shop")
    sign_up()
    made = manager.api.post("/customers", {"name": "Vera", "email": VICTIM})
    assert made.status == 201, made.body
    assert manager.api.post("/customers", {"name": "Vera", "email": VICTIM.upper()}).status == 409


@pytest.mark.django_db(transaction=True)
def test_twenty_first_orders_at_once_for_a_new_address_make_one_customer(load_preset, manager):
    """Finding: 20 requests at once made 1–8 customer records, splitting orders, wallet and tier."""
    load_preset("shop")
    barrier = threading.Barrier(20)

    def place(i: int) -> int:
        try:
            barrier.wait()
            api = Api(manager.token)
            body = {"customer": {"name": "New", "email": "new@example.org"}, "items": ITEMS}
            return api.post("/orders", body).status
        finally:
            connections.close_all()

    with ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(place, range(20)))
    assert statuses == [201] * 20
    assert Customer.objects.filter(email__iexact="new@example.org").count() == 1
    assert Order.objects.filter(customer__email="new@example.org").count() == 20


@pytest.mark.django_db(transaction=True)
def test_the_migration_merges_records_that_share_an_address(load_preset, make_person):
    """Records made twice for one address before the constraint existed become one: orders,
    wallet entries (balances recomputed in order) and all."""
    load_preset("shop")
    manager = make_person("mgr", "manager")
    first, second = phone_order(manager, "dup@example.org"), phone_order(manager, "dup@example.org")
    executor = MigrationExecutor(connection)
    before = [("accounts", "0003_people_organizations_partners_tokens")]
    executor.migrate(before)
    # The models as the migrations still applied left them (apps built on later accounts are rolled back too).
    applied = list(MigrationRecorder(connection).applied_migrations())
    old = executor.loader.project_state(applied).apps
    OldCustomer, OldWallet = old.get_model("accounts", "Customer"), old.get_model("payments", "WalletEntry")
    original = OldCustomer.objects.get(email="dup@example.org")
    twin = OldCustomer.objects.create(name="Dup", email="DUP@example.org", phone="+48 600 100 200")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE orders_order SET customer_id = %s WHERE number = %s", [twin.pk, second])
    from django.utils import timezone

    for who, amount in ((original, "30.00"), (twin, "12.50"), (original, "7.50")):
        latest = OldWallet.objects.filter(customer=who).order_by("-id").first()
        OldWallet.objects.create(
            customer=who,
            kind="credit",
            amount=Decimal(amount),
            currency="PLN",
            balance_after=(latest.balance_after if latest else 0) + Decimal(amount),
            created_at=timezone.now(),
        )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    (merged,) = Customer.objects.filter(email__iexact="dup@example.org")
    assert merged.pk == original.pk
    assert merged.phone == "+48 600 100 200"
    assert set(Order.objects.filter(customer=merged).values_list("number", flat=True)) == {first, second}
    balances = list(merged.wallet.order_by("id").values_list("balance_after", flat=True))
    assert balances == [Decimal("30.00"), Decimal("42.50"), Decimal("50.00")]


def test_customers_are_found_by_address_in_any_case_through_the_folded_address_index(load_preset, manager):
    """Registering, renaming and claiming ask whether a customer has an address, in any case
    (``selectors.address_is``): the folded-address index answers, not a scan of every customer."""
    from ordo.accounts.selectors import address_is

    load_preset("shop")
    kept = Customer.objects.create(name="Vera", email="Vera@Example.ORG")
    Customer.objects.create(name="Other", email="other@example.org")
    assert list(Customer.objects.filter(address_is("vera@example.org"))) == [kept]
    assert list(Customer.objects.filter(address_is("VERA@EXAMPLE.org"))) == [kept]
    assert not Customer.objects.filter(address_is("vera@example.or")).exists()
    taken = manager.api.post("/customers", {"name": "Vera again", "email": "VERA@example.org"})
    assert (taken.status, taken.body["error"]) == (409, "customer_exists")
    query = Customer.objects.filter(address_is("vera@example.org"))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: ask if it *can* use the index
        sql, params = query.query.sql_with_params()
        cursor.execute(("EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ") + sql, params)
        plan = " ".join(str(part) for row in cursor.fetchall() for part in row)
    assert "customer_email_folded" in plan, plan
