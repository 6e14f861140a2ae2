"""URLs of the PDF and year-ZIP downloads, added to bulletins/urls.py (namespace ``bulletins``)."""

from django.urls import path

from . import pdf_views

urlpatterns = [
    path("bulletins/<int:pk>/pdf/", pdf_views.issue_pdf, name="issue_pdf"),
    path("bulletins/archive/<int:year>/zip/", pdf_views.year_zip, name="year_zip"),
]
