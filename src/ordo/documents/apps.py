from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "ordo.documents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the archive job's handler.
        from ordo.documents import printfiles  # noqa: F401
