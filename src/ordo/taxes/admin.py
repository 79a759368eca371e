from django.contrib import admin

from ordo.taxes.models import TaxRate


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    """Rates change by adding a row from a later day: orders placed before keep their rate."""

    list_display = ("country", "tax_class", "rate", "valid_from")
    list_filter = ("country", "tax_class")
    ordering = ("country", "tax_class", "-valid_from")
