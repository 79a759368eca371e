from django.contrib import admin

from ordo.documents.models import Counter, Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Issued documents are kept as issued: read here, (re)issued through the order."""

    list_display = ("number", "kind", "version", "order", "language", "issued_at", "issued_by")
    list_filter = ("kind", "language")
    search_fields = ("=number", "=order__number")
    exclude = ("pdf",)
    readonly_fields = ("order", "kind", "number", "version", "language", "issued_at", "issued_by", "reason", "size")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    """Numbering sequences; an admin may start a year at a number (never lower an issued one)."""

    list_display = ("name", "value")
