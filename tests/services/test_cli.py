"""The ordo command, run in-process against the test database."""

import pytest

from ordo.cli import main

pytestmark = pytest.mark.django_db


def test_preset_load_and_graph(capsys):
    assert main(["preset", "load", "autoparts"]) == 0
    assert "Preset autoparts loaded: created autoparts" in capsys.readouterr().out
    assert main(["workflow", "graph", "autoparts", "--language", "ru"]) == 0
    assert 'state "Резерв" as reserve' in capsys.readouterr().out


def test_graph_of_unknown_workflow_fails(capsys):
    assert main(["workflow", "graph", "nope"]) == 1
    assert "No workflow 'nope'" in capsys.readouterr().err


def test_validate_lists_problems(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[preset]\ncode = "x"\n[types]\nregular = { workflow = "w" }\n')
    assert main(["workflow", "validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "problem(s)" in err
    assert "English label" in err
    assert "'w' is not an order workflow" in err


def test_user_and_token_create(capsys):
    assert main(["user", "create", "kim", "--role", "manager", "--email", "kim@example.org"]) == 0
    assert "User kim (manager) created. Password: " in capsys.readouterr().out
    assert main(["token", "create", "kim"]) == 0
    token = capsys.readouterr().out.strip()
    assert token.startswith("ordo_")
    assert len(token) > 40
    assert main(["user", "create", "kim", "--role", "manager"]) == 1


def test_demo_prints_credentials_and_places_orders(capsys, settings, tmp_path):
    from ordo.orders.models import Order

    settings.VAR_DIR = tmp_path
    assert main(["demo", "--preset", "smm"]) == 0
    out = capsys.readouterr().out
    assert "demo-admin" in out
    assert "demo-customer" in out
    assert "password:" in out
    assert Order.objects.filter(workflow__code="smm").exists()
    first = Order.objects.order_by("id").first()
    assert (first.manager.username, first.partner.code, first.source) == ("demo-manager", "demo-partner", "panel")
    assert "demo-contractor" in out
    assert (tmp_path / "demo-credentials.json").stat().st_mode & 0o077 == 0
    first_password = out.split("demo-admin")[1].split("password: ")[1].split()[0]
    assert main(["demo", "--preset", "smm"]) == 0
    assert first_password in capsys.readouterr().out


def test_token_revoke(capsys):
    from ordo.accounts.services import token_find

    assert main(["user", "create", "rita", "--role", "manager"]) == 0
    capsys.readouterr()
    assert main(["token", "create", "rita", "--source", "app"]) == 0
    key = capsys.readouterr().out.strip()
    assert token_find(key).source == "app"
    assert main(["token", "revoke", key[:12]]) == 0
    assert token_find(key) is None
    assert main(["token", "revoke", key[:12]]) == 1


@pytest.mark.parametrize("preset", ["shop", "furniture", "autoparts", "print", "smm"])
def test_each_presets_demo_has_orders_in_several_statuses_and_the_people_its_story_needs(
    capsys, settings, tmp_path, preset
):
    from ordo.orders.models import Order

    settings.VAR_DIR = tmp_path
    assert main(["demo", "--preset", preset]) == 0
    statuses = set(Order.objects.values_list("status", flat=True))
    assert len(statuses) >= 2, statuses
    if preset == "shop":
        assert Order.objects.filter(courier__name="Demo courier").exists()
    if preset == "print":
        assert Order.objects.filter(contractor__username="demo-contractor").exists()


def test_demo_of_another_preset_on_a_used_database_says_so_and_changes_nothing(capsys, settings, tmp_path):
    from ordo.orders.models import Order

    settings.VAR_DIR = tmp_path
    assert main(["demo", "--preset", "shop"]) == 0
    before = Order.objects.count()
    assert main(["demo", "--preset", "furniture"]) == 2
    err = capsys.readouterr().err
    assert "another preset (workflows: shop)" in err
    assert "ordo demo --preset furniture --reset" in err
    assert Order.objects.count() == before
    assert not Order.objects.filter(workflow__code="furniture").exists()


def test_migrate_says_the_database_is_up_to_date(capsys):
    assert main(["migrate"]) == 0
    assert "is up to date" in capsys.readouterr().out


def test_serve_takes_its_processes_and_threads_from_flags_or_the_environment(monkeypatch):
    from ordo import server

    asked: list[dict] = []
    monkeypatch.setattr(server, "serve", lambda **kwargs: asked.append(kwargs))
    monkeypatch.setenv("ORDO_WEB_WORKERS", "3")
    monkeypatch.setenv("ORDO_WEB_THREADS", "1")
    assert main(["serve", "--no-worker"]) in (0, None)
    assert main(["serve", "--workers", "4", "--threads", "2"]) in (0, None)
    assert [(a["workers"], a["threads"], a["with_worker"]) for a in asked] == [(3, 1, False), (4, 2, True)]


@pytest.mark.parametrize("bad", [["--threads", "0"], ["--workers", "-2"], ["--threads", "four"]])
def test_serve_refuses_a_count_below_one_with_a_clear_message(bad, capsys, monkeypatch):
    from ordo import server

    monkeypatch.setattr(server, "serve", lambda **kwargs: pytest.fail("served"))
    with pytest.raises(SystemExit) as refused:
        main(["serve", *bad])
    assert refused.value.code == 2
    assert f"{bad[1]!r} is not a whole number of at least 1" in capsys.readouterr().err


def test_serve_refuses_a_bad_count_in_the_environment(capsys, monkeypatch):
    monkeypatch.setenv("ORDO_WEB_THREADS", "0")
    with pytest.raises(SystemExit):
        main(["serve"])
    assert "argument --threads: '0' is not a whole number of at least 1" in capsys.readouterr().err
