"""Every refusal a page can show has words in each of the four languages."""

from __future__ import annotations

import pytest
from django.utils import translation

from ordo.accounts.errors import AccountErrorCode
from ordo.catalog.errors import CatalogErrorCode
from ordo.documents.errors import DocumentErrorCode
from ordo.orders.effects import EFFECTS
from ordo.orders.errors import OrderErrorCode
from ordo.payments.errors import PaymentErrorCode
from ordo.web.labels import EFFECT_NAME, ERROR, EVENT, GUARD_NAME, PARAM_NAME, RULE_EVENT, error_message
from ordo.workflow.definition import NOTIFICATION_EVENTS
from ordo.workflow.edit import PARAMS
from ordo.workflow.guards import GUARDS
from ordo.workflow.loader import KNOWN_EVENTS

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


def test_every_guard_effect_and_parameter_has_a_name_for_the_workflow_editor():
    """The editor lists each registered guard and effect by a name people read, the code beside it."""
    named = {**GUARD_NAME, **EFFECT_NAME}
    assert sorted(set(GUARDS) - set(GUARD_NAME)) == []
    assert sorted(set(EFFECTS) - set(EFFECT_NAME)) == []
    assert sorted(set(named) - set(GUARDS) - set(EFFECTS)) == [], "a name for something no longer registered"
    assert sorted({p for params in PARAMS.values() for p in params} - set(PARAM_NAME)) == []
    assert sorted(KNOWN_EVENTS ^ set(RULE_EVENT)) == [], "each event a rule may listen to, named"


@pytest.mark.parametrize("language", ["ru", "pl", "fi"])
def test_the_workflow_editors_names_are_translated(language):
    names = {**GUARD_NAME, **EFFECT_NAME, **RULE_EVENT, **{f"param {k}": v for k, v in PARAM_NAME.items()}}
    with translation.override("en"):
        english = {code: str(text) for code, text in names.items()}
    with translation.override(language):
        untranslated = [code for code, text in names.items() if str(text) == english[code]]
    assert untranslated == []
