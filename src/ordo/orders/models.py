from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models

from ordo.accounts.models import Customer, Partner
from ordo.workflow.definition import label_for

ZERO = Decimal("0.00")
#: The largest amount a money column holds (14 digits, 2 of them decimals). Every amount Ordo
#: stores is checked against it where it is computed: a row that cannot be read back is never written.
MAX_MONEY = Decimal("999999999999.99")
#: The order's own sums, checked before an order row is written.
ORDER_SUMS = ("subtotal", "discount", "fees", "vat_added", "total", "paid", "refunded")


def money(**options: Any) -> models.DecimalField:
    """An amount of money: up to ``MAX_MONEY`` in the order's currency."""
    return models.DecimalField(max_digits=14, decimal_places=2, **options)


class Workflow(models.Model):
    """One published version of a workflow, stored as the plain data its preset declares.

    A version never changes once published: an edit is a ``WorkflowDraft`` until an admin publishes
    it as the next version (``orders.versions``). Order types point at the ``current`` version, so
    new orders start on it; an order keeps the version it started on unless an admin moves it.
    """

    class Scope(models.TextChoices):
        ORDER = "order", "Order"
        ITEM = "item", "Item"

    code = models.SlugField(max_length=50)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.ORDER)
    preset = models.CharField(max_length=50, blank=True)
    definition = models.JSONField()
    #: SHA-256 of the definition: the key compiled workflows are cached under in each process.
    digest = models.CharField(max_length=64)
    version = models.PositiveIntegerField(default=1)
    #: The version new orders start on; older versions still run the orders that started on them.
    current = models.BooleanField(default=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: Why it was published (the admin's words), or where it came from (``preset shop``).
    note = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="workflow_version_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(current=True), name="workflow_one_current_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class WorkflowDraft(models.Model):
    """An admin's edit of a workflow, not yet published: it may have problems (listed as it is
    edited); publishing refuses it until it has none. One draft per workflow."""

    code = models.SlugField(max_length=50, unique=True)
    scope = models.CharField(max_length=10, choices=Workflow.Scope.choices, default=Workflow.Scope.ORDER)
    definition = models.JSONField()
    #: The version the draft was started from: publishing over a newer one is refused.
    base_version = models.PositiveIntegerField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.code} draft (from v{self.base_version})"


class OrderType(models.Model):
    """An order type (``regular``, ``quick``…) and the workflows its orders follow."""

    code = models.SlugField(max_length=30, unique=True)
    workflow = models.ForeignKey(Workflow, on_delete=models.PROTECT, related_name="+")
    item_workflow = models.ForeignKey(Workflow, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    currency = models.CharField(max_length=3, default="EUR")
    #: The preset's language: what customers without a language of their own are written to in.
    language = models.CharField(max_length=8, default="en")
    #: Only customers of this kind may place orders of this type ("" = anyone): top-ups.
    customer_kind = models.CharField(max_length=20, blank=True)
    #: Placed date + this = the expected issue date shown until the order is issued.
    execution_time = models.DurationField(null=True, blank=True)
    #: False for digital orders: nothing is delivered, so no courier can be assigned.
    delivery = models.BooleanField(default=True)
    #: Customers may order lines outside the catalog at their own price (custom work, reviewed
    #: and priced by staff first); otherwise a customer's lines must come from the catalog.
    free_lines = models.BooleanField(default=False)
    #: Every customer gets a personal manager (seed 001): one who has none is given the active
    #: manager with the fewest open orders at their first order of this type.
    personal_manager = models.BooleanField(default=False)
    #: The type's name per language (``{"en": "Order", "ru": "Заказ"}``); the code where empty.
    labels = models.JSONField(default=dict, blank=True)
    #: How customers order this type in the portal's shop (the preset's ``[checkout.<type>]``,
    #: see ``workflow.loader.checkout_from_dict``); empty: not sold there.
    checkout = models.JSONField(default=dict, blank=True)
    #: VAT: the country whose rates apply ("" — no VAT kept) and the rounding rule
    #: (``per_line`` or ``per_rate``, see ``taxes.compute``); prices include the tax.
    tax_country = models.CharField(max_length=2, blank=True)
    tax_rounding = models.CharField(max_length=10, default="per_line")
    #: Prices include VAT (consumers); False: prices are net and VAT is added on top (B2B).
    prices_include_tax = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.code

    def label(self, language: str = "en") -> str:
        return label_for(self.labels, language, self.code)


class Counter(models.Model):
    """Named sequences (order numbers) that work alike on SQLite and PostgreSQL."""

    name = models.CharField(max_length=30, primary_key=True)
    value = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class Source(models.TextChoices):
    SITE = "site", "Site"
    APP = "app", "App"
    PANEL = "panel", "Panel"
    API = "api", "API"


class Order(models.Model):
    number = models.BigIntegerField(unique=True)
    tracking_token = models.CharField(max_length=64, unique=True)
    type = models.CharField(max_length=30)
    source = models.CharField(max_length=10, choices=Source.choices)
    workflow = models.ForeignKey(Workflow, on_delete=models.PROTECT, related_name="orders")
    # item_workflow, courier, partner: indexed only where set (order_item_workflow, order_courier,
    # order_partner) — most orders name none of them, and an index of their NULLs cost every
    # placement a page of its own for nothing a query asks.
    item_workflow = models.ForeignKey(
        Workflow, null=True, blank=True, on_delete=models.PROTECT, related_name="item_orders", db_index=False
    )
    status = models.CharField(max_length=50)
    status_since = models.DateTimeField()
    #: Grows by one each time the order enters a status, so timers and warnings fire once per entry.
    status_seq = models.PositiveIntegerField(default=1)
    payment_status = models.CharField(max_length=20, default="unpaid")
    payment_channel = models.CharField(max_length=30, blank=True)
    currency = models.CharField(max_length=3)
    subtotal = money(default=ZERO)
    discount = money(default=ZERO)
    fees = money(default=ZERO)
    #: VAT added on top of net prices (B2B types); 0 where prices include it.
    vat_added = money(default=ZERO)
    total = money(default=ZERO)
    # Sums of the payment ledger, kept in the same transaction as each ledger row; never typed in.
    paid = money(default=ZERO)
    refunded = money(default=ZERO)
    deferred_payment = models.BooleanField(default=False)
    # customer, manager, contractor: no index of their own — order_customer, order_manager and
    # order_contractor, on (the key, id), serve every lookup by the key and cost no second write.
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders", db_index=False)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_orders",
        db_index=False,
    )
    contractor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contracted_orders",
        db_index=False,
    )
    courier = models.ForeignKey(
        "delivery.Courier", null=True, blank=True, on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    delivery_address = models.TextField(blank=True)
    #: The address case-folded (``ordo.search.fold``), written with it: the desk's search by address
    #: compares with a plain LIKE, which both databases run at C speed.
    address_folded = models.TextField(blank=True, editable=False)
    language = models.CharField(max_length=8, default="en")
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.PROTECT, related_name="orders", db_index=False
    )
    external_number = models.CharField(max_length=64, blank=True, db_index=True)
    placed_at = models.DateTimeField()
    issued_at = models.DateTimeField(null=True, blank=True)
    #: When the background stock check finished for the current reservation (None: not yet).
    stock_checked_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    #: What the customer chose at checkout beyond items and address, by the type's ``checkout``
    #: settings: ``shipping`` and ``place`` codes, ``planned_date`` (ISO date).
    checkout = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Not columns: ``services.lock_order()`` reads the workflows' digests with the locked row.
    workflow_digest: str
    item_workflow_digest: str | None
    #: Not a column: True on the order a placement or a transition has just written when the
    #: instance holds exactly what its row now holds (``services.order_place``, ``services._written``):
    #: the API's answer need not read it again.
    as_written = False
    #: Not a column: the items such an order's placement wrote or its transition read, as their
    #: rows now hold them (None: it read none); the answer need not read them again either.
    items_as_written: list[OrderItem] | None = None
    #: Not a column: the items ``services.lock_order(with_items=True)`` read under the row's lock
    #: (None: it was not asked to).
    items_locked: list[OrderItem] | None = None

    class Meta:
        indexes = [
            # Timer sweeps: "in status S since before T".
            models.Index(fields=["status", "status_since"], name="order_status_since"),
            models.Index(fields=["payment_status", "id"], name="order_payment_status"),
            models.Index(fields=["customer", "id"], name="order_customer"),
            # Keys an order may leave empty are indexed only where set (a lookup by a key never asks
            # for the empty ones): a placement that leaves them empty writes nothing to them.
            models.Index(fields=["manager", "id"], name="order_manager", condition=models.Q(manager__isnull=False)),
            models.Index(
                fields=["contractor", "id"], name="order_contractor", condition=models.Q(contractor__isnull=False)
            ),
            models.Index(
                fields=["item_workflow"], name="order_item_workflow", condition=models.Q(item_workflow__isnull=False)
            ),
            models.Index(fields=["courier"], name="order_courier", condition=models.Q(courier__isnull=False)),
            models.Index(fields=["partner"], name="order_partner", condition=models.Q(partner__isnull=False)),
            models.Index(fields=["placed_at"], name="order_placed_at"),
            # The desk's "longest waiting first" sort.
            models.Index(fields=["status_since", "id"], name="order_waiting"),
            # The desk's list filtered by status alone, newest or oldest first.
            models.Index(fields=["status", "id"], name="order_status_id"),
            # The desk's counts per status of one source (site, app, panel, API): read from the
            # index alone instead of a scan of the table (~700 ms at 1M orders).
            models.Index(fields=["source", "status"], name="order_source_status"),
        ]

    def __str__(self) -> str:
        return str(self.number)


