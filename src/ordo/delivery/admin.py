from django.contrib import admin

from ordo.delivery.models import Courier, CourierLink


@admin.register(Courier)
class CourierAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "phone", "active")
    list_filter = ("active",)
    search_fields = ("name", "email", "phone")


@admin.register(CourierLink)
class CourierLinkAdmin(admin.ModelAdmin):
    list_display = ("id", "order", "courier", "created_at", "expires_at", "used_at", "revoked_at")
    readonly_fields = ("order", "courier", "created_at", "expires_at", "used_at", "revoked_at")
