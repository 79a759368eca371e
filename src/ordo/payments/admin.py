from django.contrib import admin

from ordo.payments.models import LedgerEntry, PaymentChannel
from ordo.web.admin import ReadOnlyAdmin


@admin.register(PaymentChannel)
class PaymentChannelAdmin(admin.ModelAdmin):
    list_display = ("code", "enabled", "position")
    list_editable = ("enabled", "position")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    """The ledger is append-only: rows are read here and written only by the payment services."""

    list_display = ("order", "kind", "amount", "currency", "channel", "reference", "recorded_at")
    list_filter = ("kind", "channel")
    search_fields = ("order__number", "reference")
