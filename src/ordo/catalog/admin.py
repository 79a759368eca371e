from django.contrib import admin

from ordo.catalog.models import Location, Product, Reservation, Stock


class StockInline(admin.TabularInline):
    model = Stock
    extra = 0
    readonly_fields = ("reserved",)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "category", "price", "active")
    list_filter = ("active", "category")
    search_fields = ("=sku", "name")
    inlines = [StockInline]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    """Holds are made and released by the stock check and the workflow; read here."""

    list_display = ("order", "item", "stock", "quantity", "state", "at")
    list_filter = ("state",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
