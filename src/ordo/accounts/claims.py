"""An account proves its e-mail address, and then orders placed without an account join it.

Staff and guest checkouts file an order under a customer record found or made by its e-mail, with no
login. Signing up in the portal does not prove the address: the sign-up sends a link to it, and only
the account holder who opens it (signed in, within three days) has the address proven. From then on
staff entering an order for the address reach the account, and the guest records' orders,
memberships and alerts join it at once; the emptied guest records go. Each moved order says so in
its activity. Until then the account claims nothing by its address.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from ordo.accounts.errors import AccountErrorCode
from ordo.accounts.models import Customer
from ordo.accounts.roles import actor_for
from ordo.accounts.selectors import address_is
from ordo.errors import DomainError

SALT = "ordo.accounts.claim"
LIFETIME = timedelta(days=3)


def guest_records(email: str) -> QuerySet[Customer]:
    """People's customer records with this address and no login (nor a wallet, whose running
    balance could not join another's)."""
    if not email:
        return Customer.objects.none()
    return Customer.objects.filter(address_is(email), user__isnull=True, kind=Customer.Kind.PERSON, wallet__isnull=True)


def earlier_orders(email: str) -> bool:
    """Were orders placed with this address without an account (guest records that hold orders)?"""
    return guest_records(email).filter(orders__isnull=False).exists()


def claim_offer(user: User, language: str) -> bool:
    """E-mail the user's address a link that proves it (through the outbox); the e-mail also offers
    the orders placed earlier under the address without an account, if there are any. Returns
    whether there are such orders. Nothing is sent for an address already proven."""
    from ordo.notifications.models import Channel, Message

    customer = Customer.objects.filter(user=user).first()
    if customer is None or customer.email_verified_at is not None or not user.email:
        return False
    earlier = earlier_orders(user.email)
    token = signing.dumps({"u": user.pk, "e": user.email.lower()}, salt=SALT, compress=True)
    now = timezone.now()
    event = "claim_orders" if earlier else "confirm_email"
    Message.objects.create(
        event=event,
        recipient="subscriber",
        channel=Channel.EMAIL,
        context={
            "address": user.email,
            "language": language,
            "claim": settings.ORDO_PUBLIC_URL + reverse("portal:claim", kwargs={"token": token}),
        },
        dedupe_key=f"{event}:{user.pk}:{token[-20:]}",
        available_at=now,
        created_at=now,
    )
    return earlier


#: One link at a time: asking again within this long sends nothing more.
RESEND_AFTER = timedelta(minutes=10)


def proof_resend(user: User, language: str) -> bool:
    """The account holder asks for the link again; False when one went out in the last ten minutes."""
    from ordo.notifications.models import Message

    mine = Q(dedupe_key__startswith=f"claim_orders:{user.pk}:") | Q(dedupe_key__startswith=f"confirm_email:{user.pk}:")
    if Message.objects.filter(mine, created_at__gte=timezone.now() - RESEND_AFTER).exists():
        return False
    claim_offer(user, language)
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
    """Prove the user's address and move the guest records' orders (and memberships and alerts)
    to the user's own record, in one transaction; returns the numbers of the orders moved (none
    left: an empty list)."""
    from ordo.catalog.models import StockAlert
    from ordo.orders.models import Activity, Order

    email = claim_check(user=user, token=token)
    actor = actor_for(user)
    with transaction.atomic():
        mine = Customer.objects.select_for_update().get(user=user)
        if mine.email_verified_at is None:
            mine.email_verified_at = timezone.now()
            mine.save(update_fields=["email_verified_at"])
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
