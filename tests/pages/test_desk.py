"""The staff desk with Django's test client: the list, the card, its forms, order entry, diagrams."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from ordo.orders.models import Activity, Order
from tests.pages.conftest import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def furniture(load_preset):
    load_preset("furniture")


def test_desk_sends_anonymous_visitors_to_sign_in():
    response = Client().get("/desk/")
    assert response.status_code == 302
    assert response["Location"].startswith("/signin?next=/desk/")


def test_desk_is_not_for_customers(customer, browser_of):
    response = browser_of(customer).get("/desk/")
    assert response.status_code == 403


def test_manager_works_a_furniture_order_from_review_to_pickup(furniture, manager, customer, place, browser_of):
    order = place(customer)
    customer.api.fire(order.number, "submit")
    desk = browser_of(manager)
    card = f"/desk/orders/{order.number}"

    def press(code: str, status: str, **asked: str) -> None:
        response = desk.post(
            f"{card}/transition", {"transition": code, "expected_status": status, **asked}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        assert 'id="card"' in response.content.decode()

    press("approve", "under_review")
    customer.api.fire(order.number, "launch")
    page = text_of(desk.get(card))
    assert "Awaiting payment" in page
    total = Order.objects.get(pk=order.pk).total
    desk.post(f"{card}/payment", {"amount": str(total), "channel": "cash", "reference": "R-1"})
    assert Order.objects.get(pk=order.pk).status == "in_production"
    press("finish", "in_production")
    press("pass", "quality_check")
    press("hand_over", "ready_for_pickup", confirmed="1")  # it ends the order: the page asked first
    order.refresh_from_db()
    assert order.status == "issued"
    assert order.payment_status == "paid"
    timeline = text_of(desk.get(card))
    for shown in ("Under review", "Reviewed", "Payment: ", "In production", "Quality check", "Issued", "mark-manager"):
        assert shown in timeline


def test_a_blocked_button_says_why(load_preset, manager, customer, place, browser_of):
    load_preset("autoparts")
    order = place(customer)
    Order.objects.filter(pk=order.pk).update(status="in_work")
    page = browser_of(manager).get(f"/desk/orders/{order.number}").content.decode()
    # Picking starts once the order is paid or on deferred payment: the button shows, disabled, with why.
    assert 'data-transition="start_picking" disabled aria-describedby="why-start_picking"' in page
    assert "The order is neither paid nor on deferred payment." in page


def test_a_refused_transition_changes_nothing_and_says_why(furniture, manager, customer, place, browser_of):
    order = place(customer)
    response = browser_of(manager).post(
        f"/desk/orders/{order.number}/transition",
        {"transition": "approve", "expected_status": "draft"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    order.refresh_from_db()
    assert order.status == "draft"
    assert order.history.count() == 1


def test_list_filters_searches_and_counts_per_status(furniture, manager, customer, other_customer, place, browser_of):
    mine = [place(customer) for _ in range(3)]
    theirs = place(other_customer)
    customer.api.fire(mine[0].number, "submit")
    desk = browser_of(manager)
    listed = text_of(desk.get("/desk/", {"q": "oscar-customer@example.org"}))
    assert str(theirs.number) in listed
    assert all(str(o.number) not in listed for o in mine)
    assert str(mine[1].number) in text_of(desk.get("/desk/", {"q": str(mine[1].number)}))
    only_review = text_of(desk.get("/desk/", {"status": "under_review"}))
    assert str(mine[0].number) in only_review
    assert str(mine[1].number) not in only_review
    counts = text_of(desk.get("/desk/counts", {"status": "under_review"}))
    assert "All: 4" in counts
    assert "Draft: 3" in counts
    assert "Under review: 1" in counts


def test_list_pages_by_cursor_in_each_sort_without_gaps_or_repeats(furniture, manager, customer, place, browser_of):
    orders = [place(customer) for _ in range(7)]
    # Different times in status, so "waiting" sorts differently from "newest".
    for i, order in enumerate(orders):
        Order.objects.filter(pk=order.pk).update(status_since=timezone.now() - timedelta(hours=(i * 5) % 7))
    desk = browser_of(manager)
    from ordo.desk import views

    views.PAGE, before = 3, views.PAGE
    try:
        for sort in ("newest", "oldest", "waiting"):
            seen: list[int] = []
            params = {"sort": sort}
            for _ in range(5):
                response = desk.get("/desk/", params)
                seen += [row.number for row, _status, _type in response.context["rows"]]
                cursor = response.context["next_cursor"]
                if not cursor:
                    break
                params = {"sort": sort, "cursor": cursor}
            assert sorted(seen) == sorted(o.number for o in orders), sort
            assert len(seen) == len(set(seen))
    finally:
        views.PAGE = before


def test_a_forged_cursor_goes_back_to_the_first_page(manager, browser_of):
    response = browser_of(manager).get("/desk/", {"cursor": "bm9wZQ"})
    assert response.status_code == 302


def test_contractor_sees_only_the_orders_assigned_to_them(furniture, make_person, customer, place, browser_of):
    given = place(customer)
    other = place(customer)
    carl = make_person("carl-contractor", "contractor")  # after placing: no auto-assignment
    Order.objects.filter(pk=given.pk).update(contractor=carl.user)
    desk = browser_of(carl)
    listed = text_of(desk.get("/desk/"))
    assert str(given.number) in listed
    assert str(other.number) not in listed
    assert desk.get(f"/desk/orders/{other.number}").status_code == 404
    assert "All: 1" in text_of(desk.get("/desk/counts"))


def test_a_note_lands_on_the_timeline_with_its_author(furniture, manager, customer, place, browser_of):
    order = place(customer)
    desk = browser_of(manager)
    desk.post(f"/desk/orders/{order.number}/note", {"text": "Customer asked for oak veneer"})
    assert Activity.objects.get(order=order, kind="note").detail == {"text": "Customer asked for oak veneer"}
    page = text_of(desk.get(f"/desk/orders/{order.number}"))
    assert "Customer asked for oak veneer" in page


def test_clerk_enters_a_phone_order_for_a_new_customer(load_preset, manager, browser_of):
    load_preset("shop")
    response = browser_of(manager).post(
        "/desk/orders/new",
        {
            "name": "Pat Caller",
            "email": "pat@example.org",
            "phone": "+48 600 100 200",
            "kind": "person",
            "type": "regular",
            "payment_channel": "",
            "line_sku": ["M-1", "", ""],
            "line_name": ["Mug", "", ""],
            "line_qty": ["2", "1", "1"],
            "line_price": ["12,50", "", ""],
        },
    )
    assert response.status_code == 302
    order = Order.objects.get()
    assert response["Location"] == f"/desk/orders/{order.number}"
    assert order.source == "panel"
    assert order.customer.name == "Pat Caller"
    assert order.customer.registered_by == manager.user
    assert order.subtotal == Decimal("25.00")


def test_order_entry_with_a_bad_row_places_nothing_and_keeps_what_was_typed(load_preset, manager, browser_of):
    load_preset("shop")
    response = browser_of(manager).post(
        "/desk/orders/new",
        {
            "name": "Pat",
            "kind": "person",
            "type": "regular",
            "line_sku": ["M-1"],
            "line_name": ["Mug"],
            "line_qty": ["0"],
            "line_price": ["x"],
        },
    )
    assert response.status_code == 200
    assert "Row 1" in text_of(response)
    assert 'value="Mug"' in response.content.decode()
    assert not Order.objects.exists()


def test_customer_search_finds_by_phone(load_preset, manager, customer, browser_of):
    customer.user.customer.phone = "+7 900 123 45 67"
    customer.user.customer.save()
    page = browser_of(manager).get("/desk/customers", {"who": "900 123"}).content.decode()
    assert "cora-customer@example.org" in page


def test_workflow_diagrams_are_drawn_as_svg(furniture, manager, browser_of):
    page = browser_of(manager, "ru").get("/desk/workflows").content.decode()
    assert "<svg" in page
    assert "Проверяется Администратором" in page


def test_timer_forecast_lists_what_moves_by_day(load_preset, admin, customer, place, browser_of):
    load_preset("autoparts")
    order = place(customer)
    customer.api.fire(order.number, "reserve")
    page = text_of(browser_of(admin).get("/desk/timers", {"days": 5}))
    assert f"№ {order.number}" in page


def test_timer_forecast_shows_only_the_orders_in_the_users_view(
    load_preset, settings, make_person, manager, customer, place, browser_of
):
    load_preset("autoparts")
    settings.ORDO_MANAGER_SCOPE = "own"
    other = make_person("max-manager", "manager")
    mine, theirs = place(customer), place(customer)
    Order.objects.filter(pk=mine.pk).update(manager=manager.user)
    Order.objects.filter(pk=theirs.pk).update(manager=other.user)
    for order in (mine, theirs):
        customer.api.fire(order.number, "reserve")
    page = text_of(browser_of(manager).get("/desk/timers", {"days": 5}))
    assert f"№ {mine.number}" in page
    assert f"№ {theirs.number}" not in page


def test_assignment_form_writes_only_what_changed(furniture, manager, customer, place, browser_of):
    order = place(customer)
    desk = browser_of(manager)
    desk.post(f"/desk/orders/{order.number}/assign", {"manager": str(manager.user.pk), "contractor": "", "courier": ""})
    desk.post(f"/desk/orders/{order.number}/assign", {"manager": str(manager.user.pk), "contractor": "", "courier": ""})
    order.refresh_from_db()
    assert order.manager == manager.user
    assert Activity.objects.filter(order=order, kind="manager_assigned").count() == 1


def test_saved_views_keep_the_filters_and_are_shared_on_request(furniture, manager, make_person, browser_of):
    from ordo.desk.models import SavedView

    colleague = make_person("nina-manager", "manager")
    desk = browser_of(manager)
    response = desk.post(
        "/desk/views",
        {"name": "Review queue", "query": "status=under_review&sort=waiting&cursor=abc&bogus=1&payment_status=nope"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/desk/?status=under_review&sort=waiting"
    view = SavedView.objects.get()
    assert (view.owner, view.name, view.query, view.shared) == (
        manager.user,
        "Review queue",
        response["Location"][7:],
        False,
    )
    assert 'href="/desk/?status=under_review&amp;sort=waiting"' in desk.get("/desk/").content.decode()
    # Private: a colleague does not see it, and cannot delete it.
    theirs = browser_of(colleague)
    assert "Review queue" not in text_of(theirs.get("/desk/"))
    assert theirs.post(f"/desk/views/{view.pk}/delete").status_code == 404
    # The same name again replaces the filters; shared, colleagues see it too (with whose it is).
    desk.post("/desk/views", {"name": "Review queue", "query": "status=reviewed", "shared": "on"})
    view.refresh_from_db()
    assert (view.query, view.shared, SavedView.objects.count()) == ("status=reviewed", True, 1)
    assert "Review queue (mark-manager)" in text_of(theirs.get("/desk/"))
    # A view needs a name; nothing is saved without one.
    refused = text_of(desk.post("/desk/views", {"name": "  ", "query": "status=draft"}, follow=True))
    assert "Name the view" in refused
    assert SavedView.objects.count() == 1
    assert desk.post(f"/desk/views/{view.pk}/delete").status_code == 302
    assert not SavedView.objects.exists()


def test_desk_links_copies_splits_and_subcontracts_an_order(
    load_preset, manager, make_person, customer, place, browser_of
):
    from ordo.orders.models import OrderLink

    load_preset("shop")
    contractor = make_person("cody-contractor", "contractor")
    order = place(customer)
    other = place(customer)
    first, second = order.items.order_by("id")
    desk = browser_of(manager)
    card = f"/desk/orders/{order.number}"
    page = desk.get(card).content.decode()
    assert f'name="items" value="{first.pk}"' in page
    assert f'<option value="{contractor.user.pk}">' in page

    # A link by hand needs a reason; refused, nothing is linked.
    refused = text_of(desk.post(f"{card}/link", {"kind": "manual", "order": str(other.number)}, follow=True))
    assert "This link cannot be made." in refused
    assert not OrderLink.objects.exists()
    desk.post(f"{card}/link", {"kind": "manual", "order": str(other.number), "reason": "Same customer, one delivery"})

    # Split: the chosen item moves to a new order in the same status; the message names it.
    split = text_of(
        desk.post(f"{card}/link", {"kind": "split", "items": [str(second.pk)], "reason": "Ships later"}, follow=True)
    )
    made = OrderLink.objects.get(kind="split").target
    assert f"Order {made.number} made" in split
    assert [i.sku for i in made.items.all()] == ["B-2"]
    assert [i.sku for i in Order.objects.get(pk=order.pk).items.all()] == ["A-1"]

    # Subcontract the rest to a contractor; without one it is refused.
    assert "This link cannot be made." in text_of(
        desk.post(f"{card}/link", {"kind": "subcontract", "items": [str(first.pk)]}, follow=True)
    )
    desk.post(f"{card}/link", {"kind": "subcontract", "items": [str(first.pk)], "contractor": str(contractor.user.pk)})
    work = OrderLink.objects.get(kind="subcontract").target
    assert work.contractor == contractor.user
    links = text_of(desk.get(card))
    assert all(f"№ {n}" in links for n in (other.number, made.number, work.number))


def test_the_workflow_diagram_is_cut_to_the_employees_allowed_statuses(load_preset, make_person, browser_of):
    from ordo.accounts.models import Profile

    load_preset("print")
    printer = make_person("pia-printer", "contractor")
    Profile.objects.filter(user=printer.user).update(allowed_statuses=["in_print", "printed"])

    def edges(person) -> tuple[int, str]:
        page = browser_of(person).get("/desk/workflows")
        html = page.content.decode()
        drawn = html[html.index('id="diagram-print"') :]
        return drawn[: drawn.index("</svg>")].count('class="edge"'), text_of(page)

    cut, text = edges(printer)
    whole, whole_text = edges(make_person("mia-manager", "manager"))
    assert "The diagrams show the steps into the statuses you may move orders into." in text
    assert "you may move orders into" not in whole_text
    assert 0 < cut < whole
