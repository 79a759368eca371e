"""The engine decides without a database: status first, then role, then every guard."""

from decimal import Decimal
from pathlib import Path

from ordo.workflow.engine import Decision, Refusal, RefusalCode, available, decide, first_for_event
from ordo.workflow.loader import load_preset_file
from ordo.workflow.snapshot import SYSTEM, Actor, ItemFacts, Snapshot

PRESETS = Path(__file__).resolve().parents[2] / "src" / "ordo" / "presets"
CUSTOMER = Actor(role="customer", id=1)
MANAGER = Actor(role="manager", id=2)
ADMIN = Actor(role="admin", id=3)


def workflow(preset: str, code: str | None = None):
    loaded = load_preset_file(PRESETS / f"{preset}.toml")
    return next(w for w in loaded.workflows if w.code == (code or preset))


def snap(status: str, **kwargs) -> Snapshot:
    kwargs.setdefault("items", (ItemFacts(id=1),))
    return Snapshot(status=status, **kwargs)


def test_customer_submits_a_draft_with_items():
    decision = decide(workflow("furniture"), snap("draft"), "submit", CUSTOMER)
    assert isinstance(decision, Decision)
    assert (decision.source, decision.target) == ("draft", "under_review")


def test_transition_from_wrong_status_is_refused_before_role():
    refusal = decide(workflow("furniture"), snap("reviewed"), "approve", CUSTOMER)
    assert isinstance(refusal, Refusal)
    assert refusal.code is RefusalCode.WRONG_STATUS


def test_expected_status_mismatch_is_status_changed():
    refusal = decide(workflow("furniture"), snap("reviewed"), "launch", CUSTOMER, expected_status="draft")
    assert isinstance(refusal, Refusal)
    assert refusal.code is RefusalCode.STATUS_CHANGED


def test_wrong_role_is_forbidden():
    refusal = decide(workflow("furniture"), snap("under_review"), "approve", CUSTOMER)
    assert isinstance(refusal, Refusal)
    assert refusal.code is RefusalCode.FORBIDDEN


def test_unknown_transition_is_named():
    refusal = decide(workflow("shop"), snap("new"), "teleport", MANAGER)
    assert isinstance(refusal, Refusal)
    assert refusal.code is RefusalCode.UNKNOWN_TRANSITION


def test_every_failed_guard_is_listed():
    refusal = decide(workflow("furniture"), snap("draft", items=()), "submit", CUSTOMER)
    assert isinstance(refusal, Refusal)
    assert refusal.code is RefusalCode.GUARDS_FAILED
    assert [g.code for g in refusal.failed_guards] == ["has_items"]


def test_customer_may_cancel_before_payment_but_not_in_production():
    furniture = workflow("furniture")
    assert isinstance(decide(furniture, snap("awaiting_payment"), "cancel", CUSTOMER), Decision)
    refusal = decide(furniture, snap("in_production"), "cancel", CUSTOMER)
    assert isinstance(refusal, Refusal)
    assert refusal.code is RefusalCode.FORBIDDEN
    assert isinstance(decide(furniture, snap("in_production"), "cancel", ADMIN), Decision)


def test_return_needs_a_comment():
    furniture = workflow("furniture")
    refusal = decide(furniture, snap("under_review"), "return", MANAGER)
    assert isinstance(refusal, Refusal)
    assert [g.code for g in refusal.failed_guards] == ["comment_required"]
    assert isinstance(decide(furniture, snap("under_review"), "return", MANAGER, comment="fix edging"), Decision)


def test_people_cannot_fire_system_transitions():
    refusal = decide(workflow("furniture"), snap("awaiting_payment"), "start_production", ADMIN)
    assert isinstance(refusal, Refusal)
    assert refusal.code is RefusalCode.FORBIDDEN


def test_full_payment_event_goes_to_production_when_materials_are_in_stock():
    paid = snap("awaiting_payment", total=Decimal("100"), paid=Decimal("100"))
    decision = first_for_event(workflow("furniture"), paid, "payment.paid", SYSTEM)
    assert decision is not None
    assert decision.target == "in_production"


def test_full_payment_event_waits_for_materials_when_one_is_short():
    short = snap(
        "awaiting_payment",
        total=Decimal("100"),
        paid=Decimal("100"),
        items=(ItemFacts(id=1), ItemFacts(id=2, in_stock=False)),
    )
    decision = first_for_event(workflow("furniture"), short, "payment.paid", SYSTEM)
    assert decision is not None
    assert decision.target == "awaiting_materials"


def test_partial_payment_moves_nothing():
    half = snap("awaiting_payment", total=Decimal("100"), paid=Decimal("50"))
    assert first_for_event(workflow("furniture"), half, "payment.paid", SYSTEM) is None


def test_picking_needs_prepayment_or_deferral():
    autoparts = workflow("autoparts")
    unpaid = snap("in_work", total=Decimal("10"))
    refusal = decide(autoparts, unpaid, "start_picking", MANAGER)
    assert isinstance(refusal, Refusal)
    assert [g.code for g in refusal.failed_guards] == ["paid_or_deferred"]
    deferred = snap("in_work", total=Decimal("10"), deferred_payment=True)
    assert isinstance(decide(autoparts, deferred, "start_picking", MANAGER), Decision)


def test_available_lists_the_callers_options_with_blocking_guards():
    options = available(workflow("autoparts"), snap("in_work", total=Decimal("10")), MANAGER)
    by_code = {o.transition.code: o for o in options}
    assert set(by_code) == {"start_picking", "cancel"}
    assert not by_code["start_picking"].enabled
    assert by_code["cancel"].enabled


def test_available_hides_what_the_role_cannot_do():
    options = available(workflow("autoparts"), snap("in_work"), CUSTOMER)
    assert options == []


def test_smm_completes_only_when_every_item_is_final():
    smm = workflow("smm")
    open_items = snap("processing", items=(ItemFacts(1, "completed", True), ItemFacts(2, "processing")))
    assert first_for_event(smm, open_items, "items.all_final", SYSTEM) is None
    done = snap("processing", items=(ItemFacts(1, "completed", True), ItemFacts(2, "cancelled", True)))
    decision = first_for_event(smm, done, "items.all_final", SYSTEM)
    assert decision is not None
    assert decision.target == "completed"


def test_an_employee_cannot_move_orders_outside_their_allowed_statuses():
    limited = Actor(role="manager", id=9, allowed_statuses=frozenset({"reviewed"}))
    furniture = workflow("furniture")
    assert isinstance(decide(furniture, snap("under_review"), "approve", limited), Decision)
    refusal = decide(furniture, snap("under_review"), "return", limited, comment="why")
    assert isinstance(refusal, Refusal)
    assert refusal.code is RefusalCode.FORBIDDEN
    assert [o.transition.code for o in available(furniture, snap("under_review"), limited)] == ["approve"]


def test_the_system_is_not_limited_by_allowed_statuses():
    system = Actor(role="system", allowed_statuses=frozenset())
    paid = snap("awaiting_payment", total=Decimal("1"), paid=Decimal("1"))
    assert first_for_event(workflow("furniture"), paid, "payment.paid", system) is not None
