from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("keepalive/", views.keepalive, name="keepalive"),
    path("sessions/end/", views.end_my_sessions, name="end_sessions"),
    path("two-factor/", views.two_factor_page, name="two_factor"),
    path("two-factor/verify/", views.otp_verify, name="otp_verify"),
    path("security/", views.security, name="security"),
]
