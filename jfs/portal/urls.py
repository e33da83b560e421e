"""The portal's URL map: each area's module lists its own pages (``urlpatterns``)."""

from django.urls import URLPattern, URLResolver

from jfs.portal import apply, complaints, consult, inbox, public, selfcheck, signin, track

app_name = "portal"
urlpatterns: list[URLPattern | URLResolver] = [
    *public.urlpatterns,
    *signin.urlpatterns,
    *selfcheck.urlpatterns,
    *apply.urlpatterns,
    *track.urlpatterns,
    *inbox.urlpatterns,
    *complaints.urlpatterns,
    *consult.urlpatterns,
]
