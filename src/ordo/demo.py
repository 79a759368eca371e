"""``ordo demo``: a ready installation of one preset — demo users, their passwords, a few orders."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User

from ordo.accounts.models import Partner
from ordo.accounts.roles import actor_for
from ordo.accounts.services import token_create, user_create
from ordo.catalog.models import Product
from ordo.catalog.services import product_create, stock_set
from ordo.delivery.models import Courier
from ordo.orders.models import Order
from ordo.orders.services import ItemInput, order_place, order_transition, order_update
from ordo.orders.workflows import preset_load_named, preset_read
from ordo.payments.models import PaymentChannel
from ordo.payments.services import payment_record

DEMO_USERS = (
    ("admin", "demo-admin"),
    ("manager", "demo-manager"),
    ("contractor", "demo-contractor"),
    ("customer", "demo-customer"),
)

DEMO_ITEMS: dict[str, list[list[tuple[str, str, int, str, str]]]] = {
    "furniture": [
        [("EDGE-2MM", "Edging 2 mm, oak", 12, "35.00", ""), ("DRILL", "Drilling, 8 holes", 1, "400.00", "")],
        [("PANEL-18", "Chipboard panel 18 mm, cut to size", 4, "1850.00", "")],
    ],
    "autoparts": [
        [("OC-90", "Oil filter OC 90", 2, "640.00", ""), ("BP-443", "Brake pads, front", 1, "3200.00", "")],
    ],
    "shop": [
        [("MUG-01", "Ceramic mug", 2, "39.00", ""), ("TEA-200", "Green tea 200 g", 1, "54.50", "")],
        [("BAG-03", "Canvas bag", 1, "79.00", "")],
    ],
    "smm": [
        [
            ("FOLLOW-1K", "1000 followers", 1, "12.00", "https://example.org/@demo"),
            ("LIKES-500", "500 likes", 1, "4.50", "https://example.org/@demo/post/1"),
        ],
    ],
    "print": [
        [
            ("POSTER-A2", "Poster A2, matte", 3, "450.00", ""),
            ("CARD-100", "Business cards ×100", 1, "900.00", ""),
        ],
    ],
}


#: The demo shop's catalogue per preset: (SKU, name, category, price, units in stock or None where
#: stock is not kept in Ordo). Auto-parts' services are offered at checkout, not on the shelves.
DEMO_PRODUCTS: dict[str, list[tuple[str, str, str, str, int | None]]] = {
    "furniture": [
        ("EDGE-2MM", "Кромка 2 мм, дуб", "Кромка", "35.00", 400),
        ("DRILL", "Присадка, 8 отверстий", "Услуги", "400.00", None),
        ("PANEL-18", "ЛДСП 18 мм, распил в размер", "Плиты", "1850.00", 60),
        ("HINGE-110", "Петля мебельная 110°", "Фурнитура", "120.00", 300),
    ],
    "autoparts": [
        ("OC-90", "Фильтр масляный OC 90", "Фильтры", "640.00", 40),
        ("BP-443", "Колодки тормозные передние", "Тормоза", "3200.00", 12),
        ("AF-210", "Фильтр воздушный AF 210", "Фильтры", "890.00", 25),
        ("SP-16", "Свеча зажигания", "Зажигание", "450.00", 0),
        ("SVC-FIT", "Установка на СТО партнёра", "Услуги", "1500.00", None),
        ("SVC-DIAG", "Диагностика подвески", "Услуги", "1200.00", None),
    ],
    "shop": [
        ("MUG-01", "Kubek ceramiczny", "Kubki", "39.00", 50),
        ("TEA-200", "Herbata zielona 200 g", "Herbata", "54.50", 30),
        ("BAG-03", "Torba płócienna", "Torby", "79.00", 20),
        ("MUG-02", "Kubek termiczny", "Kubki", "89.00", 0),
    ],
    "smm": [
        ("FOLLOW-1K", "1000 followers", "Instagram", "12.00", None),
        ("LIKES-500", "500 likes", "Instagram", "4.50", None),
        ("VIEWS-10K", "10 000 video views", "YouTube", "9.90", None),
    ],
    "print": [
        ("POSTER-A2", "Постер A2, матовый", "Постеры", "450.00", None),
        ("CARD-100", "Визитки ×100", "Визитки", "900.00", None),
    ],
}


#: What happens to each demo order after it is placed, so the desk opens on orders in several
#: statuses: (who, step) pairs, where a step is a transition's code or "pay" (paid in full, by hand).
DEMO_STORIES: dict[str, list[list[tuple[str, str]]]] = {
    "shop": [[], [("manager", "start")], [("manager", "start"), ("manager", "ship")], [("manager", "cancel")]],
    "furniture": [
        [],
        [("customer", "submit")],
        [("customer", "submit"), ("manager", "approve"), ("customer", "launch")],
        [("customer", "submit"), ("manager", "approve"), ("customer", "launch"), ("manager", "pay")],
    ],
    "autoparts": [[], [("customer", "reserve")], []],
    "print": [[], [("manager", "accept")], [("manager", "accept"), ("contractor", "start_print")]],
    "smm": [[], [("manager", "pay")]],
}

#: The people a preset's story needs besides the demo users: the shop delivers with its own couriers.
DEMO_COURIERS = {"shop": ("Demo courier", "demo-courier@example.org", "+48 500 000 001")}


class PresetMismatch(Exception):
    """The database holds another preset's orders: loading this one would mix their statuses."""


