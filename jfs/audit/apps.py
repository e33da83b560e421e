from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "jfs.audit"
    label = "audit"
