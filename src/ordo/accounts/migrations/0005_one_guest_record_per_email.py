"""One customer record per address among those without an account (after 0004 merged them)."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_customer_email_proof")]

    operations = [
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                condition=models.Q(("user__isnull", True), models.Q(("email", ""), _negated=True)),
                name="one_guest_record_per_email",
            ),
        ),
    ]
