from django.apps import AppConfig


class CitizensConfig(AppConfig):
    name = "jfs.citizens"
    label = "citizens"
