"""URLs of the bulletins app, included at the site root (paths are absolute; HELPERS.md)."""

from django.urls import path

from . import feeds, pdf_urls, views

app_name = "bulletins"

urlpatterns = [
    path("bulletins/", views.issue_list, name="issue_list"),
    path("bulletins/feed/", feeds.PublicIssuesFeed(), name="feed"),
    path("bulletins/archive/<int:year>/", views.year_archive, name="year_archive"),
    path("bulletins/<int:pk>/", views.issue_detail, name="issue_detail"),
    path("bulletins/<int:pk>/acknowledge/", views.issue_acknowledge, name="issue_acknowledge"),
    path(
        "bulletins/<int:issue_pk>/attachments/<int:pk>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "bulletins/<int:issue_pk>/images/<int:pk>/",
        views.attachment_image,
        name="attachment_image",
    ),
    path("bulletins/<int:pk>/cover/", views.issue_cover, name="issue_cover"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
]

# The PDF and year-ZIP views (bulletins/pdf_urls.py) share this namespace.
urlpatterns += pdf_urls.urlpatterns
