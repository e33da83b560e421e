from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "jfs.grants"
    label = "grants"
