"""Loading presets into the database: all or nothing; statuses in use cannot disappear."""

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
    assert Workflow.objects.get(code="shop").version == 2


def test_a_broken_preset_is_refused_with_every_problem_and_nothing_changes(load_preset, tmp_path):
    load_preset("shop")
    before = Workflow.objects.get(code="shop").definition
    path = edited(tmp_path, 'to = "in_progress"', 'to = "limbo"')
    with pytest.raises(DomainError) as refused:
        preset_load_named(path)
    problems = refused.value.details["problems"]
    assert any("unknown status 'limbo'" in p for p in problems)
    assert any("'in_progress' cannot be reached" in p for p in problems)
    assert Workflow.objects.get(code="shop").definition == before


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


def test_a_status_in_use_cannot_be_removed(load_preset, tmp_path, customer, place):
    load_preset("shop")
    order = place(customer)
    path = tmp_path / "shop.toml"
    path.write_text(SHRUNK_SHOP)
    with pytest.raises(DomainError) as refused:
        preset_load_named(str(path))
    assert (
        "workflow shop: status 'new' is still used by orders and cannot be removed" in refused.value.details["problems"]
    )
    assert Order.objects.get(pk=order.pk).status == "new"
    assert Workflow.objects.get(code="shop").version == 1
