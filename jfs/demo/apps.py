from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "jfs.demo"
    label = "demo"
