from django.apps import AppConfig


class LawyersConfig(AppConfig):
    name = "jfs.lawyers"
    label = "lawyers"
