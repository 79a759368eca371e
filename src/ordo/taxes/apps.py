from django.apps import AppConfig


class TaxesConfig(AppConfig):
    name = "ordo.taxes"
    label = "taxes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from ordo.taxes.models import CategoryClass, TaxRate
        from ordo.taxes.rates import forget_rates

        # A rate or category class saved or deleted in this process is read afresh at once (others
        # within a minute).
        for model in (TaxRate, CategoryClass):
            uid = f"taxes.forget_rates.{model.__name__}"
            post_save.connect(forget_rates, sender=model, dispatch_uid=f"{uid}.save")
            post_delete.connect(forget_rates, sender=model, dispatch_uid=f"{uid}.delete")
        from ordo.catalog.models import Product
        from ordo.taxes.rates import PRODUCT_CLASSES

        post_save.connect(PRODUCT_CLASSES.forget, sender=Product, dispatch_uid="taxes.product_classes.save")
        post_delete.connect(PRODUCT_CLASSES.forget, sender=Product, dispatch_uid="taxes.product_classes.delete")
