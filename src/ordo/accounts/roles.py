"""A user's role and the workflow ``Actor`` that stands for them."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from ordo.accounts.models import Profile, Role
from ordo.workflow.snapshot import Actor

AnyUser = User | AnonymousUser


def role_of(user: AnyUser | None) -> str | None:
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    try:
        profile: Profile = user.profile
    except Profile.DoesNotExist:
        return None
    return profile.role


def actor_for(user: AnyUser) -> Actor:
    role = role_of(user)
    if role is None:
        raise PermissionError("the user has no role")
    profile = getattr(user, "profile", None)
    allowed = frozenset(profile.allowed_statuses) if profile is not None and profile.allowed_statuses else None
    return Actor(role=str(role), id=user.pk, name=user.get_username(), allowed_statuses=allowed)
