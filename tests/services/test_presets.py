"""Loading presets into the database: all or nothing; a changed workflow is its next version and
orders already placed keep theirs."""

from pathlib import Path

import pytest

from ordo.errors import DomainError
from ordo.orders.models import Order, OrderType, Workflow
from ordo.orders.workflows import PRESET_DIR, preset_load_named
from ordo.payments.models import PaymentChannel

pytestmark = pytest.mark.django_db


def test_every_preset_loads(load_preset):
    for name in ["furniture", "autoparts", "shop", "smm", "print"]:
        load_preset(name)
    assert set(Workflow.objects.values_list("code", flat=True)) == {
        "furniture",
        "autoparts",
        "shop",
        "smm",
        "smm_item",
        "print",
        "print_digital",
        "topup",
    }
    assert OrderType.objects.get(code="regular").workflow.code == "print"
    assert {"cash", "invoice", "card", "transfer", "paypal", "wallet"} <= set(
        PaymentChannel.objects.values_list("code", flat=True)
    )


def edited(tmp_path: Path, old: str, new: str) -> str:
    text = (PRESET_DIR / "shop.toml").read_text()
    assert old in text
    path = tmp_path / "shop.toml"
    path.write_text(text.replace(old, new))
    return str(path)


def test_an_edited_preset_bumps_the_version(load_preset, tmp_path):
    load_preset("shop")
    loaded = preset_load_named(edited(tmp_path, 'pl = "Realizuj"', 'pl = "Do realizacji"'))
    assert loaded.updated == ("shop",)
    assert Workflow.objects.get(code="shop", current=True).version == 2
    assert Workflow.objects.get(code="shop", version=1).current is False
    assert OrderType.objects.get(code="regular").workflow.version == 2


def test_a_broken_preset_is_refused_with_every_problem_and_nothing_changes(load_preset, tmp_path):
    load_preset("shop")
    before = Workflow.objects.get(code="shop", current=True).definition
    path = edited(tmp_path, 'to = "in_progress"', 'to = "limbo"')
    with pytest.raises(DomainError) as refused:
        preset_load_named(path)
    problems = refused.value.details["problems"]
    assert any("unknown status 'limbo'" in p for p in problems)
    assert any("'in_progress' cannot be reached" in p for p in problems)
    assert Workflow.objects.get(code="shop", current=True).definition == before
    assert Workflow.objects.filter(code="shop").count() == 1


SHRUNK_SHOP = """
[preset]
code = "shop"
labels = { en = "Shop without 'new'" }
currency = "PLN"
[types]
regular = { workflow = "shop" }
[[workflows]]
code = "shop"
statuses = [
  { code = "in_progress", labels = { en = "In progress" } },
  { code = "done", final = true, labels = { en = "Done" } },
]
[[workflows.transitions]]
code = "finish"
from = ["in_progress"]
to = "done"
roles = ["manager"]
labels = { en = "Finish" }
"""


def test_a_preset_without_a_status_in_use_leaves_its_orders_on_their_version(load_preset, tmp_path, customer, place):
    load_preset("shop")
    order = place(customer)
    path = tmp_path / "shop.toml"
    path.write_text(SHRUNK_SHOP)
    loaded = preset_load_named(str(path))
    assert loaded.updated == ("shop",)
    order = Order.objects.select_related("workflow").get(pk=order.pk)
    assert (order.status, order.workflow.version) == ("new", 1)
    assert OrderType.objects.get(code="regular").workflow.version == 2
