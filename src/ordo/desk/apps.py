from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "ordo.desk"
    label = "desk"
