from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "jfs.knowledge"
    label = "knowledge"
