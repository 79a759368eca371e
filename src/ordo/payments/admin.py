from django.contrib import admin

from ordo.payments.models import LedgerEntry, PaymentChannel


@admin.register(PaymentChannel)
class PaymentChannelAdmin(admin.ModelAdmin):
    list_display = ("code", "enabled", "position")
    list_editable = ("enabled", "position")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """The ledger is append-only: rows are read here and written only by the payment services."""

    list_display = ("order", "kind", "amount", "currency", "channel", "reference", "recorded_at")
    list_filter = ("kind", "channel")
    search_fields = ("order__number", "reference")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
