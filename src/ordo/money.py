"""Money as people read it, in their language: ``PLN 78.00`` in English, ``78,00 zł`` in Polish,
``1 234,50 ₽`` in Russian. One function for the pages, the e-mails and the exports' readers."""

from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import format_currency, format_decimal

#: A currency code written against the digits ("PLN78.00"): CLDR's currency spacing puts a space
#: there, which Babel leaves out.
_CODE_BEFORE = re.compile(r"^(-?)([A-Z]{3})(?=\d)")


def money_text(amount: Decimal | int, currency: str, language: str) -> str:
    """``amount`` in ``currency`` as ``language`` writes it (only the number without a currency)."""
    locale = (language or "en").split("-")[0]
    if not currency:
        return format_decimal(amount, format="#,##0.00", locale=locale)
    return _CODE_BEFORE.sub("\\1\\2\u00a0", format_currency(amount, currency, locale=locale))
