from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ordo.web"
    label = "web"

    def ready(self) -> None:
        from ordo.web import checks  # noqa: F401  (registers Ordo's deployment checks)
