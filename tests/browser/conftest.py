"""Browser tests: Playwright drives Debian's Chromium (``make test-browser`` installs it) against
Django's live server. Screenshots go to ``var/screenshots/`` (the CI artifacts); with
``ORDO_README_SCREENSHOTS=1`` the README's tour pictures in ``docs/images/`` are taken again too."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "screenshots"
README_IMAGES = ROOT / "docs" / "images"
PASSWORD = "browser-test-pass-42"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is missing: run `make test-browser`, which installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page_for(chromium, live_server):
    """A fresh browser context (cookies of its own) in a language, at a screen width. Every test
    fails if a page broke the Content Security Policy (an inline script or style it blocked)."""
    contexts = []
    blocked: list[str] = []

    def make(language: str = "en", width: int = 1280, height: int = 900):
        context = chromium.new_context(
            locale=language, viewport={"width": width, "height": height}, base_url=live_server.url
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                blocked.append(f"{page.url}: {message.text} at {message.location}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()
    assert not blocked, blocked


@pytest.fixture
def signed_in(page_for):
    """A page signed in through the sign-in form as ``person``."""

    def make(person, language: str = "en", width: int = 1280):
        person.user.set_password(PASSWORD)
        person.user.save()
        page = page_for(language, width)
        page.goto("/signin")
        page.locator("#id_username").fill(person.user.username)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("form.card button[type=submit]").click()
        page.wait_for_load_state()
        return page

    return make


@pytest.fixture
def shot():
    """Save a screenshot as a test artifact (and, when asked, as a README picture)."""

    def take(page, name: str, readme: bool = False) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if readme and os.environ.get("ORDO_README_SCREENSHOTS") == "1":
            README_IMAGES.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(README_IMAGES / f"{name}.png"), full_page=False)
        return path

    return take
