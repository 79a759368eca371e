from django.contrib import admin

from ordo.accounts.models import ApiToken, Customer, Partner, Profile
from ordo.accounts.services import token_revoke


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "language", "phone")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email")
    fieldsets = (
        (None, {"fields": ("user", "role", "language", "time_zone", "phone")}),
        (
            "Statuses this employee may move orders into (empty: all their role permits)",
            {"fields": ("allowed_statuses",)},
        ),
        ("Contractors: the products they take (both empty: any)", {"fields": ("skus", "categories")}),
    )


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "email", "phone", "user", "manager", "registered_by")
    list_filter = ("kind",)
    search_fields = ("name", "email", "phone", "tax_id")
    filter_horizontal = ("organizations",)
    raw_id_fields = ("user", "manager", "registered_by")


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "email", "user", "active")
    list_filter = ("active",)
    search_fields = ("code", "name", "email")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "source", "created_at", "last_used_at", "revoked_at")
    list_filter = ("source",)
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset:
            token_revoke(token)
