from django.urls import path

from jfs.staff import audit_search

app_name = "audit"
urlpatterns = [path("", audit_search.audit_search, name="search")]
