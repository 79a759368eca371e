"""/workflows: staff read the configured workflows, as data or as a Mermaid diagram."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def smm(load_preset):
    load_preset("smm")


def test_staff_list_workflows_with_their_statuses(manager):
    listed = {w["code"]: w for w in manager.api.get("/workflows").body}
    assert set(listed) == {"smm", "smm_item"}
    assert listed["smm_item"]["scope"] == "item"
    assert [s["code"] for s in listed["smm"]["statuses"]] == [
        "pending_payment",
        "processing",
        "completed",
        "cancelled",
        "refunded",
    ]


def test_a_workflow_as_data(manager):
    body = manager.api.get("/workflows/smm").body
    assert body["version"] == 1
    assert body["definition"]["timers"] == [{"status": "pending_payment", "after": "24h", "fire": "cancel"}]


def test_a_workflow_as_mermaid_in_finnish(manager):
    response = manager.api.client.get(
        "/api/v1/workflows/smm",
        {"format": "mermaid"},
        headers={**manager.api.headers, "Accept-Language": "fi"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/vnd.mermaid")
    text = response.content.decode()
    assert text.startswith("stateDiagram-v2")
    assert 'state "Odottaa maksua" as pending_payment' in text


def test_unknown_workflow_is_404(manager):
    response = manager.api.get("/workflows/nope")
    assert (response.status, response.body["error"]) == (404, "not_found")


def test_customers_cannot_read_workflows(customer):
    assert customer.api.get("/workflows").status == 403


def _placed(customer) -> int:
    from tests.conftest import sell

    line = {"sku": "FOLLOW-1K", "name": "1000 followers", "quantity": 1, "unit_price": "12.00"}
    sell([line])
    placed = customer.api.post("/orders", {"items": [{**line, "target": "https://instagram.com/cora"}]})
    assert placed.status == 201, placed.body
    return placed.body["number"]


def _renamed(definition: dict, old: str, new: str) -> dict:
    import json

    return json.loads(json.dumps(definition).replace(f'"{old}"', f'"{new}"'))


def test_an_admin_edits_a_draft_publishes_it_and_reads_every_version(admin, customer):
    draft = admin.api.get("/workflows/smm/draft").body
    assert (draft["base_version"], draft["problems"], draft["changes"]) == (1, [], [])
    definition = draft["definition"]
    definition["timers"] = [{"status": "pending_payment", "after": "48h", "fire": "cancel"}]
    saved = admin.api.put("/workflows/smm/draft", {"definition": definition}).body
    assert saved["changes"] == ["timer pending_payment → cancel changed (after)"]
    published = admin.api.post("/workflows/smm/draft/publish", {"note": "Two days to pay"})
    assert published.status == 200, published.body
    assert (published.body["version"], published.body["moved"]) == (2, 0)
    listed = admin.api.get("/workflows/smm/versions").body
    assert [(v["version"], v["current"], v["published_by"], v["note"]) for v in listed] == [
        (2, True, "alice-admin", "Two days to pay"),
        (1, False, None, "preset smm"),
    ]
    first = admin.api.get("/workflows/smm/versions/1").body
    assert first["definition"]["timers"][0]["after"] == "24h"
    assert admin.api.get("/workflows/smm").body["version"] == 2
    assert admin.api.get("/workflows/smm/versions/9").status == 404


def test_a_draft_with_problems_is_saved_but_publishing_it_is_422(admin):
    definition = admin.api.get("/workflows/smm/draft").body["definition"]
    definition["transitions"][0]["to"] = "limbo"
    saved = admin.api.put("/workflows/smm/draft", {"definition": definition}).body
    assert any("limbo" in p for p in saved["problems"])
    refused = admin.api.post("/workflows/smm/draft/publish", {})
    assert (refused.status, refused.body["error"]) == (422, "preset_invalid")
    assert admin.api.delete("/workflows/smm/draft").status == 204
    assert admin.api.get("/workflows/smm/draft").body["problems"] == []


def test_a_removed_status_in_use_asks_for_a_mapping_over_the_api(admin, customer):
    number = _placed(customer)
    definition = _renamed(admin.api.get("/workflows/smm/draft").body["definition"], "pending_payment", "awaiting")
    saved = admin.api.put("/workflows/smm/draft", {"definition": definition}).body
    assert saved["in_use"] == {"pending_payment": 1}
    refused = admin.api.post("/workflows/smm/draft/publish", {"move": True})
    assert (refused.status, refused.body["error"], refused.body["statuses"]) == (
        409,
        "status_in_use",
        {"pending_payment": 1},
    )
    moved = admin.api.post("/workflows/smm/draft/publish", {"move": True, "mapping": {"pending_payment": "awaiting"}})
    assert (moved.status, moved.body["moved"], moved.body["remapped"]) == (200, 1, {"pending_payment": 1})
    assert customer.api.get(f"/orders/{number}").body["status"]["code"] == "awaiting"


def test_the_replay_lists_what_the_draft_would_change(admin, customer):
    number = _placed(customer)
    draft = admin.api.get("/workflows/smm/draft").body["definition"]
    draft["timers"] = [{"status": "pending_payment", "after": "12h", "fire": "cancel"}]
    admin.api.put("/workflows/smm/draft", {"definition": draft})
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    found = admin.api.post("/workflows/smm/draft/replay", {"start": today, "end": today}).body
    assert found["orders"] == 1
    assert [(t["number"], t["transition"]) for t in found["timers"]] == [(number, "cancel")]
    assert found["timers"][0]["after"] < found["timers"][0]["before"]


def test_only_admins_reach_versions_and_drafts(manager):
    assert manager.api.get("/workflows/smm/versions").status == 403
    assert manager.api.get("/workflows/smm/draft").status == 403
    assert manager.api.put("/workflows/smm/draft", {"definition": {}}).status == 403
    assert manager.api.post("/workflows/smm/draft/publish", {}).status == 403
