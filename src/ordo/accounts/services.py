"""Writes for people: users with roles, customers, API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ordo.accounts.models import ApiToken, Customer, Profile, Role

TOKEN_PREFIX = "ordo_"


class AccountError(ValueError):
    pass


def user_create(
    *, username: str, role: str, email: str = "", password: str | None = None, name: str = ""
) -> tuple[User, str]:
    """Create a user with a role; returns the user and the password (generated when not given).

    A customer user also gets a ``Customer`` record, so they can order at once.
    """
    if role not in Role.values:
        raise AccountError(f"unknown role {role!r}; one of {', '.join(Role.values)}")
    if User.objects.filter(username=username).exists():
        raise AccountError(f"user {username!r} exists already")
    password = password or secrets.token_urlsafe(12)
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            email=email,
            password=password,
            first_name=name,
            is_staff=role == Role.ADMIN,
            is_superuser=role == Role.ADMIN,
        )
        Profile.objects.create(user=user, role=role)
        if role == Role.CUSTOMER:
            Customer.objects.create(user=user, name=name or username, email=email)
    return user, password


def token_create(*, user: User, name: str = "") -> str:
    """Make an API token for the user; returns the key, which is not stored and cannot be shown again."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, prefix=key[:12], key_hash=token_hash(key))
    return key


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_user(key: str) -> User | None:
    """The active user an API key belongs to, or None."""
    if not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__profile")
        .filter(key_hash=token_hash(key), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Touch at most once a minute: a write per request would serialize every API call on SQLite.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def customer_find_or_create(*, email: str, name: str, phone: str = "", kind: str = "person") -> Customer:
    """The customer with this e-mail (case-insensitive), or a new one; used when staff enter an order."""
    if kind not in Customer.Kind.values:
        raise AccountError(f"unknown customer kind {kind!r}")
    existing = Customer.objects.filter(email__iexact=email).order_by("id").first() if email else None
    if existing is not None:
        return existing
    return Customer.objects.create(email=email, name=name, phone=phone, kind=kind)
