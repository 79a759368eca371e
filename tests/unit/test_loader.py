"""Presets load; a bad workflow is refused with every problem listed."""

import tomllib
from datetime import timedelta
from pathlib import Path

import pytest

from ordo.orders.effects import EFFECTS as registered_effects
from ordo.workflow.loader import (
    PresetError,
    format_duration,
    load_preset_file,
    parse_duration,
    preset_from_dict,
    validate,
    workflow_from_dict,
)
from ordo.workflow.render import mermaid

PRESETS = Path(__file__).resolve().parents[2] / "src" / "ordo" / "presets"
EFFECTS = set(registered_effects)  # the real registry: it imports no Django


@pytest.mark.parametrize("name", ["furniture", "autoparts", "shop", "smm", "print"])
def test_every_shipped_preset_is_valid(name):
    preset = load_preset_file(PRESETS / f"{name}.toml", EFFECTS)
    assert preset.code == name
    assert "regular" in {t.code for t in preset.types}


def _labels(node, where=""):
    """Every ``labels`` table in a parsed preset, with where it was found."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "labels":
                yield f"{where}/{node.get('code', '')}", value
            else:
                yield from _labels(value, f"{where}/{key}")
    elif isinstance(node, list):
        for value in node:
            yield from _labels(value, where)


@pytest.mark.parametrize("name", ["furniture", "autoparts", "shop", "smm", "print"])
def test_every_shipped_label_speaks_the_four_languages(name):
    parsed = tomllib.loads((PRESETS / f"{name}.toml").read_text())
    labels = list(_labels(parsed))
    assert len(labels) > 10
    gaps = [(where, sorted({"en", "ru", "pl", "fi"} - set(texts))) for where, texts in labels]
    assert [(where, gap) for where, gap in gaps if gap] == []


def test_print_timers_are_the_seed_rules():
    print_wf = load_preset_file(PRESETS / "print.toml").workflows[0]
    rules = {(t.status, t.transition): (t.after, t.warn_before) for t in print_wf.timers}
    week = timedelta(weeks=1)
    assert rules == {
        ("placed", "start_print"): (2 * week, None),
        ("in_print", "finish_print"): (2 * week, None),
        ("printed", "ship"): (2 * week, None),
        ("shipped", "arrive"): (4 * week, week),
        ("at_pickup_point", "hand_over"): (16 * week, week),
        ("awaiting_payment", "cancel"): (4 * week, None),
        ("printed_with_defect", "cancel"): (4 * week, None),
        ("returned", "cancel"): (2 * week, None),
    }


def _status(code, final=False):
    return {"code": code, "labels": {"en": code}, "final": final}


def _transition(code, sources, target, roles=("manager",), **extra):
    return {
        "code": code,
        "from": list(sources),
        "to": target,
        "roles": list(roles),
        "labels": {"en": code},
    } | extra


def test_validate_lists_every_problem_at_once():
    data = {
        "code": "broken",
        "statuses": [_status("a"), _status("b"), _status("b"), _status("island"), _status("done", True)],
        "transitions": [
            _transition("go", ["a"], "b", guards=["no_such_guard"], effects=["no_such_effect"]),
            _transition("go", ["b"], "nowhere"),
            _transition("finish", ["b"], "done", roles=["wizard"]),
        ],
        "timers": [{"status": "done", "after": "1d", "fire": "finish"}],
    }
    workflow, shape = workflow_from_dict(data)
    assert shape == []
    messages = "\n".join(str(p) for p in validate(workflow, EFFECTS))
    for expected in [
        "status 'b' is declared 2 times",
        "transition 'go' is declared 2 times",
        "unknown status 'nowhere' in 'to'",
        "unknown guard 'no_such_guard'",
        "unknown effect 'no_such_effect'",
        "unknown role 'wizard'",
        "status 'island' cannot be reached",
        "status 'island' has no way out",
        "'done' is final",
        "does not leave 'done'",
    ]:
        assert expected in messages


def test_a_status_without_a_way_out_must_be_final():
    workflow, _ = workflow_from_dict(
        {
            "code": "w",
            "statuses": [_status("a"), _status("b")],
            "transitions": [_transition("go", ["a"], "b")],
        }
    )
    assert [p.message for p in validate(workflow)] == ["status 'b' has no way out and is not marked final"]


def test_shape_errors_are_collected_not_raised():
    _workflow, shape = workflow_from_dict({"code": "w", "statuses": [{"labels": {"ru": "x"}}], "transitions": 5})
    messages = " | ".join(str(p) for p in shape)
    assert "'code' must be a non-empty string" in messages
    assert "English label" in messages
    assert "'transitions' must be a list of tables" in messages


def test_bad_preset_raises_with_all_problems():
    with pytest.raises(PresetError) as caught:
        preset_from_dict(
            {
                "preset": {"code": "p", "labels": {"en": "P"}, "currency": "euro"},
                "types": {"quick": {"workflow": "missing"}},
                "workflows": [{"code": "w", "statuses": [_status("a", True)], "transitions": []}],
            }
        )
    text = str(caught.value)
    assert "currency 'euro'" in text
    assert "'regular'" in text
    assert "'missing' is not an order workflow" in text


def test_invalid_toml_is_a_preset_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[preset\ncode=")
    with pytest.raises(PresetError, match="not valid TOML"):
        load_preset_file(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3d", timedelta(days=3)),
        ("24h", timedelta(hours=24)),
        ("1w3d", timedelta(days=10)),
        ("90m", timedelta(minutes=90)),
    ],
)
def test_durations(text, expected):
    assert parse_duration(text) == expected
    assert parse_duration(format_duration(expected)) == expected


@pytest.mark.parametrize("text", ["", "3", "3 days", "d3", "-1d"])
def test_bad_durations_are_refused(text):
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_mermaid_draws_every_edge_and_the_timer():
    autoparts = load_preset_file(PRESETS / "autoparts.toml").workflows[0]
    drawn = mermaid(autoparts)
    assert drawn.startswith("stateDiagram-v2\n")
    assert "[*] --> new" in drawn
    assert "reserve --> cancelled : Reservation expired (after 3d)" in drawn
    assert "    shipped --> [*]" in drawn
    assert 'state "Новый" as new' in mermaid(autoparts, "ru")
