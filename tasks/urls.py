"""URLs of the task app, included at /tasks/."""

from django.urls import path

from . import views

app_name = "tasks"

urlpatterns = [
    path("", views.assignment_list, name="assignment_list"),
    path("export.xlsx", views.export, name="export"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment_detail"),
    path(
        "assignments/<int:pk>/acknowledge/",
        views.assignment_acknowledge,
        name="assignment_acknowledge",
    ),
    path("assignments/<int:pk>/reports/", views.report_create, name="report_create"),
    path("assignments/<int:pk>/close/", views.assignment_close, name="assignment_close"),
    path("assignments/<int:pk>/extension/", views.extension_create, name="extension_create"),
    path("extensions/", views.extension_list, name="extension_list"),
    path("extensions/<int:pk>/", views.extension_detail, name="extension_detail"),
    path("extensions/<int:pk>/withdraw/", views.extension_withdraw, name="extension_withdraw"),
    path("extensions/<int:pk>/evidence/", views.extension_evidence, name="extension_evidence"),
    path("meetings/<int:pk>/decisions/", views.decision_list, name="decision_list"),
    path("decisions/<int:pk>/edit/", views.decision_edit, name="decision_edit"),
    path("decisions/<int:pk>/task/", views.decision_task, name="decision_task"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("reminders/<int:pk>/read/", views.reminder_read, name="reminder_read"),
    path("problems/", views.problem_list, name="problem_list"),
    path("problems/<int:pk>/", views.problem_detail, name="problem_detail"),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("overview/", views.overview, name="overview"),
    path("review/", views.review_queue, name="review_queue"),
    path("remind/", views.remind, name="remind"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/assign/", views.plan_assign, name="plan_assign"),
    path("plans/<int:pk>/import/", views.plan_import, name="plan_import"),
    path("plans/<int:pk>/assessments/", views.assessment_list, name="assessment_list"),
    path(
        "plans/<int:pk>/assessments/<int:unit_pk>/",
        views.assessment_score,
        name="assessment_score",
    ),
]
