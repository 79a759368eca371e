from django.apps import AppConfig


class TaxesConfig(AppConfig):
    name = "ordo.taxes"
    label = "taxes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from ordo.taxes.models import TaxRate
        from ordo.taxes.rates import forget_rates

        # A rate saved or deleted in this process is read afresh at once (others within a minute).
        post_save.connect(forget_rates, sender=TaxRate, dispatch_uid="taxes.forget_rates.save")
        post_delete.connect(forget_rates, sender=TaxRate, dispatch_uid="taxes.forget_rates.delete")
