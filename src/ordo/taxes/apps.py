from django.apps import AppConfig


class TaxesConfig(AppConfig):
    name = "ordo.taxes"
    label = "taxes"
    default_auto_field = "django.db.models.BigAutoField"
