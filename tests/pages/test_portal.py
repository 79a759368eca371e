"""The customer portal and the guest tracking page with Django's test client."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client

from ordo.accounts.models import Customer
from ordo.orders.models import Order
from ordo.payments.models import WalletEntry
from tests.conftest import MUG
from tests.pages.conftest import text_of

pytestmark = pytest.mark.django_db


def test_sign_up_makes_a_customer_and_signs_them_in(load_preset):
    load_preset("furniture")
    client = Client(HTTP_ACCEPT_LANGUAGE="ru")
    response = client.post(
        "/signup", {"name": "Вера", "email": "Vera@Example.org", "phone": "+7 900 1", "password": "long-enough-pass-42"}
    )
    assert response.status_code == 302
    user = User.objects.get(username="vera@example.org")
    customer = Customer.objects.get(user=user)
    assert (customer.name, customer.phone, customer.language) == ("Вера", "+7 900 1", "ru")
    assert "Мои заказы" in text_of(client.get("/"))


def test_sign_up_twice_with_one_address_is_refused(customer):
    client = Client()
    client.post("/signup", {"name": "A", "email": "new@example.org", "password": "long-enough-pass-42"})
    response = Client().post("/signup", {"name": "B", "email": "NEW@example.org", "password": "long-enough-pass-42"})
    assert response.status_code == 200
    assert "exists already" in text_of(response)
    assert User.objects.filter(username__iexact="new@example.org").count() == 1


def test_a_weak_password_is_refused_with_the_reason(db):
    response = Client().post("/signup", {"name": "A", "email": "a@example.org", "password": "123"})
    assert "too short" in text_of(response)
    assert not User.objects.filter(username="a@example.org").exists()


@pytest.mark.parametrize(
    ("language", "reason"),
    [("fi", "Salasana on liian lyhyt"), ("pl", "Hasło jest za krótkie"), ("ru", "Пароль слишком короткий")],
)
def test_a_short_password_is_refused_in_the_visitors_language(db, language, reason):
    """Django 5.2's Finnish catalogue has no words for this refusal: Ordo says it itself."""
    response = Client(HTTP_ACCEPT_LANGUAGE=language).post(
        "/signup", {"name": "A", "email": "a@example.org", "password": "x7"}
    )
    page = text_of(response)
    assert reason in page
    assert "too short" not in page


def test_sign_in_sends_staff_to_the_desk_and_customers_home(manager, customer):
    for person, place in ((manager, "/desk/"), (customer, "/")):
        person.user.set_password("long-enough-pass-42")
        person.user.save()
        client = Client()
        response = client.post("/signin", {"username": person.user.username, "password": "long-enough-pass-42"})
        assert response.status_code == 302
        assert client.get("/").status_code == (302 if place == "/desk/" else 200)


def test_password_reset_arrives_by_e_mail_and_sets_a_new_password(customer, smtp, drain):
    customer.user.set_password("old-password-42x")
    customer.user.save()
    Client().post("/password-reset", {"email": "cora-customer@example.org"})
    Client().post("/password-reset", {"email": "nobody@example.org"})  # says the same, sends nothing
    drain()
    (mail,) = smtp.inbox.to("cora-customer@example.org")
    assert len(smtp.inbox.messages) == 1
    link = re.search(r"http://127\.0\.0\.1:8000(/password-reset/\S+)", mail.get_body(("plain",)).get_content()).group(1)
    client = Client()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "brand-new-pass-42", "new_password2": "brand-new-pass-42"}
    )
    assert done.status_code == 302
    customer.user.refresh_from_db()
    assert customer.user.check_password("brand-new-pass-42")
    assert Client().get(link, follow=True).context["validlink"] is False


def test_my_orders_lists_only_mine_and_anothers_order_is_not_found(
    load_preset, customer, other_customer, place, browser_of
):
    load_preset("furniture")
    mine, theirs = place(customer), place(other_customer)
    portal = browser_of(customer)
    page = text_of(portal.get("/"))
    assert f"№ {mine.number}" in page
    assert f"№ {theirs.number}" not in page
    assert portal.get(f"/orders/{theirs.number}").status_code == 404


def test_customer_submits_and_launches_a_furniture_order_in_the_portal(
    load_preset, manager, customer, place, browser_of
):
    load_preset("furniture")
    order = place(customer)
    portal = browser_of(customer)
    page = portal.get(f"/orders/{order.number}").content.decode()
    assert 'value="submit"' in page
    portal.post(f"/orders/{order.number}/transition", {"transition": "submit", "expected_status": "draft"})
    manager.api.fire(order.number, "approve")
    portal.post(f"/orders/{order.number}/transition", {"transition": "launch", "expected_status": "reviewed"})
    order.refresh_from_db()
    assert order.status == "awaiting_payment"
    history = text_of(portal.get(f"/orders/{order.number}"))
    assert "Under review" in history
    assert "mark-manager" not in history  # customers do not see who on the staff did what
    assert "by hand" not in history  # nor how: a step taken by hand, by a rule or by a timer is one step to them


def test_a_refused_customer_transition_is_explained(load_preset, customer, place, browser_of):
    load_preset("furniture")
    order = place(customer, items=[])  # nothing to submit
    portal = browser_of(customer)
    page = text_of(portal.get(f"/orders/{order.number}"))
    assert "The order has no items." in page
    response = portal.post(f"/orders/{order.number}/transition", {"transition": "submit"}, follow=True)
    assert "The order has no items." in text_of(response)
    order.refresh_from_db()
    assert order.status == "draft"


def test_customer_pays_from_the_wallet_and_sees_the_balance(
    load_preset, admin, customer, place, browser_of, fund_wallet
):
    load_preset("smm")
    fund_wallet(customer.customer, "100.00", "EUR")
    order = place(customer, items=[{"sku": "L", "name": "Likes", "quantity": 1, "unit_price": "30.00", "target": "x"}])
    portal = browser_of(customer)
    portal.post(f"/orders/{order.number}/pay", {"channel": "wallet"})
    order.refresh_from_db()
    assert order.payment_status == "paid"
    wallet = text_of(portal.get("/wallet"))
    assert "€70.00" in wallet
    assert WalletEntry.objects.filter(customer=customer.customer).count() == 2


def order_of(person, *skus: str) -> int:
    """A customer's order of one of each SKU, placed through the API (the catalog sets the prices)."""
    items = [{"sku": sku, "name": sku, "quantity": 1, "unit_price": "1"} for sku in skus]
    return person.api.post("/orders", {"items": items}).body["number"]


def test_customer_edits_a_new_autoparts_orders_quantities(load_preset, customer, browser_of):
    load_preset("autoparts")
    from ordo.catalog.services import product_create

    product_create(sku="F-1", name="Filter", price=Decimal("9.00"))
    product_create(sku="P-2", name="Pads", price=Decimal("20.00"))
    number = order_of(customer, "F-1", "P-2")
    portal = browser_of(customer)
    assert 'name="qty:F-1"' in portal.get(f"/orders/{number}").content.decode()
    portal.post(f"/orders/{number}/items", {"qty:F-1": "3", "qty:P-2": "0"})
    order = Order.objects.get(number=number)
    assert [(i.sku, i.quantity) for i in order.items.all()] == [("F-1", 3)]
    assert order.subtotal == Decimal("27.00")


def test_guest_tracking_page_shows_item_statuses_and_nothing_personal(load_preset, customer, place):
    load_preset("smm")
    order = place(
        customer,
        items=[{"sku": "F", "name": "Followers", "quantity": 100, "unit_price": "0.10", "target": "@cora_shop"}],
    )
    page = text_of(Client(HTTP_ACCEPT_LANGUAGE="fi").get(f"/track/{order.tracking_token}"))
    assert f"Tilaus {order.number}" in page
    assert "@cora_shop" in page
    assert "cora-customer" not in page
    assert Client().get("/track/" + "x" * 30).status_code == 404


