"""Template filters every page uses: money and dates in the page's language and the site's time zone."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import translation

from ordo.money import money_text
from ordo.text import is_web_link
from ordo.web import labels

register = template.Library()


def _locale() -> str:
    return (translation.get_language() or "en").split("-")[0]


@register.filter
def money(amount: Decimal | int | None, currency: str = "") -> str:
    """``1 234,50 ₽`` in Russian, ``RUB 1,234.50`` in English; a blank for no amount."""
    if amount is None or amount == "":
        return ""
    return money_text(amount, currency, _locale())


@register.filter
def payment_label(code: str) -> str:
    return str(labels.PAYMENT_STATUS.get(code, code))


@register.filter
def source_label(code: str) -> str:
    return str(labels.SOURCE.get(code, code))


@register.filter
def kind_label(code: str) -> str:
    return str(labels.HISTORY_KIND.get(code, code))


@register.filter
def web_link(text: str) -> bool:
    """Is this an http(s) URL, to be drawn as a link (anything else is shown as text)?"""
    return is_web_link(text or "")


@register.filter
def get(mapping: object, key: str) -> object:
    """``mapping|get:key``: a dictionary's value by a key held in a variable ("" when absent)."""
    if isinstance(mapping, dict):
        return mapping.get(key, "")
    return ""
