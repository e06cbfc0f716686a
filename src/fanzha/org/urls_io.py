"""Spreadsheet import and export, mounted at /io/."""

from django.urls import path

from fanzha.org import views_io

urlpatterns = [
    path("", views_io.io_index, name="io_index"),
    path("template/<slug:kind>.xlsx", views_io.io_template, name="io_template"),
    path("import/<slug:kind>/", views_io.io_import, name="io_import"),
    path("export/", views_io.io_export_page, name="io_export_page"),
    path("export/<slug:kind>.xlsx", views_io.io_export, name="io_export"),
]
