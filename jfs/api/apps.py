from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "jfs.api"
    label = "api"
