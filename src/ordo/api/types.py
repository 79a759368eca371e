"""Input types every schema uses, so that what the databases cannot store is refused as 422.

Found beside and by the fuzzer: SQLite overflows past 2⁶³−1, PostgreSQL refuses NUL in text and
UTC offsets beyond ±15:59 that ISO 8601 allows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from django.utils import timezone
from pydantic import AfterValidator, Field

MAX_ID = 2**63 - 1


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


#: A database id or an order number.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
#: Any text input.
Text = Annotated[str, AfterValidator(_no_nul)]


def _utc(value: datetime) -> datetime:
    """Aware and in UTC; a time without an offset is read in the site's time zone."""
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(UTC)
    except (OverflowError, ValueError) as error:
        raise ValueError("date and time out of range") from error


#: A moment in time, stored and compared in UTC.
Moment = Annotated[datetime, AfterValidator(_utc)]
