"""URL map: the citizens' portal (at the root), staff workspace, accounts, API, health, metrics, language switch."""

from django.contrib import admin
from django.urls import include, path

from jfs.api.api import api
from jfs.core.metrics import metrics_view
from jfs.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),  # Prometheus; allowed addresses / token only
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("jfs.accounts.urls")),
    path("staff/", include("jfs.staff.urls")),
    path("audit/", include("jfs.staff.audit_urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    # last: the portal's pages sit at the root (/, /services/, /sign-in/, /apply/ …)
    path("", include("jfs.portal.urls")),
]
