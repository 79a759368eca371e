"""The whole configuration as preset TOML: export, import into an empty database, export again."""

from __future__ import annotations

import tomllib

import pytest

from ordo.configuration import config_export, config_import
from ordo.errors import DomainError
from ordo.orders.models import DiscountTier, OrderType, Workflow
from ordo.payments.models import PaymentChannel
from ordo.taxes.models import CategoryClass, TaxRate

pytestmark = pytest.mark.django_db

PRESETS = ["furniture", "autoparts", "shop", "smm", "print"]


def _empty() -> None:
    OrderType.objects.all().delete()
    Workflow.objects.all().delete()
    for model in (PaymentChannel, TaxRate, CategoryClass, DiscountTier):
        model.objects.all().delete()


@pytest.mark.parametrize("preset", PRESETS)
def test_export_import_export_gives_the_same_file(load_preset, preset):
    load_preset(preset)
    exported = config_export()
    _empty()
    loaded = config_import(exported)
    assert loaded.created
    assert config_export() == exported


def test_the_export_holds_types_checkout_channels_taxes_and_workflows(load_preset):
    load_preset("shop")
    data = tomllib.loads(config_export())
    assert data["preset"]["currency"] == "PLN"
    assert data["types"]["regular"]["workflow"] == "shop"
    assert [o["code"] for o in data["checkout"]["regular"]["shipping"]] == ["courier", "pickup"]
    assert [c["code"] for c in data["payment_channels"]] == ["card", "cash", "transfer", "wallet"]
    assert data["taxes"]["categories"] == {"Herbata": "super_reduced"}
    assert {"class": "standard", "rate": "23", "from": __import__("datetime").date(2011, 1, 1)} in data["taxes"][
        "rates"
    ]
    assert [w["code"] for w in data["workflows"]] == ["shop"]


def test_an_export_carries_the_current_version_of_an_edited_workflow(load_preset, admin):
    from ordo.orders.versions import draft_save, publish

    load_preset("smm")
    definition = dict(Workflow.objects.get(code="smm").definition)
    definition["timers"] = [{"status": "pending_payment", "after": "2d", "fire": "cancel"}]
    draft_save(code="smm", definition=definition, actor=admin.actor)
    publish(code="smm", actor=admin.actor)
    data = tomllib.loads(config_export())
    smm = next(w for w in data["workflows"] if w["code"] == "smm")
    assert smm["timers"] == [{"status": "pending_payment", "after": "2d", "fire": "cancel"}]


def test_a_broken_import_is_refused_with_its_problems_and_changes_nothing(load_preset):
    load_preset("shop")
    text = config_export().replace('to = "in_progress"', 'to = "limbo"', 1)
    with pytest.raises(DomainError) as refused:
        config_import(text)
    assert any("limbo" in p for p in refused.value.details["problems"])
    assert Workflow.objects.filter(code="shop").count() == 1
    with pytest.raises(DomainError):
        config_import("this is = not [toml")


def test_admins_export_and_import_the_configuration_over_the_api(load_preset, admin, manager):
    load_preset("autoparts")
    exported = admin.api.get("/config")
    assert exported.status == 200
    assert exported.headers["Content-Type"].startswith("application/toml")
    text = exported.body
    edited = text.replace('en = "Reserve"', 'en = "Hold"', 1)
    loaded = admin.api.put("/config", {"toml": edited})
    assert (loaded.status, loaded.body["updated"]) == (200, ["autoparts"])
    assert Workflow.objects.get(code="autoparts", current=True).version == 2
    refused = admin.api.put("/config", {"toml": "[preset]\ncode = 1"})
    assert (refused.status, refused.body["error"]) == (422, "preset_invalid")
    assert manager.api.get("/config").status == 403
    assert manager.api.put("/config", {"toml": text}).status == 403


def test_the_cli_writes_the_configuration_to_a_file(load_preset, tmp_path, capsys):
    from ordo.cli import main

    load_preset("print")
    path = tmp_path / "print.toml"
    assert main(["preset", "export", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == config_export()
