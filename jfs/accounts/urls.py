from django.urls import path

from jfs.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("otp/", views.otp_view, name="otp"),
    path("enrol/", views.enrol_view, name="enrol"),
    path("logout/", views.logout_view, name="logout"),
]
