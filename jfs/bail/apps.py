from django.apps import AppConfig


class BailConfig(AppConfig):
    name = "jfs.bail"
    label = "bail"
