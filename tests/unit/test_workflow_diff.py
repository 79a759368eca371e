"""The difference between two workflow definitions, as a person reads it."""

from ordo.workflow.diff import Change, definition_diff, removed_statuses

OLD = {
    "code": "shop",
    "labels": {"en": "Shop"},
    "statuses": [{"code": "new"}, {"code": "done", "final": True}],
    "transitions": [{"code": "finish", "from": ["new"], "to": "done", "roles": ["manager"]}],
    "timers": [{"status": "new", "after": "2d", "fire": "finish"}],
}


def test_identical_definitions_differ_in_nothing():
    assert definition_diff(OLD, dict(OLD)) == []


def test_each_kind_of_change_is_named_with_its_fields():
    new = {
        **OLD,
        "labels": {"en": "Store"},
        "statuses": [{"code": "new"}, {"code": "closed", "final": True}],
        "transitions": [{"code": "finish", "from": ["new"], "to": "closed", "roles": ["manager", "admin"]}],
        "timers": [{"status": "new", "after": "3d", "fire": "finish"}],
    }
    assert definition_diff(OLD, new) == [
        Change("changed", "workflow", "shop", ("labels",)),
        Change("added", "status", "closed"),
        Change("removed", "status", "done"),
        Change("changed", "transition", "finish", ("roles", "to")),
        Change("changed", "timer", "new → finish", ("after",)),
    ]
    assert removed_statuses(OLD, new) == ["done"]


def test_a_first_version_adds_everything():
    assert [str(c) for c in definition_diff({}, OLD)][:3] == [
        "workflow shop changed (code, labels)",
        "status new added",
        "status done added",
    ]
