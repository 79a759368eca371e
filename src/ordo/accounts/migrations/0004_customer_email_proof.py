"""Customers prove their address, and records without an account that share one are merged.

Records without an account that share an address (made by concurrent first orders) are merged
into the oldest: their orders, stock alerts, wallet entries (balances recomputed in order) and
memberships move to it. The next migration adds the unique constraint (in a transaction of its
own: PostgreSQL cannot build an index on a table with pending foreign-key checks).
"""

from collections import defaultdict

from django.conf import settings
from django.db import migrations, models


def merge_guest_duplicates(apps, schema_editor):
    Customer = apps.get_model("accounts", "Customer")
    Order = apps.get_model("orders", "Order")
    StockAlert = apps.get_model("catalog", "StockAlert")
    WalletEntry = apps.get_model("payments", "WalletEntry")
    groups = defaultdict(list)
    for record in Customer.objects.filter(user__isnull=True).exclude(email="").order_by("id"):
        groups[record.email.lower()].append(record)
    for records in groups.values():
        if len(records) < 2:
            continue
        keep, *others = records
        ids = [other.pk for other in others]
        Order.objects.filter(customer_id__in=ids).update(customer=keep)
        StockAlert.objects.filter(customer_id__in=ids).update(customer=keep)
        if WalletEntry.objects.filter(customer_id__in=ids).update(customer=keep):
            balances = defaultdict(lambda: 0)
            entries = list(WalletEntry.objects.filter(customer=keep).order_by("id"))
            for entry in entries:
                sign = 1 if entry.kind == "credit" else -1
                balances[entry.currency] += sign * entry.amount
                entry.balance_after = balances[entry.currency]
            WalletEntry.objects.bulk_update(entries, ["balance_after"])
        for other in others:
            keep.organizations.add(*other.organizations.all())
            for member in other.members.all():
                member.organizations.add(keep)
            for field in ("phone", "tax_id", "address", "language"):
                if not getattr(keep, field) and getattr(other, field):
                    setattr(keep, field, getattr(other, field))
        keep.save()
        Customer.objects.filter(pk__in=ids).delete()


def staff_made_accounts_are_proven(apps, schema_editor):
    """Accounts staff made (not through the portal's sign-up) carry an address staff vouched for."""
    Customer = apps.get_model("accounts", "Customer")
    for record in Customer.objects.filter(user__isnull=False).select_related("user"):
        if record.user.username.lower() != (record.email or "").lower():
            record.email_verified_at = record.created_at
            record.save(update_fields=["email_verified_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_people_organizations_partners_tokens"),
        ("orders", "0011_ordertype_free_lines"),
        ("payments", "0003_ledger_moved_kinds"),
        ("catalog", "0003_stock_alerts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="email_verified_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(staff_made_accounts_are_proven, migrations.RunPython.noop),
        migrations.RunPython(merge_guest_duplicates, migrations.RunPython.noop),
    ]
