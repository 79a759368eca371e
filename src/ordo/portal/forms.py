from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ordo.accounts.models import Customer
from ordo.notifications.models import Channel, Message


class SignUpForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"))
    phone = forms.CharField(label=_("Phone (optional)"), max_length=40, required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(username__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail exists already. Sign in or reset the password."))
        return email

    def clean(self):
        data = super().clean() or {}
        if data.get("password"):
            probe = User(username=data.get("email", ""), email=data.get("email", ""), first_name=data.get("name", ""))
            try:
                password_validation.validate_password(data["password"], probe)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form (it tells nobody whether the address has an account), with the e-mail
    sent through the outbox: retried when the mail server is down, in the customer's language."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ) -> None:
        user = context["user"]
        path = reverse("password-reset-confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        customer = Customer.objects.filter(user=user).first()
        language = (customer.language if customer else "") or get_language() or settings.LANGUAGE_CODE
        now = timezone.now()
        Message.objects.create(
            event="password_reset",
            recipient="subscriber",
            channel=Channel.EMAIL,
            context={"address": to_email, "language": language, "reset": f"{settings.ORDO_PUBLIC_URL}{path}"},
            dedupe_key=f"password_reset:{user.pk}:{context['token']}",
            available_at=now,
            created_at=now,
        )
