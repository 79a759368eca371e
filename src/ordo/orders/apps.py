from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "ordo.orders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the named effects so preset validation knows them.
        from ordo.orders import effects  # noqa: F401
        from ordo.search import install

        install()