class OrderItem(models.Model):
    # No index of its own: item_position_unique, on (order, position), serves lookups by order.
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items", db_index=False)
    position = models.PositiveIntegerField()
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField()
    unit_price = money()
    target = models.CharField(max_length=500, blank=True)
    #: The product's category: which contractors may take the item.
    category = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=50, blank=True)
    status_since = models.DateTimeField(null=True, blank=True)
    # Until stock lands, a simple flag: is the material for this item in stock?
    in_stock = models.BooleanField(default=True)
    #: The VAT rate in force for the line's class when the order was placed (None: no VAT).
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    #: How many of ``quantity`` the stock check holds for this item (auto-parts reservations).
    reserved = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["order", "position"], name="item_position_unique")]
        # The desk's search by SKU ("which orders have BP-443?") finds the items first.
        indexes = [models.Index(fields=["sku"], name="item_sku")]

    def __str__(self) -> str:
        return f"{self.order_id}#{self.position} {self.sku}"

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


class StatusChange(models.Model):
    """One history row per status change of an order or one of its items."""

    class Kind(models.TextChoices):
        MANUAL = "manual", "Manual"
        EVENT = "event", "Event"
        TIMER = "timer", "Timer"
        #: An admin moved the order to another version of its workflow (its status, or where the
        #: new version no longer has it, the status the admin chose).
        VERSION = "version", "Version"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="history", db_index=False)  # history_order
    # Indexed only where set (history_item): an order's own status changes, most of them, name no item.
    item = models.ForeignKey(
        OrderItem, null=True, blank=True, on_delete=models.CASCADE, related_name="history", db_index=False
    )
    at = models.DateTimeField()
    from_status = models.CharField(max_length=50, blank=True)
    to_status = models.CharField(max_length=50)
    transition = models.CharField(max_length=50)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_name = models.CharField(max_length=150)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    comment = models.TextField(blank=True)
    status_seq = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["order", "id"], name="history_order"),
            models.Index(fields=["item"], name="history_item", condition=models.Q(item__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.from_status or '·'} → {self.to_status} ({self.transition}, {self.actor_name})"


class Stay(models.Model):
    """How long an order stayed in one status, written by the transaction that moved it on (or by
    the timer sweep's batch): what the time-in-status report reads instead of pairing up every
    history row. Item statuses have none."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="stays", db_index=False)
    #: The order's workflow (a plain id: the report groups by it, and no constraint costs a write).
    workflow_id = models.IntegerField()
    status = models.CharField(max_length=50)
    entered_at = models.DateTimeField()
    left_at = models.DateTimeField()
    seconds = models.BigIntegerField()
    #: The transition that ended the stay.
    left_by = models.CharField(max_length=50)

    class Meta:
        indexes = [
            models.Index(fields=["left_at"], name="stay_left_at"),
            models.Index(fields=["order", "left_at"], name="stay_order"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.status} {self.seconds}s → {self.left_by}"


class Activity(models.Model):
    """What happened to an order besides status changes: channel changes, assignments, gateway
    events. Status changes have their own table (``StatusChange``)."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="activity", db_index=False
    )  # activity_order
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_name = models.CharField(max_length=150)
    kind = models.CharField(max_length=40)
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["order", "id"], name="activity_order")]

    def __str__(self) -> str:
        return f"{self.kind} by {self.actor_name}"


