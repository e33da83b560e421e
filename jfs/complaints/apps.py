from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "jfs.complaints"
    label = "complaints"
