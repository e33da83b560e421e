"""Django's admin app with our site (``jfs.accounts.admin_site.JfsAdminSite``): the staff sign-in
(password + TOTP), administrators only, and only accounts, offices, closures and API tokens."""

from django.contrib.admin.apps import AdminConfig


class JfsAdminConfig(AdminConfig):
    default_site = "jfs.accounts.admin_site.JfsAdminSite"
