from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "jfs.tracking"
    label = "tracking"
