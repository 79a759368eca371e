"""A user's role and the workflow ``Actor`` that stands for them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from ordo.accounts.models import Profile, Role
from ordo.workflow.snapshot import Actor


def role_of(user: AbstractBaseUser | AnonymousUser | None) -> str | None:
    if user is None or not user.is_authenticated:
        return None
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    try:
        profile: Profile = user.profile  # type: ignore[union-attr]
    except Profile.DoesNotExist:
        return None
    return profile.role


def actor_for(user: AbstractBaseUser) -> Actor:
    role = role_of(user)
    if role is None:
        raise PermissionError("the user has no role")
    return Actor(role=str(role), id=user.pk, name=user.get_username())
