"""Workflow versions: a draft is published as the next version; orders keep the version they
started on unless an admin moves them, and a removed status in use needs a mapping."""

from __future__ import annotations

import json
from copy import deepcopy

import pytest

from ordo.errors import DomainError
from ordo.orders.models import Order, StatusChange, Stay, Workflow, WorkflowDraft
from ordo.orders.versions import draft_save, publish, version_changes
from ordo.orders.workflows import preset_load_named
from ordo.workflow.diff import Change

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(load_preset):
    load_preset("shop")
    return deepcopy(Workflow.objects.get(code="shop", current=True).definition)


def transition(definition, code):
    return next(t for t in definition["transitions"] if t["code"] == code)


def test_a_draft_with_problems_is_kept_but_cannot_be_published(shop, admin):
    transition(shop, "start")["to"] = "limbo"
    view = draft_save(code="shop", definition=shop, actor=admin.actor)
    assert any("unknown status 'limbo'" in p for p in view.problems)
    with pytest.raises(DomainError) as refused:
        publish(code="shop", actor=admin.actor)
    assert refused.value.code == "preset_invalid"
    assert any("limbo" in p for p in refused.value.details["problems"])
    assert Workflow.objects.filter(code="shop").count() == 1
    assert WorkflowDraft.objects.filter(code="shop").exists()


def test_an_order_started_on_version_1_keeps_its_rules_after_version_2(shop, admin, manager, customer, place):
    old = place(customer)
    transition(shop, "start")["roles"] = ["admin"]
    draft_save(code="shop", definition=shop, actor=admin.actor)
    published = publish(code="shop", actor=admin.actor, user=admin.user, note="Only admins start orders")
    assert published.workflow.version == 2
    assert Change("changed", "transition", "start", ("roles",)) in published.changes
    new = place(customer)
    assert new.workflow_id == published.workflow.pk
    assert manager.api.fire(old.number, "start").body["status"]["code"] == "in_progress"
    assert manager.api.fire(new.number, "start").status == 403
    assert not WorkflowDraft.objects.exists()


def test_publishing_with_orders_in_a_removed_status_requires_the_mapping(shop, admin, manager, customer, place):
    waiting, working = place(customer), place(customer)
    manager.api.fire(working.number, "start")
    renamed = json.loads(json.dumps(shop).replace('"in_progress"', '"working"'))
    draft_save(code="shop", definition=renamed, actor=admin.actor)
    with pytest.raises(DomainError) as refused:
        publish(code="shop", actor=admin.actor, move=True)
    assert refused.value.code == "status_in_use"
    assert refused.value.details["statuses"] == {"in_progress": 1}
    assert Workflow.objects.filter(code="shop").count() == 1, "nothing published"
    assert Order.objects.get(pk=working.pk).status == "in_progress"

    published = publish(code="shop", actor=admin.actor, move=True, mapping={"in_progress": "working"})
    assert (published.moved, published.remapped) == (2, {"in_progress": 1})
    moved = Order.objects.select_related("workflow").get(pk=working.pk)
    assert (moved.status, moved.workflow.version) == ("working", 2)
    row = StatusChange.objects.filter(order=moved).latest("id")
    assert (row.kind, row.from_status, row.to_status, row.comment) == (
        "version",
        "in_progress",
        "working",
        "version 1 → 2",
    )
    assert Stay.objects.filter(order=moved, status="in_progress", left_by="version_move").count() == 1
    kept = Order.objects.select_related("workflow").get(pk=waiting.pk)
    assert (kept.status, kept.workflow.version) == ("new", 2)
    assert StatusChange.objects.filter(order=kept, kind="version", from_status="new", to_status="new").count() == 1
    from ordo.orders.presenters import history_rows

    assert [r["kind"] for r in history_rows(kept, internal=True)][-1] == "version"
    assert "version" not in [r["kind"] for r in history_rows(kept, internal=False)], "the customer sees no change"
    assert history_rows(moved, internal=False)[-1]["to"] == "working"
    assert manager.api.fire(moved.number, "ship").status == 200, "the new version's rules run it"


