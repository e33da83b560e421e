from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jfs.accounts"
    label = "accounts"

    def ready(self) -> None:
        from jfs.accounts import signals  # noqa: F401 - connects the audit of lockouts and admin changes
