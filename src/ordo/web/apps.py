from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "ordo.web"
    label = "web"
