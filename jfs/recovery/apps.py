from django.apps import AppConfig


class RecoveryConfig(AppConfig):
    name = "jfs.recovery"
    label = "recovery"
