from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "jfs.consultations"
    label = "consultations"
