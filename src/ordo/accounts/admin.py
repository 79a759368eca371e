from django.contrib import admin

from ordo.accounts.models import ApiToken, Customer, Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "language")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "email", "phone", "user")
    list_filter = ("kind",)
    search_fields = ("name", "email", "phone")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")
