"""What a process keeps of data that changes rarely (order types, product tax classes, API tokens):
each value is trusted for a few seconds, and forgotten at once in the process that changes it.

Another process picks a change up when its copy runs out (``seconds``): the price of reading these
once per request instead of compiling an ORM query each time on the hot path. Every ``Kept`` is
listed in ``KEPT``, so tests start each case with nothing kept (``forget_all``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

KEPT: list[Kept] = []


class Kept(Generic[K, V]):
    def __init__(self, name: str, seconds: float, group: str = ""):
        #: Kept values read from the same rows share a group, forgotten together (``forgetter``).
        self.name, self.seconds, self.group = name, seconds, group
        self._values: dict[K, tuple[float, V]] = {}
        KEPT.append(self)

    def get(self, key: K, load: Callable[[], V]) -> V:
        """The kept value of ``key``, or ``load()``'s (kept from now on)."""
        now = time.monotonic()
        found = self._values.get(key)
        if found is not None and now - found[0] < self.seconds:
            return found[1]
        value = load()
        self._values[key] = (now, value)
        return value

    def has(self, key: K) -> bool:
        """Is a fresh value of ``key`` kept?"""
        found = self._values.get(key)
        return found is not None and time.monotonic() - found[0] < self.seconds

    def put(self, key: K, value: V) -> None:
        self._values[key] = (time.monotonic(), value)

    def forget(self, *_: object, **__: object) -> None:
        """Read everything afresh next time (usable as a signal receiver)."""
        self._values.clear()


def forget_all() -> None:
    for kept in KEPT:
        kept.forget()


def forgetter(group: str) -> Callable[..., None]:
    """A signal receiver forgetting every ``Kept`` of ``group`` (its rows were saved here)."""

    def forget(*_: object, **__: object) -> None:
        for kept in KEPT:
            if kept.group == group:
                kept.forget()

    return forget
