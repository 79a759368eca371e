from django.apps import AppConfig


class BusinessConfig(AppConfig):
    name = "ordo.business"
    label = "business"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from ordo.business.details import forget_business
        from ordo.business.models import Setting

        # A setting saved here is read afresh at once in this process (others within KEEP_FOR).
        post_save.connect(forget_business, sender=Setting, dispatch_uid="business.forget.save")
        post_delete.connect(forget_business, sender=Setting, dispatch_uid="business.forget.delete")
        # The environment's defaults changed (tests override settings).
        from django.core.signals import setting_changed

        setting_changed.connect(forget_business, dispatch_uid="business.forget.setting")
