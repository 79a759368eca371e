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
from ordo.orders.models import Order
from ordo.orders.services import ItemInput, order_place
from ordo.orders.workflows import preset_load_named

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


def _credentials_path() -> Path:
    return settings.VAR_DIR / "demo-credentials.json"


def demo_install(*, preset: str) -> list[dict[str, str]]:
    """Load the preset; create the demo users (once; their passwords are kept in
    ``var/demo-credentials.json``, readable by the owner only) and a few orders."""
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
    for index, lines in enumerate(DEMO_ITEMS.get(preset, [])):
        order_place(
            actor=actor_for(manager),
            customer=customer,
            items=[ItemInput(sku, name, qty, Decimal(price), target) for sku, name, qty, price, target in lines],
            source="panel",
            partner_code="demo-partner" if index == 0 else "",
        )
