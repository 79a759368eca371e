"""Production settings: secure cookies, HSTS, the proxy header and a CSP come from the environment,
and ``ordo check --deploy`` passes with them (and names what is missing without them)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.test import Client

PRODUCTION = {
    "ORDO_SECRET_KEY": "x" * 64 + "-production-key-not-for-anything-else",
    "ORDO_PUBLIC_URL": "https://shop.example.org",
    "ORDO_ALLOWED_HOSTS": "shop.example.org",
    "ORDO_SECURE_COOKIES": "1",
    "ORDO_HSTS_SECONDS": "31536000",
    "ORDO_HSTS_INCLUDE_SUBDOMAINS": "1",
    "ORDO_HSTS_PRELOAD": "1",
    "ORDO_SSL_REDIRECT": "1",
    "ORDO_BEHIND_PROXY": "1",
    "ORDO_EMAIL_URL": "smtp://mail.example.org:587",
}


def _ordo(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ORDO_")}
    return subprocess.run(
        [sys.executable, "-m", "ordo.cli", *args],
        env={**clean, "ORDO_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_with_the_production_settings(tmp_path):
    done = _ordo(tmp_path, "check", "--deploy", "--strict", **PRODUCTION)
    assert done.returncode == 0, done.stderr


def test_check_deploy_names_what_a_public_installation_lacks(tmp_path):
    done = _ordo(tmp_path, "check", "--deploy")
    assert done.returncode == 1
    for code in ("ordo.E001", "ordo.E002", "ordo.E005", "security.W012", "security.W016", "security.W004"):
        assert code in done.stderr, code


def test_the_production_settings_reach_django(tmp_path):
    probe = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'ordo.settings'); django.setup();"
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_PROXY_SSL_HEADER)"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ORDO_")}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={**clean, "ORDO_VAR_DIR": str(tmp_path), **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.split() == ["True", "True", "31536000", "True", "('HTTP_X_FORWARDED_PROTO',", "'https')"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/signin", "/signup", "/api/v1/docs", "/api/v1/openapi.json"])
def test_every_answer_carries_the_content_security_policy(path):
    response = Client().get(path, follow=True)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy


@pytest.mark.django_db
def test_pages_have_no_inline_scripts_or_styles(load_preset, make_person):
    """What the CSP would block: inline <script> bodies, style attributes, on* handlers."""
    load_preset("shop")
    manager = make_person("m", "manager")
    client = Client()
    client.force_login(manager.user)
    for path in ("/desk/", "/desk/orders/new", "/desk/timers", "/desk/workflows"):
        html = client.get(path).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html), path
        assert not re.search(r"\sstyle=\"", re.sub(r"<svg.*?</svg>", "", html, flags=re.S)), path
        assert not re.search(r"\son[a-z]+=\"", html), path
