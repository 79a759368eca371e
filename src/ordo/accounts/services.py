"""Writes for people: users with roles, customers, API tokens."""

from __future__ import annotations

import functools
import hashlib
import secrets

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from ordo.accounts.errors import AccountErrorCode
from ordo.accounts.models import ApiToken, Customer, Partner, Profile, Role
from ordo.accounts.selectors import address_is
from ordo.db import ReadShape, fetch_one, joined, read_shape, vendor
from ordo.errors import DomainError

TOKEN_PREFIX = "ordo_"


class AccountError(ValueError):
    pass


def user_create(
    *,
    username: str,
    role: str,
    email: str = "",
    password: str | None = None,
    name: str = "",
    email_verified: bool = True,
) -> tuple[User, str]:
    """Create a user with a role; returns the user and the password (generated when not given).

    A customer user also gets a ``Customer`` record, so they can order at once. Its address counts
    as proven (staff vouch for it) unless ``email_verified`` is False: a portal sign-up proves it
    by the link it is sent.
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
            Customer.objects.create(
                user=user,
                name=name or username,
                email=email,
                email_verified_at=timezone.now() if email_verified and email else None,
            )
    return user, password


def token_create(*, user: User, name: str = "", source: str = ApiToken.Source.API) -> str:
    """Make an API token for the user; returns the key, which is not stored and cannot be shown again."""
    return token_issue(user=user, name=name, source=source)[1]


def token_issue(*, user: User, name: str = "", source: str = ApiToken.Source.API) -> tuple[ApiToken, str]:
    """Make an API token; returns the row and the key (shown once: only its hash is kept)."""
    if source not in ApiToken.Source.values:
        raise AccountError(f"unknown token source {source!r}; one of {', '.join(ApiToken.Source.values)}")
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:12], key_hash=token_hash(key), source=source)
    return token, key


def token_revoke(token: ApiToken) -> None:
    """Stop a token at once; it stays listed with the time it was revoked."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_user(key: str) -> User | None:
    """The active user an API key belongs to, or None."""
    token = token_find(key)
    return None if token is None else token.user


def token_find(key: str) -> ApiToken | None:
    """The live token with this key (not revoked, its user active), with its user; None otherwise."""
    if not key.startswith(TOKEN_PREFIX):
        return None
    token = _live_token(token_hash(key))
    if token is None:
        return None
    now = timezone.now()
    # Touch at most once a minute: a write per request would serialize every API call on SQLite.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def _live_token(key_hash: str) -> ApiToken | None:
    """The token row with its user and profile in one plain statement through prepared shapes:
    every API request asks it, and the ORM took longer to compile the join than to run it. Read
    on every request (never kept), so a revoked token or a switched-off user stops at once."""
    statement, (t, u, p) = _token_statement(vendor())
    row = fetch_one(statement, [key_hash, True])
    if row is None:
        return None
    token = t.build(row)
    user = u.build(row[t.width : t.width + u.width])
    profile_row = row[t.width + u.width :]
    if profile_row[0] is not None:
        joined(user, "profile", p.build(profile_row))
    joined(token, "user", user)
    return token


@functools.cache
def _token_statement(vendor: str) -> tuple[str, tuple[ReadShape, ReadShape, ReadShape]]:
    """``_live_token``'s statement and the shapes of its token, user and profile columns, worked
    out once per process and database vendor."""
    t, u, p = read_shape(ApiToken, "t"), read_shape(User, "u"), read_shape(Profile, "p")
    quote = connection.ops.quote_name
    statement = (
        f"SELECT {t.columns}, {u.columns}, {p.columns} FROM {quote(ApiToken._meta.db_table)} t "
        f"JOIN {quote(User._meta.db_table)} u ON u.id = t.user_id "
        f"LEFT JOIN {quote(Profile._meta.db_table)} p ON p.user_id = u.id "
        "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active = %s"
    )
    return statement, (t, u, p)


#: The kinds of customer (``Customer.Kind.values`` builds its list anew each time it is asked).
_KINDS = frozenset(Customer.Kind.values)


def customer_find_or_create(
    *, email: str, name: str, phone: str = "", kind: str = "person", registered_by: User | None = None
) -> Customer:
    """The customer an order for this address is filed under (staff entering an order, a guest
    checkout): the account that proved the address, else the one record without an account for
    it, made now if there is none (``registered_by`` the employee entering the order). An account
    that has not proved the address never gets orders by it. Safe under concurrency: the unique
    constraint on records without an account decides which of two simultaneous makers wins."""
    if kind not in _KINDS:
        raise AccountError(f"unknown customer kind {kind!r}")
    email = email.strip()
    new = {"email": email, "name": name, "phone": phone, "kind": kind, "registered_by": registered_by}
    if not email:
        return Customer.objects.create(**new)
    found = _customer_by_email(email)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Customer.objects.create(**new)
    except IntegrityError:
        # Another request made the record between our look and our insert: it is the one.
        return Customer.objects.get(address_is(email), user__isnull=True)


def _customer_by_email(email: str) -> Customer | None:
    """The earliest account that proved ``email``, else the one record without an account for it.
    One plain statement on the folded-address index: every order staff enter by an address asks it."""
    statement, c = _by_email_statement(vendor())
    row = fetch_one(statement, [email])
    return None if row is None else c.build(row)


