from django.contrib import admin

from ordo.taxes.models import CategoryClass, TaxRate


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    """Rates change by adding a row from a later day: orders placed before keep their rate."""

    list_display = ("country", "tax_class", "rate", "valid_from")
    list_filter = ("country", "tax_class")
    ordering = ("country", "tax_class", "-valid_from")


@admin.register(CategoryClass)
class CategoryClassAdmin(admin.ModelAdmin):
    """A product without a VAT class of its own takes its category's (else ``standard``)."""

    list_display = ("category", "tax_class")
    search_fields = ("category",)
