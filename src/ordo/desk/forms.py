"""The desk's forms: the list's filters and manual order entry."""

from __future__ import annotations

from datetime import datetime, time
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ordo.accounts.models import Role
from ordo.orders.models import Source
from ordo.orders.selectors import SORTS, OrderFilters
from ordo.web.labels import PAYMENT_STATUS, SOURCE
from ordo.web.orders import status_labels, type_labels
from ordo.web.pages import language


def staff_choices(*roles: str) -> list[tuple[str, str]]:
    people = User.objects.filter(is_active=True, profile__role__in=roles).order_by("username")
    return [("", "—")] + [(str(u.pk), u.get_full_name() or u.username) for u in people]


def status_choices() -> list[tuple[str, str]]:
    """Every order status of every workflow, by code (labels joined when workflows name it alike)."""
    return [("", "—"), *sorted(status_labels(language()).items(), key=lambda kv: kv[1])]


class OrderFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Number, customer name, e-mail or phone, SKU or delivery address"),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    payment_status = forms.ChoiceField(label=_("Payment"), required=False)
    type = forms.ChoiceField(label=_("Type"), required=False)
    source = forms.ChoiceField(label=_("Source"), required=False)
    manager = forms.ChoiceField(label=_("Manager"), required=False)
    contractor = forms.ChoiceField(label=_("Contractor"), required=False)
    placed_after = forms.DateField(
        label=_("Placed from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    placed_before = forms.DateField(
        label=_("Placed before"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        f = {name: field for name, field in self.fields.items() if isinstance(field, forms.ChoiceField)}
        f["status"].choices = status_choices()
        f["payment_status"].choices = [("", "—"), *((k, str(v)) for k, v in PAYMENT_STATUS.items())]
        f["type"].choices = [("", "—"), *type_labels(language()).items()]
        f["source"].choices = [("", "—"), *((s, str(SOURCE.get(s, s))) for s in Source.values)]
        f["manager"].choices = staff_choices(Role.MANAGER, Role.ADMIN)
        f["contractor"].choices = staff_choices(Role.CONTRACTOR)
        labels = {"newest": _("Newest first"), "oldest": _("Oldest first"), "waiting": _("Longest in status first")}
        f["sort"].choices = [(key, labels[key]) for key in SORTS]

    def filters(self) -> OrderFilters:
        data = self.cleaned_data if self.is_valid() else {}

        def moment(day):
            return timezone.make_aware(datetime.combine(day, time.min)) if day else None

        return OrderFilters(
            status=data.get("status") or None,
            payment_status=data.get("payment_status") or None,
            type=data.get("type") or None,
            source=data.get("source") or None,
            manager=int(data["manager"]) if data.get("manager") else None,
            contractor=int(data["contractor"]) if data.get("contractor") else None,
            q=data.get("q") or None,
            placed_after=moment(data.get("placed_after")),
            placed_before=moment(data.get("placed_before")),
        )

    @property
    def filters_set(self) -> int:
        """How many filters besides the search hold a value (the folded filters say so)."""
        if not self.is_bound or not self.is_valid():
            return 0
        return sum(1 for name, value in self.cleaned_data.items() if name not in ("q", "sort") and value)

    def sort_order(self) -> str:
        return (self.cleaned_data.get("sort") if self.is_valid() else "") or "newest"

    def cleaned_query(self) -> str:
        """The query string of the filters that hold a valid value, in the form's order (what a
        saved view keeps): unknown parameters, invalid values, the default sort and the page
        cursor are left out."""
        if not self.is_bound:
            return ""
        self.is_valid()
        kept = [
            (name, self.data[name])
            for name in self.fields
            if name not in self.errors and self.cleaned_data.get(name) and self.data.get(name)
        ]
        return urlencode([(name, value) for name, value in kept if (name, value) != ("sort", "newest")])


class SavedViewForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the view"),
        max_length=80,
        error_messages={"required": _("Name the view.")},
    )
    shared = forms.BooleanField(label=_("Show it to colleagues"), required=False)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


class NewOrderForm(forms.Form):
    """A customer on the phone: find them (``customer`` id from the search) or type them in."""

    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Customer name"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    kind = forms.ChoiceField(
        label=_("Customer is"), choices=[("person", _("a person")), ("organization", _("an organization"))]
    )
    type = forms.ChoiceField(label=_("Order type"))
    payment_channel = forms.ChoiceField(label=_("Payment channel"), required=False)
    delivery_address = forms.CharField(
        label=_("Delivery address"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, channels: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        types = type_labels(language())
        for name, choices in (("type", list(types.items())), ("payment_channel", [("", "—"), *channels])):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
        if "regular" in types:
            self.fields["type"].initial = "regular"

    def clean(self):
        data = super().clean() or {}
        if not data.get("customer") and not data.get("name"):
            raise forms.ValidationError(_("Choose a customer from the search, or type in a new one's name."))
        return data