def test_language_switch_is_remembered_on_the_account(customer, browser_of):
    portal = browser_of(customer)
    portal.post("/language", {"language": "pl", "next": "/"})
    customer.user.customer.refresh_from_db()
    assert customer.user.customer.language == "pl"
    assert "Moje zamówienia" in text_of(portal.get("/"))
    # Another browser of the same account, which never pressed the switch, speaks Polish too.
    fresh = Client(HTTP_ACCEPT_LANGUAGE="en")
    fresh.force_login(customer.user)
    assert "Moje zamówienia" in text_of(fresh.get("/"))


CATALOG = """sku,name,price,location,on_hand
LAMP-7,Desk lamp,49.00,main,0
BULB,Light bulb,3.00,main,10
"""


def test_customer_keeps_back_in_stock_alerts_in_the_portal(
    load_preset, customer, other_customer, browser_of, smtp, drain
):
    from ordo.catalog.models import StockAlert
    from ordo.catalog.services import catalog_import, stock_receive

    load_preset("shop")
    catalog_import(CATALOG)
    portal = browser_of(customer, "pl")
    response = portal.post("/alerts", {"sku": " lamp-7 "})
    assert response.status_code == 302
    alert = StockAlert.objects.get()
    assert (alert.email, alert.customer, alert.language) == ("cora-customer@example.org", customer.customer, "pl")
    page = text_of(portal.get("/alerts"))
    assert "Desk lamp" in page
    assert "Czeka" in page

    # In stock, or not sold: explained, and nothing opens.
    in_stock = text_of(portal.post("/alerts", {"sku": "BULB"}, follow=True))
    assert "Produkt jest już dostępny" in in_stock
    assert "Żaden produkt nie jest sprzedawany" in text_of(portal.post("/alerts", {"sku": "NOPE"}, follow=True))
    assert StockAlert.objects.count() == 1

    # Someone else's alert cannot be ended from another account.
    assert browser_of(other_customer).post(f"/alerts/{alert.pk}/end").status_code == 404
    alert.refresh_from_db()
    assert alert.ended_at is None

    stock_receive(sku="LAMP-7", location="main", quantity=2)
    drain()
    assert "Wysłano e-mail" in text_of(portal.get("/alerts"))
    assert smtp.inbox.to("cora-customer@example.org")[-1]["Subject"] == "Desk lamp jest znowu dostępny"

    # A new alert, ended from the portal.
    StockAlert.objects.filter(pk=alert.pk).delete()
    from ordo.catalog.services import stock_set

    stock_set(sku="LAMP-7", location="main", on_hand=0)
    portal.post("/alerts", {"sku": "LAMP-7"})
    again = StockAlert.objects.get()
    assert portal.post(f"/alerts/{again.pk}/end").status_code == 302
    again.refresh_from_db()
    assert again.ended == "unsubscribed"


def test_order_page_offers_an_alert_for_an_item_out_of_stock(load_preset, customer, browser_of):
    from ordo.catalog.services import catalog_import

    load_preset("autoparts")
    catalog_import(CATALOG)
    number = order_of(customer, "LAMP-7", "BULB")
    portal = browser_of(customer)
    html = portal.get(f"/orders/{number}").content.decode()
    assert html.count('name="sku"') == 1
    assert 'value="LAMP-7"' in html
    response = portal.post("/alerts", {"sku": "LAMP-7", "order": str(number)})
    assert response["Location"] == f"/orders/{number}"


def test_an_account_without_a_customer_record_has_no_alerts_and_is_told_why(load_preset, customer, browser_of):
    from ordo.catalog.services import catalog_import

    load_preset("shop")
    catalog_import(CATALOG)
    Customer.objects.filter(pk=customer.customer.pk).delete()
    portal = browser_of(customer)
    assert portal.get("/alerts").status_code == 200
    refused = text_of(portal.post("/alerts", {"sku": "LAMP-7"}, follow=True))
    assert "An e-mail address is needed to tell you." in refused
    assert portal.post("/alerts/1/end").status_code == 404


