"""Properties over generated workflows."""

from hypothesis import given, settings
from hypothesis import strategies as st

from ordo.workflow.definition import Status, Transition, Workflow
from ordo.workflow.engine import Decision, available, decide
from ordo.workflow.loader import validate
from ordo.workflow.snapshot import Actor, Snapshot

ROLES = ["admin", "manager", "customer"]


@st.composite
def workflows(draw):
    n = draw(st.integers(min_value=1, max_value=8))
    codes = [f"s{i}" for i in range(n)]
    finals = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    statuses = tuple(Status(code, {"en": code}, final) for code, final in zip(codes, finals, strict=True))
    edges = draw(
        st.lists(
            st.tuples(
                st.lists(st.sampled_from(codes), min_size=1, max_size=3, unique=True),
                st.sampled_from(codes),
                st.sets(st.sampled_from(ROLES), min_size=1),
            ),
            max_size=12,
        )
    )
    transitions = tuple(
        Transition(f"t{i}", tuple(sources), target, frozenset(roles), labels={"en": f"t{i}"})
        for i, (sources, target, roles) in enumerate(edges)
    )
    return Workflow(code="gen", statuses=statuses, transitions=transitions)


def closure(workflow: Workflow) -> set[str]:
    """Reachability by fixed point over the edge list: a different algorithm from the loader's BFS."""
    reached = {workflow.initial}
    changed = True
    while changed:
        changed = False
        for t in workflow.transitions:
            if reached.intersection(t.sources) and t.target not in reached:
                reached.add(t.target)
                changed = True
    return reached


@settings(max_examples=200)
@given(workflows(), st.data())
def test_decide_never_lands_outside_the_graph(workflow, data):
    status = data.draw(st.sampled_from([s.code for s in workflow.statuses]))
    role = data.draw(st.sampled_from(ROLES))
    actor = Actor(role=role)
    for transition in workflow.transitions:
        decision = decide(workflow, Snapshot(status=status), transition.code, actor)
        if isinstance(decision, Decision):
            assert decision.source == status
            assert status in transition.sources
            assert role in transition.roles
            assert workflow.status(decision.target) is not None
    for option in available(workflow, Snapshot(status=status), actor):
        assert status in option.transition.sources


@settings(max_examples=200)
@given(workflows())
def test_validate_reports_exactly_the_unreachable_statuses(workflow):
    reported = {p.message.split("'")[1] for p in validate(workflow) if "cannot be reached" in p.message}
    assert reported == {s.code for s in workflow.statuses} - closure(workflow)


@settings(max_examples=200)
@given(workflows())
def test_validate_reports_every_dead_end(workflow):
    reported = {p.message.split("'")[1] for p in validate(workflow) if "has no way out" in p.message}
    dead = {
        s.code for s in workflow.statuses if not s.final and not any(s.code in t.sources for t in workflow.transitions)
    }
    assert reported == dead
