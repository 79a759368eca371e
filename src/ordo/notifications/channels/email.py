"""E-mail over SMTP, configured by ``ORDO_EMAIL_URL``:
``smtp://[user:pass@]host:port`` (plain), ``smtp+tls://…`` (STARTTLS), ``smtps://…`` (TLS).
Without it, e-mails are written as files under ``var/mail/`` so a demo shows them."""

from __future__ import annotations

import contextlib
import hashlib
import smtplib
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from ordo.notifications.channels import DeliveryError

TIMEOUT = 15


def connection() -> BaseEmailBackend:
    url = settings.ORDO_EMAIL_URL
    if not url:
        path = settings.VAR_DIR / "mail"
        path.mkdir(parents=True, exist_ok=True)
        return get_connection("django.core.mail.backends.filebased.EmailBackend", file_path=str(path))
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtp+tls", "smtps"):
        raise DeliveryError(f"ORDO_EMAIL_URL scheme {parts.scheme!r} is not smtp, smtp+tls or smtps", permanent=False)
    return get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host=parts.hostname or "127.0.0.1",
        port=parts.port or (465 if parts.scheme == "smtps" else 25),
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=parts.scheme == "smtp+tls",
        use_ssl=parts.scheme == "smtps",
        timeout=TIMEOUT,
        fail_silently=False,
    )


def message_id(dedupe_key: str) -> str:
    """The same outbox row always gets the same Message-ID, so a repeat can be recognized."""
    return f"<{hashlib.sha256(dedupe_key.encode()).hexdigest()[:40]}@ordo>"


class Session:
    """One SMTP connection for a batch of messages, opened on first use and reopened after an error."""

    def __init__(self) -> None:
        self._connection: BaseEmailBackend | None = None

    def send(self, **message: Any) -> None:
        if self._connection is None:
            self._connection = connection()
            try:
                self._connection.open()
            except (smtplib.SMTPException, OSError) as error:
                self._connection = None
                raise DeliveryError(f"mail server unreachable: {error}", permanent=False) from error
        try:
            send(**message, using=self._connection)
        except DeliveryError:
            self.close()
            raise

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._connection.close()
            self._connection = None


def send(
    *,
    to: list[str],
    subject: str,
    text: str,
    html: str,
    dedupe_key: str,
    headers: dict[str, str] | None = None,
    using: BaseEmailBackend | None = None,
) -> None:
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        headers={**(headers or {}), "Message-ID": message_id(dedupe_key), "X-Ordo-Message": dedupe_key},
        connection=using or connection(),
    )
    if html:
        email.attach_alternative(html, "text/html")
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as error:
        raise DeliveryError(f"recipients refused: {error.recipients}", permanent=True) from error
    except smtplib.SMTPResponseException as error:
        detail = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        raise DeliveryError(f"SMTP {error.smtp_code}: {detail}", permanent=500 <= error.smtp_code < 600) from error
    except (smtplib.SMTPException, OSError) as error:
        raise DeliveryError(f"mail server unreachable: {error}", permanent=False) from error
