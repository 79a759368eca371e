from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "ordo.delivery"
    default_auto_field = "django.db.models.BigAutoField"