@functools.cache
def _by_email_statement(vendor: str) -> tuple[str, ReadShape]:
    c = read_shape(Customer, "c")
    statement = (
        f"SELECT {c.columns} FROM {connection.ops.quote_name(Customer._meta.db_table)} c "
        "WHERE LOWER(c.email) = LOWER(%s) AND (c.user_id IS NULL OR c.email_verified_at IS NOT NULL) "
        "ORDER BY CASE WHEN c.user_id IS NULL THEN 1 ELSE 0 END, c.id LIMIT 1"
    )
    return statement, c


def customer_create(
    *,
    name: str,
    kind: str = Customer.Kind.PERSON,
    email: str = "",
    phone: str = "",
    tax_id: str = "",
    address: str = "",
    language: str = "",
    registered_by: User | None = None,
) -> Customer:
    """Register a customer (a person or an organization) on behalf of ``registered_by``, who then
    manages their orders when manager auto-assignment is on. E-mails are unique among customers."""
    exists = DomainError(AccountErrorCode.CUSTOMER_EXISTS, f"A customer with the e-mail {email} exists already.")
    # An account that has not proved the address does not hold it.
    holders = Customer.objects.filter(address_is(email)).filter(Q(user=None) | Q(email_verified_at__isnull=False))
    if email and holders.exists():
        raise exists
    try:
        with transaction.atomic():
            return Customer.objects.create(
                name=name,
                kind=kind,
                email=email,
                phone=phone,
                tax_id=tax_id,
                address=address,
                language=language,
                registered_by=registered_by,
            )
    except IntegrityError:
        raise exists from None


def member_add(*, organization: Customer, person: Customer) -> None:
    """Let ``person`` order for ``organization`` (and see its orders)."""
    if organization.kind != Customer.Kind.ORGANIZATION or person.kind != Customer.Kind.PERSON:
        raise DomainError(AccountErrorCode.INVALID_MEMBER, "People become members of organizations, not otherwise.")
    person.organizations.add(organization)


def member_remove(*, organization: Customer, person: Customer) -> None:
    person.organizations.remove(organization)


def partner_create(*, code: str, name: str, email: str = "", user: User | None = None) -> Partner:
    """A partner with a unique code (lower-case); with ``user``, that login becomes the partner's."""
    code = code.strip().lower()
    if Partner.objects.filter(code=code).exists():
        raise DomainError(AccountErrorCode.PARTNER_EXISTS, f"The partner code {code!r} is taken.")
    with transaction.atomic():
        if user is not None:
            profile = Profile.objects.filter(user=user).first()
            if profile is None or profile.role != Role.PARTNER:
                raise DomainError(AccountErrorCode.INVALID_PARTNER, f"User {user.pk} does not have the partner role.")
        return Partner.objects.create(code=code, name=name, email=email, user=user)


def customer_sign_up(*, email: str, name: str, password: str, phone: str = "", language: str = "") -> User:
    """A customer opens an account in the portal: a user named by their e-mail (lower-case) and
    their own customer record. The address is not proven yet: until the account holder opens the
    link e-mailed to it (``accounts.claims``), orders placed with it elsewhere stay where they are."""
    email = email.strip().lower()
    if User.objects.filter(username__iexact=email).exists():
        raise DomainError(AccountErrorCode.CUSTOMER_EXISTS, "An account with this e-mail exists already.")
    with transaction.atomic():
        user, _password = user_create(
            username=email, role=Role.CUSTOMER, email=email, password=password, name=name, email_verified=False
        )
        Customer.objects.filter(user=user).update(phone=phone.strip(), language=language)
    return user


#: What staff may change of a customer from the profile page.
EDITABLE = ("name", "email", "phone", "address", "tax_id", "language", "notes")


def customer_update(*, customer_id: int, changes: dict[str, str]) -> tuple[Customer, list[str]]:
    """Change a customer's contacts and notes; returns the customer and the fields that changed.
    A name is required; an e-mail another customer holds is refused (as at registration); an
    account's e-mail changes only by its holder (it is how they sign in and prove who they are)."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
        if customer is None:
            raise DomainError(AccountErrorCode.UNKNOWN_CUSTOMER, f"Customer {customer_id} not found.")
        values = {name: value.strip() if name != "notes" else value for name, value in changes.items()}
        if "name" in values and not values["name"]:
            raise DomainError(AccountErrorCode.INVALID_CUSTOMER, "A customer needs a name.", field="name")
        email = values.get("email")
        if email is not None and email.lower() != customer.email.lower():
            if customer.user_id is not None:
                raise DomainError(
                    AccountErrorCode.INVALID_CUSTOMER,
                    "This customer signs in with the e-mail: only they change it.",
                    field="email",
                )
            taken = Customer.objects.filter(address_is(email)).exclude(pk=customer.pk)
            if email and taken.filter(Q(user=None) | Q(email_verified_at__isnull=False)).exists():
                raise DomainError(
                    AccountErrorCode.CUSTOMER_EXISTS, f"A customer with the e-mail {email} exists already."
                )
        changed = [name for name, value in values.items() if getattr(customer, name) != value]
        for name in changed:
            setattr(customer, name, values[name])
        if changed:
            try:
                with transaction.atomic():
                    customer.save(update_fields=changed)
            except IntegrityError:
                raise DomainError(
                    AccountErrorCode.CUSTOMER_EXISTS, f"A customer with the e-mail {email} exists already."
                ) from None
    return customer, changed
