from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jfs.core"
    label = "core"
