from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "jfs.notify"
    label = "notify"