class TimerMark(models.Model):
    """What a timer did once per status entry: warned about an order, or found it blocked by a guard."""

    class Kind(models.TextChoices):
        WARNED = "warned", "Warned"
        BLOCKED = "blocked", "Blocked by a guard"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="timer_marks")
    status_seq = models.PositiveIntegerField()
    transition = models.CharField(max_length=50)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    detail = models.TextField(blank=True)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "status_seq", "transition", "kind"], name="timer_mark_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.transition} #{self.status_seq}"


class IdempotencyKey(models.Model):
    """``Idempotency-Key`` of ``POST /orders``: a retry with the same key gets the same order."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    order = models.ForeignKey(Order, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")]

    def __str__(self) -> str:
        return self.key


class OrderLink(models.Model):
    """Two orders that belong together: ``target`` was made from ``source`` (duplicate, split,
    subcontract) or linked to it by hand with a reason. Shown on both orders."""

    class Kind(models.TextChoices):
        DUPLICATE = "duplicate", "Duplicate"
        SPLIT = "split", "Split"
        SUBCONTRACT = "subcontract", "Subcontract"
        MANUAL = "manual", "Linked by hand"

    source = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = models.TextField(blank=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_name = models.CharField(max_length=150)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="order_link_once"),
            models.CheckConstraint(condition=~models.Q(source=models.F("target")), name="order_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id} ({self.kind})"


class OrderDiscount(models.Model):
    """A named discount on an order: a fixed ``amount`` or a ``percent`` of the goods. ``amount``
    is what it takes off the order; the order's ``discount`` is the sum of its rows."""

    class Kind(models.TextChoices):
        AMOUNT = "amount", "Amount"
        PERCENT = "percent", "Percent"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="discounts")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.DecimalField(max_digits=14, decimal_places=2)
    amount = money()
    reason = models.TextField(blank=True)
    #: Set by the customer's discount tier (``tier``, while that tier exists) rather than by staff.
    automatic = models.BooleanField(default=False)
    tier = models.ForeignKey("DiscountTier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    actor_name = models.CharField(max_length=150)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount}"


class DiscountTier(models.Model):
    """A customer whose paid orders add up to ``threshold`` (in ``currency``) gets ``percent`` off
    each new order (the auto-parts discount tiers); the highest tier reached applies."""

    name = models.CharField(max_length=100)
    currency = models.CharField(max_length=3)
    threshold = money()
    percent = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["currency", "threshold"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "threshold"], name="discount_tier_threshold_unique"),
            models.CheckConstraint(
                condition=models.Q(percent__gt=0, percent__lte=100, threshold__gte=0), name="discount_tier_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.percent}% from {self.threshold} {self.currency}"
