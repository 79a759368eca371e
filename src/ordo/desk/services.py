"""Writes the desk owns: saved views of the order list."""

from __future__ import annotations

from django.contrib.auth.models import User

from ordo.desk.models import SavedView


def saved_view_save(*, owner: User, name: str, query: str, shared: bool) -> SavedView:
    """Save the list's filters under a name; the owner's view of the same name is replaced."""
    view, _created = SavedView.objects.update_or_create(
        owner=owner, name=name, defaults={"query": query, "shared": shared}
    )
    return view


def saved_view_delete(*, owner: User, view_id: int) -> bool:
    """Delete one of the owner's views; False if they have none by that id (others' are not theirs)."""
    deleted, _rows = SavedView.objects.filter(pk=view_id, owner=owner).delete()
    return deleted > 0
