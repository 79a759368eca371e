"""The dashboard and the time-in-status report as pages: figures the user may see, charts with
their numbers as tables, CSV downloads, and nobody else's orders."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import sell
from tests.pages.conftest import text_of

pytestmark = pytest.mark.django_db
MUG = [{"sku": "MUG", "name": "Kubek", "quantity": 2, "unit_price": "39.00"}]


@pytest.fixture
def shop(load_preset, manager):
    load_preset("shop")
    sell(MUG)
    numbers = []
    for n in range(3):
        body = {
            "items": MUG,
            "payment_channel": "cash",
            "customer": {"name": f"Jan {n}", "email": f"jan{n}@example.org"},
        }
        numbers.append(manager.api.post("/orders", body).body["number"])
    assert manager.api.pay(numbers[0], "78.00").status == 201
    manager.api.fire(numbers[0], "start")
    return numbers


def signed_in(person, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(person.user)
    return client


def test_staff_land_on_the_dashboard_with_todays_figures_and_the_period(shop, manager):
    client = signed_in(manager)
    assert client.get("/")["Location"] == "/desk/dashboard"
    page = text_of(client.get("/desk/dashboard"))
    assert "Orders placed 3" in page
    assert "Revenue paid PLN 78.00" in page
    assert "Orders placed per day" in page
    assert "The figures per day as a table" in page


def test_the_dashboard_speaks_the_users_language(shop, manager):
    page = text_of(signed_in(manager, "fi").get("/desk/dashboard"))
    assert "Tänään" in page


def test_the_periods_ends_read_as_dates_not_as_directions(shop, manager):
    """English says "From" and "To" for a period's ends here, a step's statuses in the workflow
    editor and a parcel's sender and recipient on the packing slip: other languages need a word
    for each (Polish "Dokąd" is where to, Finnish "Lähettäjä" the sender)."""
    assert re.search(r"\bOd\b.*\bDo\b", text_of(signed_in(manager, "pl").get("/desk/dashboard")))
    finnish = text_of(signed_in(manager, "fi").get("/desk/dashboard"))
    assert "Alkaen" in finnish
    assert "Asti" in finnish
    assert "Lähettäjä" not in finnish
    assert "Minne" not in finnish


def test_contractors_do_not_read_the_figures(shop, make_person):
    contractor = make_person("carl-contractor", "contractor")
    client = signed_in(contractor)
    assert client.get("/")["Location"] == "/desk/"
    assert client.get("/desk/dashboard").status_code in (302, 403)
    assert "Revenue paid" not in text_of(client.get("/desk/dashboard", follow=True))


def test_the_per_day_figures_download_as_csv(shop, manager):
    response = signed_in(manager).get("/desk/dashboard", {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Day,Orders placed,Revenue paid")
    assert lines[-1].split(",")[1] == "3"


def test_a_date_that_is_not_one_is_said_and_the_last_30_days_shown(shop, manager):
    page = text_of(signed_in(manager).get("/desk/dashboard", {"start": "last week"}))
    assert "Dates are written as YYYY-MM-DD" in page


def test_where_orders_wait_lists_each_status_and_downloads(shop, manager):
    client = signed_in(manager)
    page = text_of(client.get("/desk/waits", {"workflow": "shop"}))
    assert "Time in each status" in page
    assert "Start: 1" in page
    csv = client.get("/desk/waits", {"workflow": "shop", "format": "csv"}).content.decode("utf-8-sig")
    assert csv.splitlines()[1].startswith("New,1,")


def test_an_employees_own_time_zone_cuts_the_days(load_preset, manager, time_machine):
    from datetime import UTC, datetime

    time_machine.move_to(datetime(2026, 11, 10, 22, 30, tzinfo=UTC), tick=False)  # the 11th in Helsinki
    load_preset("shop")
    sell(MUG)
    manager.api.post("/orders", {"items": MUG, "customer": {"name": "A", "email": "a@example.org"}})
    client = signed_in(manager)
    utc_day = client.get("/desk/dashboard", {"format": "csv", "start": "2026-11-10", "end": "2026-11-11"})
    assert utc_day.content.decode("utf-8-sig").splitlines()[1:] == ["2026-11-10,1,0.00", "2026-11-11,0,0.00"]
    manager.user.profile.time_zone = "Europe/Helsinki"
    manager.user.profile.save()
    helsinki = client.get("/desk/dashboard", {"format": "csv", "start": "2026-11-10", "end": "2026-11-11"})
    assert helsinki.content.decode("utf-8-sig").splitlines()[1:] == ["2026-11-10,0,0.00", "2026-11-11,1,0.00"]


def test_a_time_zone_that_is_not_one_is_refused():
    from django.core.exceptions import ValidationError

    from ordo.accounts.models import valid_time_zone

    valid_time_zone("Europe/Warsaw")
    with pytest.raises(ValidationError):
        valid_time_zone("Mars/Olympus")