def _guest_order(manager, email: str) -> int:
    """An order staff entered for someone without an account (the customer record has no login)."""
    item = {"sku": "A", "name": "A", "quantity": 1, "unit_price": "5"}
    body = {"items": [item], "customer": {"email": email, "name": "Gina"}}
    return manager.api.post("/orders", body).body["number"]


def _claim_mail(smtp, address: str):
    """The one "add your earlier orders" e-mail the address received (besides its order e-mails)."""
    (mail,) = [m for m in smtp.inbox.to(address) if "/claim/" in m.get_body(("plain",)).get_content()]
    return mail


def _claim_link(smtp, address: str) -> str:
    text = _claim_mail(smtp, address).get_body(("plain",)).get_content()
    return re.search(r"http://127\.0\.0\.1:8000(/claim/\S+)", text).group(1)


def test_guest_orders_join_the_account_once_the_address_is_confirmed(load_preset, manager, smtp, drain, browser_of):
    from ordo.accounts.services import customer_find_or_create
    from ordo.orders.models import Activity

    load_preset("shop")
    number = _guest_order(manager, "gina@example.org")
    guest = Order.objects.get(number=number).customer
    client = Client(HTTP_ACCEPT_LANGUAGE="pl")
    signed_up = client.post(
        "/signup", {"name": "Gina", "email": "Gina@Example.org", "password": "long-enough-pass-42"}, follow=True
    )
    assert "Znaleźliśmy zamówienia" in text_of(signed_up)
    assert str(number) not in text_of(client.get("/"))  # not before the address is proved
    drain()
    link = _claim_link(smtp, "gina@example.org")
    assert (
        str(_claim_mail(smtp, "gina@example.org")["Subject"]).strip()
        == "Dołącz wcześniejsze zamówienia do konta w Ordo"
    )

    page = client.get(link)
    assert page.status_code == 200
    assert Order.objects.get(number=number).customer == guest  # opening the link changes nothing
    client.post(link)
    mine = Customer.objects.get(user__username="gina@example.org")
    assert Order.objects.get(number=number).customer == mine
    assert str(number) in text_of(client.get("/"))
    assert not Customer.objects.filter(pk=guest.pk).exists()
    claimed = Activity.objects.get(order__number=number, kind="claimed")
    assert claimed.detail == {"from": guest.pk, "to": mine.pk, "account": "gina@example.org"}
    card = text_of(browser_of(manager).get(f"/desk/orders/{number}"))
    assert "Joined the customer&#x27;s account gina@example.org" in card
    # Staff entering the next order for this address reach the account.
    assert customer_find_or_create(email="gina@example.org", name="Gina") == mine
    # The link has done its work: again, there is nothing left to join.
    assert "Nie ma już zamówień złożonych bez konta" in text_of(client.post(link, follow=True))


def test_a_claim_link_is_only_for_its_account_and_only_for_three_days(
    load_preset, manager, customer, smtp, drain, time_machine, browser_of
):
    from django.utils import timezone

    load_preset("shop")
    time_machine.move_to(timezone.now(), tick=False)
    number = _guest_order(manager, "gina@example.org")
    client = Client()
    client.post("/signup", {"name": "Gina", "email": "gina@example.org", "password": "long-enough-pass-42"})
    drain()
    link = _claim_link(smtp, "gina@example.org")
    guest = Order.objects.get(number=number).customer
    # Signed out: sign in first, then come back.
    assert Client().get(link)["Location"].startswith("/signin?next=/claim/")
    # Another account holding the link gets nothing.
    other = browser_of(customer)
    assert "This link is not valid" in text_of(other.post(link, follow=True))
    # A forged link, and a true one after three days, do nothing either.
    assert "This link is not valid" in text_of(client.post(link[:-4] + "AAAA", follow=True))
    time_machine.shift(timedelta(days=3, minutes=1))
    assert "This link is not valid" in text_of(client.post(link, follow=True))
    assert Order.objects.get(number=number).customer == guest


