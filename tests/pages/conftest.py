from __future__ import annotations

import re

import pytest
from django.test import Client


@pytest.fixture
def browser_of():
    """A Django test client signed in as a person (session cookie, CSRF checks on)."""

    def make(person, language: str = "en") -> Client:
        client = Client(enforce_csrf_checks=False, HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(person.user)
        return client

    return make


def text_of(response) -> str:
    """The page's visible text, roughly: tags and scripts out, whitespace squeezed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