def test_a_mapping_to_a_status_the_new_version_lacks_is_refused(shop, admin, manager, customer, place):
    manager.api.fire(place(customer).number, "start")
    renamed = json.loads(json.dumps(shop).replace('"in_progress"', '"working"'))
    draft_save(code="shop", definition=renamed, actor=admin.actor)
    with pytest.raises(DomainError) as refused:
        publish(code="shop", actor=admin.actor, move=True, mapping={"in_progress": "nowhere"})
    assert refused.value.code == "preset_invalid"
    assert Workflow.objects.filter(code="shop").count() == 1


def test_a_draft_from_an_older_version_is_refused_after_another_publish(shop, admin, tmp_path):
    from ordo.orders.workflows import PRESET_DIR

    transition(shop, "start")["roles"] = ["admin"]
    draft_save(code="shop", definition=shop, actor=admin.actor)
    path = tmp_path / "shop.toml"
    path.write_text((PRESET_DIR / "shop.toml").read_text().replace('pl = "Realizuj"', 'pl = "Do realizacji"'))
    preset_load_named(str(path))
    with pytest.raises(DomainError) as refused:
        publish(code="shop", actor=admin.actor)
    assert refused.value.code == "version_conflict"


def test_only_admins_edit_and_publish_workflows(shop, manager):
    with pytest.raises(DomainError) as refused:
        draft_save(code="shop", definition=shop, actor=manager.actor)
    assert refused.value.code == "forbidden"
    with pytest.raises(DomainError):
        publish(code="shop", actor=manager.actor)


def test_every_version_stays_readable_with_what_it_changed(shop, admin):
    transition(shop, "start")["roles"] = ["admin"]
    shop["statuses"].append({"code": "returned", "final": True, "labels": {"en": "Returned"}})
    shop["transitions"].append(
        {"code": "return", "from": ["delivered"], "to": "returned", "roles": ["manager"], "labels": {"en": "Return"}}
    )
    draft_save(code="shop", definition=shop, actor=admin.actor)
    publish(code="shop", actor=admin.actor, user=admin.user, note="Returns")
    first, second = Workflow.objects.filter(code="shop").order_by("version")
    assert [str(c) for c in version_changes(second)] == [
        "status returned added",
        "transition start changed (roles)",
        "transition return added",
    ]
    assert (second.published_by, second.note) == (admin.user, "Returns")
    assert first.definition != second.definition


def test_replaying_a_period_through_a_draft_reports_exactly_what_would_differ(
    shop, admin, manager, customer, place, time_machine
):
    from datetime import UTC, datetime

    from ordo.orders.versions import replay

    time_machine.move_to(datetime(2026, 11, 1, 9, tzinfo=UTC), tick=False)
    earlier = place(customer)
    manager.api.fire(earlier.number, "start")
    manager.api.fire(earlier.number, "ship")
    time_machine.move_to(datetime(2026, 11, 20, 9, tzinfo=UTC), tick=False)
    shipped, waiting, cancelled = place(customer), place(customer), place(customer)
    manager.api.fire(shipped.number, "start")
    manager.api.fire(shipped.number, "ship")
    manager.api.fire(cancelled.number, "cancel")

    draft = json.loads(json.dumps(shop).replace('"cancelled"', '"annulled"'))
    transition(draft, "ship")["from"] = ["new"]
    draft["timers"] = [{"status": "new", "after": "2d", "fire": "cancel"}]
    found = replay(
        code="shop",
        definition=draft,
        start=datetime(2026, 11, 15, tzinfo=UTC),
        end=datetime(2026, 11, 21, tzinfo=UTC),
    )
    assert found.orders == 3
    assert [(r.number, r.transition, r.from_status, r.to_status, r.reason) for r in found.refused] == [
        (shipped.number, "ship", "in_progress", "shipped", "not_from"),
        (cancelled.number, "cancel", "new", "cancelled", "elsewhere"),
    ]
    assert found.removed == [(cancelled.number, "cancelled")]
    assert [(t.number, t.status, t.transition, t.before, t.after) for t in found.timers] == [
        (waiting.number, "new", "cancel", None, datetime(2026, 11, 22, 9, tzinfo=UTC)),
    ]
    assert Workflow.objects.filter(code="shop").count() == 1, "a replay changes nothing"
