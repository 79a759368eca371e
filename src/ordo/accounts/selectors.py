"""Reads on people: the customers a clerk means by what they typed."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact

from ordo.accounts.models import Customer
from ordo.search import Digits, Folded, digits, fold

#: Text that is a phone number as people type it: digits, spaces, + ( ) - . /
_PHONE_LIKE = re.compile(r"^[0-9\s()+\-./]+$")
#: Fewer digits than this match too many numbers to mean one.
PHONE_DIGITS_MIN = 4


def address_is(email: str) -> Exact:
    """A filter on customers whose e-mail is ``email`` in any case: ``LOWER(email) = LOWER(…)``,
    the expression of the folded-address index (accounts 0009) and of the one-guest-record rule,
    so the database searches the index instead of scanning every customer as ``iexact`` made it."""
    return Exact(Lower("email"), Lower(Value(email)))


def customers_matching(text: str) -> QuerySet[Customer]:
    """Customers whose name or e-mail contains ``text`` in any case and alphabet ("иван" finds
    "Иван Петров", "wiśniewska" finds "WIŚNIEWSKA"), or, when ``text`` is a phone number, whose
    phone has the same digits however either was typed ("600 100 200" finds "+48 600-100-200")."""
    text = text.strip()
    folded = fold(text)
    match = Q(search_name__contains=folded) | Q(search_email__contains=folded)
    number = digits(text)
    if _PHONE_LIKE.match(text) and len(number) >= PHONE_DIGITS_MIN:
        match |= Q(search_phone__contains=number)
    return Customer.objects.annotate(
        search_name=Folded("name"), search_email=Folded("email"), search_phone=Digits("phone")
    ).filter(match)
