from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    CONTRACTOR = "contractor", "Contractor"
    COURIER = "courier", "Courier"
    CUSTOMER = "customer", "Customer"
    PARTNER = "partner", "Partner"


STAFF_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.CONTRACTOR})


def valid_time_zone(name: str) -> None:
    """Refuse a time zone name the system's database does not know."""
    if not name:
        return
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{name!r} is not a time zone (use a name like Europe/Warsaw).") from None


class Profile(models.Model):
    """What Ordo adds to a Django user: the role and the preferred language."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(max_length=20, choices=Role.choices)
    language = models.CharField(max_length=8, blank=True)
    #: The IANA time zone the employee's pages show times and cut days in ("Europe/Helsinki");
    #: empty: ``ORDO_TIME_ZONE``.
    time_zone = models.CharField(max_length=64, blank=True, validators=[valid_time_zone])
    #: How customers reach the employee (shown to the customers they manage).
    phone = models.CharField(max_length=40, blank=True)
    #: Status codes this employee may move orders into; empty: all their role permits.
    allowed_statuses = models.JSONField(default=list, blank=True)
    #: A contractor's products: the SKUs and item categories they take (both empty: any product).
    skus = models.JSONField(default=list, blank=True)
    categories = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"

    def takes(self, sku: str, category: str) -> bool:
        """Does this contractor take an item with this SKU and category?"""
        if not self.skus and not self.categories:
            return True
        return sku in self.skus or (bool(category) and category in self.categories)


class Customer(models.Model):
    """Who an order is for: a person or an organization; registered (has a user) or not."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANIZATION = "organization", "Organization"

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, db_index=True)
    phone = models.CharField(max_length=40, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="customer"
    )
    language = models.CharField(max_length=8, blank=True)
    #: An organization's details for its documents.
    tax_id = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    #: The organizations this person may order for (the auto-parts "counterparties"); their
    #: orders are visible to the person too.
    organizations = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="members", limit_choices_to={"kind": "organization"}
    )
    #: The employee who registered the customer: their orders' manager when auto-assignment is on.
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="registered_customers"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    #: When the account holder proved the address (opened the link e-mailed to it), or staff
    #: created the account. Until then the account claims nothing by its address: no phone or
    #: guest orders, no alerts.
    email_verified_at = models.DateTimeField(null=True, blank=True)
    #: The customer's personal manager: their orders' manager, shown in the portal with a phone
    #: and an e-mail. Set when staff register the customer, else at the first order by the rule.
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_customers"
    )
    #: Staff's notes on the customer (never shown to the customer).
    notes = models.TextField(blank=True)

    class Meta:
        constraints = [
            # One record per address among those without an account (the ones staff and guest
            # checkouts file orders under): concurrent first orders cannot split a customer.
            models.UniqueConstraint(
                Lower("email"),
                condition=Q(user__isnull=True) & ~Q(email=""),
                name="one_guest_record_per_email",
            )
        ]
        indexes = [
            # Orders entered for an address find its customer by the address in any case
            # (accounts.services.customer_find_or_create): an index search, not a table scan.
            models.Index(Lower("email"), name="customer_email_folded"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def email_proven(self) -> bool:
        return self.user_id is not None and self.email_verified_at is not None


class Partner(models.Model):
    """An affiliate: orders placed with their code (or through their link) record them."""

    code = models.SlugField(max_length=50, unique=True, help_text="Lower-case letters, digits, '-' and '_'.")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    #: The partner's own login, if they have one: they see the orders they brought.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="partner"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ApiToken(models.Model):
    """An API key. Only its SHA-256 is stored; the key itself is shown once, when it is made.

    ``source`` is what orders placed with the key count as: ``api`` (an integration) or ``app``
    (the mobile app). A revoked key stays listed, and stops working at once.
    """

    class Source(models.TextChoices):
        API = "api", "API"
        APP = "app", "App"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.API)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
