from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "ordo.documents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Register the jobs' handlers (print archives, correcting invoices) and the issue_documents effect.
        from ordo.documents import corrections, printfiles, services  # noqa: F401
