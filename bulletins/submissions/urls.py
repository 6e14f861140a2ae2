"""URLs of 信息报送, included at /submissions/."""

from django.urls import path

from . import views

app_name = "submissions"

urlpatterns = [
    path("", views.submission_list, name="list"),
    path("new/", views.submission_create, name="create"),
    path("<int:pk>/", views.submission_detail, name="detail"),
    path("<int:pk>/edit/", views.submission_edit, name="edit"),
    path("<int:pk>/submit/", views.submission_submit, name="submit"),
    path("<int:pk>/sign-off/", views.submission_sign_off, name="sign_off"),
    path("<int:pk>/leader-return/", views.submission_leader_return, name="leader_return"),
    path("<int:pk>/return/", views.submission_return, name="return"),
    path("<int:pk>/decline/", views.submission_decline, name="decline"),
    path("<int:pk>/adopt/", views.submission_adopt, name="adopt"),
    path("<int:pk>/upward/", views.submission_upward, name="upward"),
    path("<int:pk>/files/<int:file_pk>/", views.file_download, name="file"),
    path("<int:pk>/images/<int:file_pk>/", views.image, name="image"),
    path("<int:pk>/versions/<int:history_id>/", views.version_detail, name="version"),
    path("points/", views.points, name="points"),
    path("points.xlsx", views.points_export, name="points_export"),
    path("rules/<int:year>/", views.rules, name="rules"),
]
