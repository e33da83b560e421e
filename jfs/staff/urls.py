from django.urls import path

from jfs.staff import bail, decisions, grants, lawyers, meetings, money, queues, recovery, registry_panel, team, views
from jfs.staff.messages import reply as message_reply
from jfs.staff.satisfaction import urlpatterns as satisfaction_pages

app_name = "staff"
urlpatterns = [
    path("", queues.queue, name="queue"),
    path("views/", queues.saved_view_create, name="saved_view_create"),
    path("views/<int:pk>/delete/", queues.saved_view_delete, name="saved_view_delete"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export.csv", views.dashboard_export, name="dashboard_export"),
    path("overdue/", views.overdue, name="overdue"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/", views.open_notification, name="open_notification"),
    path("inbox/read/", views.notifications_read, name="notifications_read"),
    path("requests/", views.request_list, name="requests"),
    path("requests/search/", views.request_search, name="request_search"),
    path("requests/new/", views.new_request, name="new_request"),
    path("requests/address-options/", views.address_options, name="address_options"),
    path("requests/<int:pk>/", views.case, name="case"),
    path("requests/<int:pk>/edit/", views.edit_request, name="edit_request"),
    path("requests/<int:pk>/transition/", views.do_transition, name="transition"),
    path("requests/<int:pk>/decide/check/", decisions.check_answers, name="decision_check"),
    path("requests/reason-options/", decisions.reason_options, name="reason_options"),
    path("requests/<int:pk>/letters/", decisions.issue_letter, name="issue_letter"),
    path("letters/<int:pk>/", decisions.letter, name="letter"),
    path("requests/<int:pk>/documents/", views.upload, name="upload"),
    path("requests/<int:pk>/messages/", message_reply, name="request_message"),
    path("requests/<int:pk>/assign/", views.assign, name="assign"),
    path("requests/<int:pk>/registry-checks/", views.registry_checks, name="registry_checks"),
    path("requests/<int:pk>/registry-panel/", registry_panel.registry_panel, name="registry_panel"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("team/", team.team, name="team"),
    path("meetings/", meetings.meetings, name="meetings"),
    path("meetings/<int:pk>/", meetings.meeting, name="meeting"),
    path("meetings/<int:pk>/attend/", meetings.attend, name="meeting_attend"),
    path("meetings/<int:pk>/minutes.pdf", meetings.minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/<str:step>/", meetings.meeting_step, name="meeting_step"),
    path("meetings/items/<int:pk>/decide/", meetings.decide, name="meeting_decide"),
    path("meetings/items/<int:pk>/resolution-fields/", meetings.resolution_fields, name="meeting_resolution_fields"),
    path("meetings/items/<int:pk>/<str:step>/", meetings.item_step, name="meeting_item_step"),
]

# the money (issue 11): each module lists its own pages
urlpatterns += money.urlpatterns + bail.urlpatterns + recovery.urlpatterns + lawyers.urlpatterns + grants.urlpatterns

# complaints and legal consultation (issue 12, items 7 and 8)
from jfs.staff import complaints as complaint_pages  # noqa: E402
from jfs.staff import consultations as consultation_pages  # noqa: E402

urlpatterns += complaint_pages.urlpatterns + consultation_pages.urlpatterns

# the satisfaction KPI (issue 12, item 7)
urlpatterns += satisfaction_pages