def test_only_usable_payment_channels_are_offered(load_preset, customer, place, browser_of, settings):
    """A card channel without its gateway's keys would only fail: it is not offered; the shop's
    customers pay from the wallet their refunds go to."""
    load_preset("shop")
    order = place(customer)
    settings.ORDO_PAYMENT_STRIPE_SECRET_KEY = ""
    page = browser_of(customer).get(f"/orders/{order.number}").content.decode()
    assert 'value="wallet"' in page
    assert 'value="card"' not in page
    settings.ORDO_PAYMENT_STRIPE_SECRET_KEY = "sk_test_ordo"
    assert 'value="card"' in browser_of(customer).get(f"/orders/{order.number}").content.decode()


def test_the_desk_lists_an_unusable_channel_only_when_it_is_the_orders_own(
    load_preset, customer, manager, place, browser_of, settings
):
    load_preset("shop")
    settings.ORDO_PAYMENT_STRIPE_SECRET_KEY = ""
    cash = place(customer, payment_channel="cash")
    card = place(customer, payment_channel="card")
    desk = browser_of(manager)
    assert 'value="card"' not in desk.get(f"/desk/orders/{cash.number}").content.decode()
    assert 'value="card"' in desk.get(f"/desk/orders/{card.number}").content.decode()


def test_a_customer_who_signed_up_alone_gets_the_least_busy_manager_for_good(load_preset, make_person, browser_of):
    """Seed 001 (auto-parts): everyone has a personal manager, shown with a phone and an e-mail in
    the cabinet."""
    from ordo.accounts.models import Customer, Profile
    from ordo.orders.models import Order

    load_preset("autoparts")
    busy, free = make_person("bea-busy", "manager"), make_person("fred-free", "manager")
    Profile.objects.filter(user=free.user).update(phone="+48 500 600 700")
    anna = make_person("anna-customer", "customer")
    first = anna.api.post("/orders", {"items": [MUG]}).body["number"]
    assert Order.objects.get(number=first).manager == busy.user  # no open orders anywhere: the earliest account
    ben = make_person("ben-customer", "customer")
    ben_order = ben.api.post("/orders", {"items": [MUG]}).body["number"]
    assert Order.objects.get(number=ben_order).manager == free.user  # bea has one open order now
    again = anna.api.post("/orders", {"items": [MUG]}).body["number"]
    assert Order.objects.get(number=again).manager == busy.user  # anna keeps hers
    assert Customer.objects.get(user=ben.user).manager == free.user
    page = browser_of(ben).get("/").content.decode()
    assert "Your manager" in page
    assert "+48 500 600 700" in page


def test_where_the_type_gives_no_personal_manager_a_lone_customer_gets_none(load_preset, make_person):
    from ordo.orders.models import Order

    load_preset("shop")
    make_person("bea-busy", "manager")
    anna = make_person("anna-customer", "customer")
    number = anna.api.post("/orders", {"items": [MUG]}).body["number"]
    assert Order.objects.get(number=number).manager is None


def test_pages_name_their_icon_and_the_browsers_guess_finds_it(load_preset):
    """Every page links Ordo's icon; a client that asks /favicon.ico without reading the page
    (bookmarks, feed readers, old browsers) is sent to the same icon rather than a 404."""
    load_preset("shop")
    client = Client()
    icon = re.search(r'<link rel="icon" href="([^"]+)"', client.get("/shop").content.decode())
    assert icon is not None
    found = client.get(icon.group(1))
    assert found.status_code == 200
    assert found["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(found.streaming_content)
    guessed = client.get("/favicon.ico")
    assert (guessed.status_code, guessed["Location"]) == (301, icon.group(1))
