"""Named guards: predicates over a snapshot that must hold before a transition fires.

A guard returns a ``GuardResult`` with a stable code and a human message, so the API (422) and the
desk ("why can't I press this?") explain a refusal the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ordo.workflow.snapshot import Snapshot


@dataclass(frozen=True)
class GuardResult:
    ok: bool
    code: str
    message: str = ""


GuardFn = Callable[[Snapshot, Mapping[str, Any]], GuardResult]

GUARDS: dict[str, GuardFn] = {}

#: Guards that read the order's items; a snapshot without items is enough for every other guard.
ITEM_GUARDS: set[str] = set()
#: Guards that read whether items' materials are in stock (the catalog fills that in, under lock).
STOCK_GUARDS: set[str] = set()


def guard(name: str, *, needs_items: bool = False, needs_stock: bool = False) -> Callable[[GuardFn], GuardFn]:
    def register(fn: GuardFn) -> GuardFn:
        GUARDS[name] = fn
        if needs_items or needs_stock:
            ITEM_GUARDS.add(name)
        if needs_stock:
            STOCK_GUARDS.add(name)
        return fn

    return register


def check(name: str, snapshot: Snapshot, params: Mapping[str, Any]) -> GuardResult:
    fn = GUARDS.get(name)
    if fn is None:
        return GuardResult(False, name, f"Unknown guard {name!r}.")
    return fn(snapshot, params)


def _money(snapshot: Snapshot, amount: object) -> str:
    return f"{amount} {snapshot.currency}"


@guard("has_items", needs_items=True)
def has_items(snapshot: Snapshot, params: Mapping[str, Any]) -> GuardResult:
    if snapshot.items:
        return GuardResult(True, "has_items")
    return GuardResult(False, "has_items", "The order has no items.")


@guard("paid_in_full")
def paid_in_full(snapshot: Snapshot, params: Mapping[str, Any]) -> GuardResult:
    if snapshot.total > 0 and snapshot.net_paid >= snapshot.total:
        return GuardResult(True, "paid_in_full")
    return GuardResult(
        False,
        "paid_in_full",
        f"The order must be paid in full: paid {_money(snapshot, snapshot.net_paid)} "
        f"of {_money(snapshot, snapshot.total)}.",
    )


@guard("paid_or_deferred")
def paid_or_deferred(snapshot: Snapshot, params: Mapping[str, Any]) -> GuardResult:
    if snapshot.deferred_payment or paid_in_full(snapshot, params).ok:
        return GuardResult(True, "paid_or_deferred")
    return GuardResult(
        False,
        "paid_or_deferred",
        f"The order must be prepaid or have deferred payment agreed: paid "
        f"{_money(snapshot, snapshot.net_paid)} of {_money(snapshot, snapshot.total)}.",
    )


@guard("all_items_final", needs_items=True)
def all_items_final(snapshot: Snapshot, params: Mapping[str, Any]) -> GuardResult:
    open_items = [item for item in snapshot.items if not item.final]
    if snapshot.items and not open_items:
        return GuardResult(True, "all_items_final")
    if not snapshot.items:
        return GuardResult(False, "all_items_final", "The order has no items.")
    return GuardResult(False, "all_items_final", f"{len(open_items)} item(s) are not finished yet.")


@guard("stock_checked")
def stock_checked(snapshot: Snapshot, params: Mapping[str, Any]) -> GuardResult:
    if snapshot.stock_checked:
        return GuardResult(True, "stock_checked")
    return GuardResult(False, "stock_checked", "The stock check has not finished yet; please wait a few minutes.")


@guard("materials_in_stock", needs_stock=True)
def materials_in_stock(snapshot: Snapshot, params: Mapping[str, Any]) -> GuardResult:
    """Every item's catalog materials are free in stock and no item is marked out of stock by hand.
    With ``catalog_only = true`` the hand-kept marks are not asked: the staff member firing the
    transition is saying those materials arrived."""
    hand_kept = not params.get("catalog_only", False)
    short = [item for item in snapshot.items if item.materials_short or (hand_kept and not item.in_stock)]
    if not short:
        return GuardResult(True, "materials_in_stock")
    return GuardResult(False, "materials_in_stock", f"{len(short)} item(s) wait for materials.")


@guard("materials_short", needs_stock=True)
def materials_short(snapshot: Snapshot, params: Mapping[str, Any]) -> GuardResult:
    if materials_in_stock(snapshot, params).ok:
        return GuardResult(False, "materials_short", "Every material is in stock.")
    return GuardResult(True, "materials_short")
