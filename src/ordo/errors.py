"""Domain errors: a stable code, a human message, and optional details for the API body.

Each app lists its codes in a ``StrEnum``; ``ordo.api.errors`` maps every code to one HTTP status.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class DomainError(Exception):
    def __init__(self, code: StrEnum, message: str, **details: Any):
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details
