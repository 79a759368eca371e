import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_order_key_served_by_message_order"),
        ("orders", "0024_keys_indexed_only_where_set"),
    ]

    # E-mails and texts, most messages, name no webhook subscription: the key is indexed only where
    # set (a lookup by it implies it is), so writing a message no longer puts a NULL in an index.
    # Its own index is dropped by name, so SQLite does not rebuild the table.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="message",
                    name="subscription",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to="notifications.webhooksubscription",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX "notifications_message_subscription_id_9371ac8d"',
                    reverse_sql=(
                        'CREATE INDEX "notifications_message_subscription_id_9371ac8d" '
                        'ON "notifications_message" ("subscription_id")'
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                condition=models.Q(("subscription__isnull", False)),
                fields=["subscription"],
                name="message_subscription",
            ),
        ),
    ]
