"""The rows a placement and a transition write, as plain statements with their values adapted
once from a real order: what the raw limit (bench/services.py) writes through the driver's own
cursor, and what the bare Django view (bench/ceiling.py) writes through Django's.

A placement: the number's counter, the order, 3 items, a history row and an outbox row. A
transition: the order read (locked where the database can), its status, a history row, a stay
and an outbox row."""

from __future__ import annotations

import secrets
from typing import Any

#: Numbers of the orders written here start above the services' own.
NUMBERS_FROM = 90_000_000


def tracking_token() -> str:
    """A tracking token as the services make one (``secrets.token_urlsafe(24)``). Random, not the
    order's number: a rising key always lands on the last page of its unique index, a random one
    on any page — a dearer write (on SQLite a placement's bare view took 4–10 % longer with it),
    and the one every placement pays."""
    return secrets.token_urlsafe(24)


class SameRows:
    def __init__(self, template: Any, *, qmark: bool = False):
        """``template`` is an order the services placed, with its items, history and outbox
        rows; ``qmark`` writes the statements with ``?`` for sqlite3's own cursor (Django's
        cursor takes ``%s`` on every database)."""
        from django.db import connection

        from ordo.db import _insert_sql
        from ordo.notifications.models import Message
        from ordo.orders.models import Counter, Order, OrderItem, StatusChange, Stay

        def prepared(model: type, row: Any) -> tuple[str, list[Any], list[str]]:
            sql, fields = _insert_sql(model)
            values = [f.get_db_prep_save(f.pre_save(row, add=True), connection) for f in fields]
            return self._sql(sql), values, [f.attname for f in fields]

        self.qmark = qmark
        quote = connection.ops.quote_name
        self.order_sql, self.order_values, names = prepared(Order, template)
        self.number_at, self.token_at = names.index("number"), names.index("tracking_token")
        self.item_sql, self.item_values, names = prepared(OrderItem, OrderItem.objects.filter(order=template).first())
        self.item_order_at, self.position_at = names.index("order_id"), names.index("position")
        history = StatusChange.objects.filter(order=template).first()
        self.history_sql, self.history_values, names = prepared(StatusChange, history)
        self.history_order_at = names.index("order_id")
        self.since = self.history_values[names.index("at")]
        message = Message.objects.filter(order=template).first() or Message(
            event="status_changed", order=template, recipient="customer", channel="email", context={}, dedupe_key="x"
        )
        self.message_sql, self.message_values, names = prepared(Message, message)
        self.message_order_at, self.dedupe_at = names.index("order_id"), names.index("dedupe_key")
        stay = Stay(
            order=template,
            workflow_id=template.workflow_id,
            status="new",
            entered_at=template.placed_at,
            left_at=template.placed_at,
            seconds=1,
            left_by="cancel",
        )
        self.stay_sql, self.stay_values, names = prepared(Stay, stay)
        self.stay_order_at = names.index("order_id")
        counter, orders = quote(Counter._meta.db_table), quote(Order._meta.db_table)
        self.counter = self._sql(
            f"INSERT INTO {counter} (name, value) VALUES (%s, %s) "
            f"ON CONFLICT (name) DO UPDATE SET value = {counter}.value + 1 RETURNING value"
        )
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        self.select = self._sql(f"SELECT id, status, status_seq FROM {orders} WHERE number = %s{lock}")
        self.update = self._sql(f"UPDATE {orders} SET status = %s, status_since = %s, status_seq = %s WHERE id = %s")

    def _sql(self, text: str) -> str:
        return text.replace("%s", "?") if self.qmark else text

    @staticmethod
    def changed(values: list[Any], *changes: tuple[int, Any]) -> list[Any]:
        """A copy of a prepared row with the values at some positions changed."""
        row = list(values)
        for index, value in changes:
            row[index] = value
        return row

    def place(self, cursor: Any, tag: str) -> int:
        """One placement's rows through ``cursor`` (inside the caller's transaction); its number."""
        cursor.execute(self.counter, ["bench-rows", 1])
        number = NUMBERS_FROM + cursor.fetchone()[0]
        row = self.changed(self.order_values, (self.number_at, number), (self.token_at, tracking_token()))
        cursor.execute(f"{self.order_sql} RETURNING id", row)
        order_id = cursor.fetchone()[0]
        items = [
            self.changed(self.item_values, (self.item_order_at, order_id), (self.position_at, p)) for p in (1, 2, 3)
        ]
        cursor.executemany(self.item_sql, items)
        self._written(cursor, order_id, f"{tag}-place-{number}")
        return number

    def fire(self, cursor: Any, number: int, tag: str) -> str:
        """One transition's rows for the order ``number`` (new ↔ cancelled); the status it reached."""
        cursor.execute(self.select, [number])
        order_id, status, seq = cursor.fetchone()
        status = "new" if status == "cancelled" else "cancelled"
        cursor.execute(self.update, [status, self.since, seq + 1, order_id])
        cursor.execute(self.stay_sql, self.changed(self.stay_values, (self.stay_order_at, order_id)))
        self._written(cursor, order_id, f"{tag}-fire-{number}-{seq}")
        return status

    def _written(self, cursor: Any, order_id: int, dedupe: str) -> None:
        """The history row and the outbox row every change writes."""
        cursor.execute(self.history_sql, self.changed(self.history_values, (self.history_order_at, order_id)))
        row = self.changed(self.message_values, (self.message_order_at, order_id), (self.dedupe_at, dedupe))
        cursor.execute(self.message_sql, row)
