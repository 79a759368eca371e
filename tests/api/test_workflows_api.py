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
