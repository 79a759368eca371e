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
    if not Order.objects.exists():
        _demo_orders(preset)
    return rows


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
