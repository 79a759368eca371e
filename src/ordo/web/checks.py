"""Ordo's own deployment checks, run with Django's by ``ordo check --deploy``: what a public
installation must set beyond Django's defaults (see the README's configuration table)."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def ordo_deploy_checks(app_configs: Any = None, **kwargs: Any) -> list[Warning | Error]:
    problems: list[Warning | Error] = []
    if not os.environ.get("ORDO_SECRET_KEY"):
        problems.append(
            Error(
                "ORDO_SECRET_KEY is not set: the key in var/secret_key is for the embedded setup.",
                hint="Set ORDO_SECRET_KEY to a long random value, the same for every web and worker process.",
                id="ordo.E001",
            )
        )
    if not settings.ORDO_PUBLIC_URL.startswith("https://"):
        problems.append(
            Error(
                f"ORDO_PUBLIC_URL is {settings.ORDO_PUBLIC_URL!r}: links in e-mails must use https.",
                hint="Set ORDO_PUBLIC_URL=https://your.host",
                id="ordo.E002",
            )
        )
    if not settings.ORDO_CSP:
        problems.append(Error("ORDO_CSP is empty: no Content Security Policy is sent.", id="ordo.E003"))
    if not settings.ORDO_EMAIL_URL:
        problems.append(
            Warning(
                "ORDO_EMAIL_URL is not set: e-mails are written to files under var/mail, not sent.",
                id="ordo.W001",
            )
        )
    if settings.ORDO_PAYMENT_STRIPE_SECRET_KEY and not settings.ORDO_PAYMENT_STRIPE_WEBHOOK_SECRET:
        problems.append(
            Error(
                "The card gateway has a key but no webhook secret: payments would never be confirmed.",
                hint="Set ORDO_PAYMENT_STRIPE_WEBHOOK_SECRET.",
                id="ordo.E004",
            )
        )
    if not os.environ.get("ORDO_ALLOWED_HOSTS"):
        problems.append(
            Error(
                "ORDO_ALLOWED_HOSTS is not set: only 127.0.0.1 and localhost are served.",
                hint="Set ORDO_ALLOWED_HOSTS to the host names the site answers to.",
                id="ordo.E005",
            )
        )
    return problems
