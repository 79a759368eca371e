from django.contrib import admin

from ordo.orders.models import (
    DiscountTier,
    Order,
    OrderDiscount,
    OrderItem,
    OrderLink,
    OrderType,
    StatusChange,
    Workflow,
)
from ordo.web.admin import ReadOnlyAdmin


@admin.register(Workflow)
class WorkflowAdmin(ReadOnlyAdmin):
    """Published versions never change: workflows are edited as drafts in the desk (or the API)
    and published as the next version there."""

    list_display = ("code", "version", "current", "scope", "published_at", "published_by", "note")
    list_filter = ("code", "current")


@admin.register(OrderType)
class OrderTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "workflow", "item_workflow", "currency", "delivery")


class ReadOnlyInline(admin.TabularInline):
    """Items, history, discounts and links change through the API and the desk, which lock the
    order, recompute totals and log who did it; the admin only shows them."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OrderItemInline(ReadOnlyInline):
    model = OrderItem
    fields = ("position", "sku", "name", "quantity", "unit_price", "target", "status", "status_since")


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fields = ("at", "item", "from_status", "to_status", "transition", "actor_name", "kind", "comment")


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    """Orders are only read here, strictly: an edit in the admin would bypass the order's lock,
    its totals, its timeline and the permission rule. Changes go through the desk and the API."""

    list_display = (
        "number",
        "type",
        "status",
        "payment_status",
        "total",
        "currency",
        "customer",
        "placed_at",
    )
    list_filter = ("status", "payment_status", "type", "source")
    search_fields = ("=number", "external_number", "customer__name", "customer__email")
    readonly_fields = (
        "number",
        "tracking_token",
        "workflow",
        "item_workflow",
        "status",
        "status_since",
        "status_seq",
        "payment_status",
        "paid",
        "refunded",
        "deferred_payment",
        "subtotal",
        "discount",
        "fees",
        "total",
        "placed_at",
    )
    inlines = [OrderItemInline, StatusChangeInline]


class OrderDiscountInline(ReadOnlyInline):
    model = OrderDiscount
    fields = ("name", "kind", "value", "amount", "reason", "automatic", "actor_name", "at")


class OrderLinkInline(ReadOnlyInline):
    model = OrderLink
    fk_name = "source"
    fields = ("target", "kind", "reason", "actor_name", "at")


OrderAdmin.inlines = [*OrderAdmin.inlines, OrderDiscountInline, OrderLinkInline]


@admin.register(DiscountTier)
class DiscountTierAdmin(admin.ModelAdmin):
    """Customers whose paid orders reach a threshold get its percent off new orders."""

    list_display = ("name", "currency", "threshold", "percent")
    list_filter = ("currency",)
