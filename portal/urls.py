"""Root URLs (stable paths in DESIGN.md)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog

from . import views

admin.site.site_header = _("产改办工作平台 · 管理")
admin.site.site_title = _("产改办工作平台")
admin.site.index_title = _("内容与任务管理")

handler403 = "portal.views.error_403"
handler404 = "portal.views.error_404"
handler500 = "portal.views.error_500"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # The JavaScript catalogue of the rich-text editor's labels (bulletins/editor_field.py).
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path(
        "accounts/login/",
        views.LoginView.as_view(),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    path("", include("bulletins.urls")),
    path("submissions/", include("bulletins.submissions.urls")),
    path("tasks/", include("tasks.urls")),
    path("search/", include("portal.search.urls")),
    path("audit/", include("portal.audit.urls")),
    path("accounts/", include("portal.accounts.urls")),
]
