"""What the workspace keeps per person: their saved views of the queues."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

#: the lists a view can be saved from (the URL names of jfs.staff.urls)
PAGE_CHOICES = [("queue", _("งานของฉัน")), ("requests", _("ค้นหาคำขอ"))]


class SavedView(models.Model):
    """A named set of filters and a sort order on one of the lists, for one person only.

    ``query`` is the list's query string, limited to the filters and the sort (never the search
    text: a national ID or a name typed there is not kept)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    page = models.CharField(max_length=20, choices=PAGE_CHOICES)
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "page", "name"], name="saved_view_unique_name")]

    def __str__(self) -> str:
        return self.name
