from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "jfs.portal"
    label = "portal"
