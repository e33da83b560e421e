from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jfs.accounts"
    label = "accounts"
