from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "jfs.staff"
    label = "staff"
