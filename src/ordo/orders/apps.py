from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "ordo.orders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the named effects so preset validation knows them.
        from django.db.models.signals import post_delete, post_save

        from ordo.orders import effects  # noqa: F401
        from ordo.orders.models import OrderType, Workflow
        from ordo.search import install

        install()
        # An order type or workflow saved in this process is read afresh at once (ordo.kept).
        from ordo.kept import forgetter

        forget_types = forgetter("order types")
        for model in (OrderType, Workflow):
            post_save.connect(
                forget_types, sender=model, weak=False, dispatch_uid=f"orders.types.{model.__name__}.save"
            )
            post_delete.connect(
                forget_types, sender=model, weak=False, dispatch_uid=f"orders.types.{model.__name__}.delete"
            )
        # Discount tiers and contractors' products, kept for every order placed, likewise.
        from django.contrib.auth.models import User

        from ordo.accounts.models import Profile
        from ordo.orders.assignment import CONTRACTORS
        from ordo.orders.models import DiscountTier
        from ordo.orders.pricing import TIERS

        post_save.connect(TIERS.forget, sender=DiscountTier, weak=False, dispatch_uid="orders.tiers.save")
        post_delete.connect(TIERS.forget, sender=DiscountTier, weak=False, dispatch_uid="orders.tiers.delete")
        for person in (Profile, User):
            uid = f"orders.contractors.{person.__name__}"
            post_save.connect(CONTRACTORS.forget, sender=person, weak=False, dispatch_uid=f"{uid}.save")
            post_delete.connect(CONTRACTORS.forget, sender=person, weak=False, dispatch_uid=f"{uid}.delete")
