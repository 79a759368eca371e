"""Courier links: signed (HMAC with the secret key, so they cannot be forged or edited), expiring
(the signature carries its time), and single-use (the ``CourierLink`` row records use)."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.core import signing
from django.utils import timezone

from ordo.business.details import business
from ordo.delivery.models import CourierLink

SALT = "ordo.delivery.courier-link"


class LinkProblem(StrEnum):
    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"


class LinkError(Exception):
    def __init__(self, problem: LinkProblem, link: CourierLink | None = None):
        super().__init__(problem.value)
        self.problem = problem
        self.link = link


def courier_token(link_id: int) -> str:
    return signing.dumps(link_id, salt=SALT)


def courier_url(link_id: int) -> str:
    return f"{settings.ORDO_PUBLIC_URL}/courier/{courier_token(link_id)}"


def link_from_token(token: str, *, for_update: bool = False) -> CourierLink:
    """The link a token stands for, if it may still be used; ``LinkError`` says why not."""
    max_age = timedelta(days=business().courier_link_days)
    links = CourierLink.objects.select_related("order", "courier")
    try:
        link_id = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired as error:
        # Genuine but old: name the order, so the page can answer in the courier's language.
        expired = links.filter(pk=signing.loads(token, salt=SALT)).first()
        raise LinkError(LinkProblem.EXPIRED, expired) from error
    except signing.BadSignature as error:
        raise LinkError(LinkProblem.INVALID) from error
    if for_update:
        links = links.select_for_update(of=("self",))
    link = links.filter(pk=link_id).first() if isinstance(link_id, int) else None
    if link is None:
        raise LinkError(LinkProblem.INVALID)
    if link.revoked_at is not None:
        raise LinkError(LinkProblem.REVOKED, link)
    if link.used_at is not None:
        raise LinkError(LinkProblem.USED, link)
    if link.expires_at <= timezone.now():
        raise LinkError(LinkProblem.EXPIRED, link)
    return link
