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
from ordo.workflow.definition import label_for


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


class ShippingSelect(forms.RadioSelect):
    """Shipping options that say what each needs (``data-needs="place"`` or ``"address"``), so the
    page shows only the pickup place or only the address once one is chosen (CSS, no script)."""

    def __init__(self, needs: dict[str, str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.needs = needs

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if self.needs.get(str(value)):
            option["attrs"] = {**option["attrs"], "data-needs": self.needs[str(value)]}
        return option


class CheckoutForm(forms.Form):
    """The checkout of one order type, drawn from its ``checkout`` settings: how the order is
    received (and where), the planned date, services, the payment channel, notes; for a guest
    also name, e-mail and phone. The rules themselves are ``portal.services.checkout_check``'s."""

    def __init__(
        self,
        *args,
        settings: dict,
        channels: list[tuple[str, str]],
        services: list[tuple[str, str]],
        guest: bool,
        lang: str,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        if guest:
            self.fields["name"] = forms.CharField(label=_("Your name"), max_length=200)
            self.fields["email"] = forms.EmailField(
                label=_("E-mail"), help_text=_("We e-mail the order's link here."), max_length=254
            )
            self.fields["phone"] = forms.CharField(label=_("Phone"), max_length=40, required=False)
        options = settings.get("shipping", [])
        if options:
            self.fields["shipping"] = forms.ChoiceField(
                label=_("How you receive the order"),
                choices=[(o["code"], label_for(o["labels"], lang, o["code"])) for o in options],
                widget=ShippingSelect(
                    {o["code"]: "address" if o.get("address") else "place" if o.get("places") else "" for o in options}
                ),
            )
            places = [
                (p["code"], label_for(p["labels"], lang, p["code"])) for o in options for p in o.get("places", [])
            ]
            if places:
                self.fields["place"] = forms.ChoiceField(
                    label=_("Pickup place"), choices=[("", "—"), *places], required=False
                )
            if any(o.get("address") for o in options):
                self.fields["address"] = forms.CharField(
                    label=_("Delivery address"),
                    widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
                    required=False,
                    max_length=1000,
                )
        if settings.get("planned_date"):
            self.fields["planned_date"] = forms.DateField(
                label=_("When you plan to buy (optional)"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
        if services:
            self.fields["services"] = forms.MultipleChoiceField(
                label=_("Services"), choices=services, widget=forms.CheckboxSelectMultiple, required=False
            )
        if channels:
            self.fields["channel"] = forms.ChoiceField(
                label=_("Payment"), choices=channels, widget=forms.RadioSelect, initial=channels[0][0]
            )
        self.fields["notes"] = forms.CharField(
            label=_("Notes for us (optional)"),
            widget=forms.Textarea(attrs={"rows": 3}),
            required=False,
            max_length=2000,
        )
        # The honeypot: hidden from people (and screen readers), filled in by form-filling bots.
        self.fields["website"] = forms.CharField(
            required=False,
            label=_("Leave this empty"),
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )
