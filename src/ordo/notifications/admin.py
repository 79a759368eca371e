from django import forms
from django.contrib import admin, messages

from ordo.errors import DomainError
from ordo.notifications.models import Attempt, Message, TemplateOverride, WebhookSubscription
from ordo.notifications.relay import message_resend
from ordo.notifications.wording import template_check, template_key


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    readonly_fields = ("at", "ok", "permanent", "error", "duration_ms", "worker")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """The delivery log. Rows are written by services and the worker; staff may only resend."""

    list_display = (
        "id",
        "order",
        "event",
        "recipient",
        "channel",
        "status",
        "attempts",
        "available_at",
        "sent_at",
    )
    list_filter = ("status", "channel", "event", "recipient")
    search_fields = ("order__number", "address", "dedupe_key")
    readonly_fields = [f.name for f in Message._meta.fields]
    inlines = [AttemptInline]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Send again (a fresh copy)")
    def resend(self, request, queryset):
        for message in queryset:
            message_resend(message_id=message.pk)
        self.message_user(request, f"{queryset.count()} message(s) queued again.", messages.SUCCESS)


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("url", "events", "active", "consecutive_failures", "disabled_at")
    list_filter = ("active",)


class TemplateOverrideForm(forms.ModelForm):
    """The same checks as the desk's template editor and the API (``notifications.wording``)."""

    class Meta:
        model = TemplateOverride
        fields = ("event", "recipient", "channel", "language", "subject", "body")

    def clean(self):
        cleaned = super().clean() or {}
        try:
            template_key(
                cleaned.get("event", ""),
                cleaned.get("recipient", ""),
                cleaned.get("channel", ""),
                cleaned.get("language", ""),
            )
            cleaned["subject"], cleaned["body"] = template_check(cleaned.get("subject", ""), cleaned.get("body", ""))
        except DomainError as error:
            raise forms.ValidationError(error.message) from None
        return cleaned


@admin.register(TemplateOverride)
class TemplateOverrideAdmin(admin.ModelAdmin):
    form = TemplateOverrideForm
    list_display = ("event", "recipient", "channel", "language", "subject")
    list_filter = ("event", "channel", "language")
