"""Reads the desk owns: the saved views a staff member may pick."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet

from ordo.desk.models import SavedView


def saved_views_for(user: User) -> QuerySet[SavedView]:
    """Their own views and those colleagues shared, by name."""
    return SavedView.objects.filter(Q(owner=user) | Q(shared=True)).select_related("owner")
