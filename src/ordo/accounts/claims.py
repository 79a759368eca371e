"""Orders placed without an account join the account that proves the address.

Staff and guest checkouts file an order under a customer record found or made by its e-mail, with no
login. When someone later signs up with that address, the orders stay where they are until the
address is proved: the sign-up sends a link to it, and the account holder who opens it (signed in,
within three days) gets the guest records' orders, memberships and alerts on their own record; the
emptied guest records go. Each moved order says so in its activity.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from ordo.accounts.errors import AccountErrorCode
from ordo.accounts.models import Customer
from ordo.accounts.roles import actor_for
from ordo.errors import DomainError

SALT = "ordo.accounts.claim"
LIFETIME = timedelta(days=3)


def guest_records(email: str) -> QuerySet[Customer]:
    """People's customer records with this address and no login (nor a wallet, whose running
    balance could not join another's)."""
    if not email:
        return Customer.objects.none()
    return Customer.objects.filter(
        user__isnull=True, kind=Customer.Kind.PERSON, email__iexact=email, wallet__isnull=True
    )


def claim_offer(user: User, language: str) -> bool:
    """If orders were placed without an account under the user's address, e-mail the address a
    link that joins them to the account (through the outbox). True when a link was sent."""
    from ordo.notifications.models import Channel, Message

    if not guest_records(user.email).filter(orders__isnull=False).exists():
        return False
    token = signing.dumps({"u": user.pk, "e": user.email.lower()}, salt=SALT, compress=True)
    now = timezone.now()
    Message.objects.create(
        event="claim_orders",
        recipient="subscriber",
        channel=Channel.EMAIL,
        context={
            "address": user.email,
            "language": language,
            "claim": settings.ORDO_PUBLIC_URL + reverse("portal:claim", kwargs={"token": token}),
        },
        dedupe_key=f"claim_orders:{user.pk}:{token[-20:]}",
        available_at=now,
        created_at=now,
    )
    return True


def claim_check(*, user: User, token: str) -> str:
    """The address a claim link proves, if it is this user's link, for their current address and
    not older than three days; "invalid claim" otherwise."""
    try:
        data = signing.loads(token, salt=SALT, max_age=LIFETIME)
    except signing.BadSignature as error:
        raise DomainError(AccountErrorCode.INVALID_CLAIM, "This link is not valid (any more).") from error
    email = (user.email or "").lower()
    if not isinstance(data, dict) or data.get("u") != user.pk or data.get("e") != email or not email:
        raise DomainError(AccountErrorCode.INVALID_CLAIM, "This link is for another account.")
    return email


def guest_orders_claim(*, user: User, token: str) -> list[int]:
    """Move the guest records' orders (and memberships and alerts) to the user's own record, in
    one transaction; returns the numbers of the orders moved (none left: an empty list)."""
    from ordo.catalog.models import StockAlert
    from ordo.orders.models import Activity, Order

    email = claim_check(user=user, token=token)
    actor = actor_for(user)
    with transaction.atomic():
        mine = Customer.objects.select_for_update().get(user=user)
        guests = list(guest_records(email).exclude(pk=mine.pk).select_for_update(of=("self",)))
        orders = list(Order.objects.filter(customer__in=guests).order_by("id").values_list("id", "number", "customer"))
        Order.objects.filter(id__in=[o[0] for o in orders]).update(customer=mine)
        now = timezone.now()
        Activity.objects.bulk_create(
            Activity(
                order_id=order_id,
                at=now,
                actor_id=actor.id,
                actor_name=actor.name,
                kind="claimed",
                detail={"from": guest_id, "to": mine.pk, "account": user.get_username()},
            )
            for order_id, _number, guest_id in orders
        )
        StockAlert.objects.filter(customer__in=guests).update(customer=mine)
        for guest in guests:
            mine.organizations.add(*guest.organizations.all())
        Customer.objects.filter(pk__in=[g.pk for g in guests]).delete()
    return [number for _id, number, _guest in orders]
