from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "jfs.applications"
    label = "applications"
