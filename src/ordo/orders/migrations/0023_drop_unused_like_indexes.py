"""PostgreSQL gives every indexed text column a second, "_like" index (varchar_pattern_ops) for
``LIKE 'prefix%'`` searches. Nothing searches an order's tracking token or external number that
way (both are looked up whole), yet every order written paid for both: they are dropped. SQLite
has no such indexes; there this migration does nothing."""

from django.db import migrations

COLUMNS = ("tracking_token", "external_number")


def _like_indexes(schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, "orders_order")
    wanted = {(column,) for column in COLUMNS}
    return [name for name, c in found.items() if name.endswith("_like") and tuple(c["columns"]) in wanted]


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in _like_indexes(schema_editor):
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def restore(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    model = apps.get_model("orders", "Order")
    for column in COLUMNS:
        schema_editor.execute(schema_editor._create_like_index_sql(model, model._meta.get_field(column)))


class Migration(migrations.Migration):
    dependencies = [("orders", "0022_foreign_keys_served_by_composite_indexes")]

    operations = [migrations.RunPython(drop, restore)]
