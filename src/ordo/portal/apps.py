from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "ordo.portal"
    label = "portal"
