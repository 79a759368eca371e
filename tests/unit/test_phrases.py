"""Every e-mail and page phrase exists in each of the four languages."""

import pytest

from ordo.notifications.phrases import PHRASES


@pytest.mark.parametrize("language", ["ru", "pl", "fi"])
def test_each_language_has_every_english_phrase(language):
    assert sorted(set(PHRASES["en"]) - set(PHRASES[language])) == []
    assert sorted(set(PHRASES[language]) - set(PHRASES["en"])) == []
