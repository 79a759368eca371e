"""``db.one_connection``: the statements of a block take the thread's connection looked up once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from ordo import db

pytestmark = pytest.mark.django_db


def held_now():
    return getattr(db._HELD, "db", None)


def test_a_block_holds_the_threads_connection_and_lets_it_go_after():
    assert held_now() is None
    with db.one_connection():
        assert held_now() is connections["default"]
        assert db.fetch_one("SELECT 1") == (1,)
    assert held_now() is None


def test_a_block_within_a_block_gives_the_outer_one_back_even_when_it_fails():
    with db.one_connection():
        outer = held_now()
        with pytest.raises(RuntimeError), db.one_connection():
            raise RuntimeError("refused")
        assert held_now() is outer
    assert held_now() is None


def test_another_thread_does_not_take_the_held_connection():
    seen = []
    with db.one_connection():
        worker = threading.Thread(target=lambda: seen.append(held_now()))
        worker.start()
        worker.join()
    assert seen == [None]


def test_statements_in_a_held_block_are_still_logged_and_counted():
    with CaptureQueriesContext(connection) as captured, db.one_connection():
        db.fetch_all("SELECT 1")
        db.execute("SELECT 2")
    assert [q["sql"] for q in captured] == ["SELECT 1", "SELECT 2"]
