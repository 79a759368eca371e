from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "ordo.catalog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the stock effects, guards' facts and job handlers by name.
        from ordo.catalog import alerts, materials, reservations  # noqa: F401
