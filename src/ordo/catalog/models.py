from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from ordo.orders.models import Order, OrderItem, money


class Product(models.Model):
    """Something sold: order items name it by ``sku``."""

    sku = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=300)
    category = models.CharField(max_length=64, blank=True)
    price = money()
    #: The VAT class (``standard``, ``reduced``…) whose rate in the shop's country the price includes;
    #: empty: its category's class (``taxes.CategoryClass``), else ``standard``.
    tax_class = models.SlugField(max_length=30, blank=True, default="")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class Location(models.Model):
    """A warehouse location stock is kept in; reservations take from locations in code order."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Stock(models.Model):
    """How many of a product are at a location (``on_hand``) and how many of those are held for
    orders (``reserved``). The database refuses ever holding more than there is."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="stock")
    on_hand = models.PositiveIntegerField(default=0)
    reserved = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "location"], name="stock_once_per_location"),
            models.CheckConstraint(condition=Q(reserved__lte=F("on_hand")), name="stock_never_oversold"),
        ]

    def __str__(self) -> str:
        return f"{self.product.sku}@{self.location.code}: {self.on_hand} ({self.reserved} reserved)"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class Reservation(models.Model):
    """Stock held for an order item: released when the order is cancelled or the hold lapses,
    consumed when it ships."""

    class State(models.TextChoices):
        HELD = "held", "Held"
        RELEASED = "released", "Released"
        CONSUMED = "consumed", "Consumed (shipped)"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="reservations")
    item = models.ForeignKey(OrderItem, on_delete=models.CASCADE, related_name="reservations")
    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="reservations")
    quantity = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.HELD)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["order", "state"], name="reservation_order_state")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.stock} for {self.order_id} ({self.state})"


class Material(models.Model):
    """What an item is made of (furniture): ``quantity`` units of ``product`` taken from stock when
    production starts (held as reservations of the item, consumed when production finishes)."""

    item = models.ForeignKey(OrderItem, on_delete=models.CASCADE, related_name="materials")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="used_in")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "product"], name="material_once_per_item")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product.sku} for item {self.item_id}"


class StockAlert(models.Model):
    """ "Tell me when it's back": one e-mail when the product's free stock goes from none to some,
    then the alert ends. ``token`` (random, unguessable) is the unsubscribe link's key."""

    class Ended(models.TextChoices):
        SENT = "sent", "Sent"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="alerts")
    email = models.EmailField()
    customer = models.ForeignKey(
        "accounts.Customer", null=True, blank=True, on_delete=models.CASCADE, related_name="stock_alerts"
    )
    language = models.CharField(max_length=8, blank=True)
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended = models.CharField(max_length=12, choices=Ended.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "email"], condition=Q(ended_at__isnull=True), name="stock_alert_once_while_open"
            )
        ]
        indexes = [models.Index(fields=["product", "ended_at"], name="stock_alert_product_open")]

    def __str__(self) -> str:
        return f"{self.email} waits for {self.product.sku}"
