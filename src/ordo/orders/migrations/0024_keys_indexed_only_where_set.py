import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _fk(to: str, *, on_delete, related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        blank=True, db_index=False, null=True, on_delete=on_delete, related_name=related_name, to=to
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_customer_email_folded"),
        ("delivery", "0001_initial"),
        ("orders", "0023_drop_unused_like_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # Keys most rows leave empty (an order's manager, contractor, item workflow, courier and
    # partner; a status change's item) are indexed only where set: every row written put its NULL
    # in each of those indexes, a page of the write-ahead log each on SQLite, and no query asks for
    # them — a lookup by a key (``= x``, ``IN (…)``) implies it is set, and both databases then use
    # the partial index. The keys' own indexes are dropped by name, so SQLite does not rebuild the
    # tables.
    operations = [
        migrations.RemoveIndex(model_name="order", name="order_manager"),
        migrations.RemoveIndex(model_name="order", name="order_contractor"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="order",
                    name="courier",
                    field=_fk("delivery.courier", on_delete=django.db.models.deletion.PROTECT, related_name="orders"),
                ),
                migrations.AlterField(
                    model_name="order",
                    name="item_workflow",
                    field=_fk(
                        "orders.workflow", on_delete=django.db.models.deletion.PROTECT, related_name="item_orders"
                    ),
                ),
                migrations.AlterField(
                    model_name="order",
                    name="partner",
                    field=_fk("accounts.partner", on_delete=django.db.models.deletion.PROTECT, related_name="orders"),
                ),
                migrations.AlterField(
                    model_name="statuschange",
                    name="item",
                    field=_fk("orders.orderitem", on_delete=django.db.models.deletion.CASCADE, related_name="history"),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX "orders_order_courier_id_80f94e0c"',
                    reverse_sql='CREATE INDEX "orders_order_courier_id_80f94e0c" ON "orders_order" ("courier_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "orders_order_item_workflow_id_532fd439"',
                    reverse_sql=(
                        'CREATE INDEX "orders_order_item_workflow_id_532fd439" ON "orders_order" ("item_workflow_id")'
                    ),
                ),
                migrations.RunSQL(
                    'DROP INDEX "orders_order_partner_id_9b0056be"',
                    reverse_sql='CREATE INDEX "orders_order_partner_id_9b0056be" ON "orders_order" ("partner_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX "orders_statuschange_item_id_97c59e08"',
                    reverse_sql=(
                        'CREATE INDEX "orders_statuschange_item_id_97c59e08" ON "orders_statuschange" ("item_id")'
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("manager__isnull", False)), fields=["manager", "id"], name="order_manager"
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("contractor__isnull", False)), fields=["contractor", "id"], name="order_contractor"
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("item_workflow__isnull", False)),
                fields=["item_workflow"],
                name="order_item_workflow",
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("courier__isnull", False)), fields=["courier"], name="order_courier"
            ),
        ),
        migrations.AddIndex(
            model_name="order",
            index=models.Index(
                condition=models.Q(("partner__isnull", False)), fields=["partner"], name="order_partner"
            ),
        ),
        migrations.AddIndex(
            model_name="statuschange",
            index=models.Index(condition=models.Q(("item__isnull", False)), fields=["item"], name="history_item"),
        ),
    ]
