"""Every refusal a page can show has words in each of the four languages."""

from __future__ import annotations

import pytest
from django.utils import translation

from ordo.accounts.errors import AccountErrorCode
from ordo.catalog.errors import CatalogErrorCode
from ordo.documents.errors import DocumentErrorCode
from ordo.orders.errors import OrderErrorCode
from ordo.payments.errors import PaymentErrorCode
from ordo.web.labels import ERROR, EVENT, error_message
from ordo.workflow.definition import NOTIFICATION_EVENTS

CODES = [
    code
    for enum in (AccountErrorCode, CatalogErrorCode, DocumentErrorCode, OrderErrorCode, PaymentErrorCode)
    for code in enum
]


def test_every_error_code_has_a_page_message():
    assert sorted(str(code) for code in CODES if str(code) not in ERROR) == []


@pytest.mark.parametrize("language", ["ru", "pl", "fi"])
def test_every_page_message_is_translated(language):
    with translation.override("en"):
        english = {code: str(text) for code, text in ERROR.items()}
    with translation.override(language):
        untranslated = [code for code, text in ERROR.items() if str(text) == english[code]]
    assert untranslated == []


def test_a_failed_guard_names_each_reason_in_the_language():
    failed = {"failed_guards": [{"code": "paid_or_deferred", "message": "unpaid"}]}
    with translation.override("pl"):
        text = error_message("guards_failed", "Guards failed.", failed)
    assert "Guards failed." not in text
    assert "unpaid" not in text


def test_every_notification_event_has_a_timeline_label():
    assert sorted(NOTIFICATION_EVENTS - set(EVENT)) == []