def preset_in_use(preset: str) -> list[str]:
    """The workflows of orders already in the database that the preset does not define (empty
    when the database is new or holds this preset's orders)."""
    codes = {w.code for w in preset_read(preset).workflows}
    return sorted(set(Order.objects.exclude(workflow__code__in=codes).values_list("workflow__code", flat=True)))


def demo_reset() -> None:
    """Empty the embedded database and forget the demo passwords (``ordo demo --reset``). Only
    for the embedded SQLite database: a PostgreSQL one is never emptied by a demo command."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "sqlite":
        raise PresetMismatch("--reset empties only the embedded SQLite database, never PostgreSQL.")
    call_command("flush", interactive=False, verbosity=0)
    _credentials_path().unlink(missing_ok=True)


def _credentials_path() -> Path:
    return settings.VAR_DIR / "demo-credentials.json"


def demo_install(*, preset: str) -> list[dict[str, str]]:
    """Load the preset; create the demo users (once; their passwords are kept in
    ``var/demo-credentials.json``, readable by the owner only) and a few orders. Refuses
    (``PresetMismatch``) when the database holds another preset's orders."""
    others = preset_in_use(preset)
    if others:
        count = Order.objects.count()
        raise PresetMismatch(
            f"The database holds {count} orders of another preset (workflows: {', '.join(others)}). "
            f"Loading {preset!r} on top would mix two presets' statuses.\n"
            f"  Start clean:   ordo demo --preset {preset} --reset   (empties the embedded database)\n"
            f"  Or keep it:    make run ORDO_PRESET={others[0]}"
        )
    preset_load_named(preset)
    path = _credentials_path()
    saved: dict[str, dict[str, str]] = json.loads(path.read_text()) if path.exists() else {}
    rows = []
    for role, username in DEMO_USERS:
        if username not in saved or not User.objects.filter(username=username).exists():
            User.objects.filter(username=username).delete()
            user, password = user_create(
                username=username,
                role=role,
                email=f"{username}@example.org",
                name=username.replace("-", " ").title(),
            )
            saved[username] = {"role": role, "username": username, "password": password, "token": ""}
            if role == "admin":
                saved[username]["token"] = token_create(user=user, name="demo")
        rows.append(saved[username])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(saved, indent=2))
    os.chmod(path, 0o600)
    if not Product.objects.exists():
        _demo_catalog(preset)
    if not Order.objects.exists():
        _demo_orders(preset)
    return rows


def _demo_catalog(preset: str) -> None:
    """The shop's products, with stock on the main shelf where Ordo keeps it."""
    for sku, name, category, price, units in DEMO_PRODUCTS.get(preset, []):
        product_create(sku=sku, name=name, category=category, price=Decimal(price))
        if units is not None:
            stock_set(sku=sku, location="main", on_hand=units)


def _demo_orders(preset: str) -> None:
    """A few orders entered by the demo manager, who registered the demo customer (so manages
    their orders); the first came through the demo partner's link."""
    manager = User.objects.get(username="demo-manager")
    customer = User.objects.get(username="demo-customer").customer
    customer.registered_by = manager
    customer.save(update_fields=["registered_by"])
    Partner.objects.get_or_create(code="demo-partner", defaults={"name": "Demo partner"})
    courier = None
    if preset in DEMO_COURIERS:
        name, email, phone = DEMO_COURIERS[preset]
        courier, _ = Courier.objects.get_or_create(name=name, defaults={"email": email, "phone": phone})
    people = {role: User.objects.get(username=f"demo-{role}") for role in ("manager", "customer", "contractor")}
    lines_of = DEMO_ITEMS.get(preset, [])
    stories = DEMO_STORIES.get(preset, [[] for _ in lines_of])
    for index, story in enumerate(stories):
        lines = lines_of[index % len(lines_of)]
        order = order_place(
            actor=actor_for(manager),
            customer=customer,
            items=[ItemInput(sku, name, qty, Decimal(price), target) for sku, name, qty, price, target in lines],
            source="panel",
            partner_code="demo-partner" if index == 0 else "",
        )
        if preset == "print" and any(role == "contractor" for role, _ in story):
            order_update(number=order.number, actor=actor_for(manager), contractor_id=people["contractor"].pk)
        for role, step in story:
            actor = actor_for(people[role])
            if step == "pay":
                order.refresh_from_db()
                channels = PaymentChannel.objects.filter(enabled=True).order_by("-gateway", "position")
                channel = (
                    channels.filter(gateway="").values_list("code", flat=True).first()
                    or channels.values_list("code", flat=True).first()
                )
                payment_record(number=order.number, amount=order.total, actor=actor, channel=channel or "")
            else:
                order_transition(number=order.number, transition=step, actor=actor)
        if courier is not None and story and story[-1][1] == "ship":
            order_update(number=order.number, actor=actor_for(manager), courier_id=courier.pk)
