from django.urls import path

from fanzha.outreach import views

app_name = "outreach"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    path("activities/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("evidence/<int:pk>/thumb/", views.evidence_thumb, name="evidence_thumb"),
    path("households/<int:pk>/visit/", views.household_visit, name="household_visit"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("nodes/<int:pk>/targeted/", views.targeted, name="targeted"),
    path("units/", views.unit_rates, name="unit_rates"),
    path("units/<int:pk>/installs/", views.unit_installs, name="unit_installs"),
    path("targets/", views.targets, name="targets"),
    path("targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
    path("coverage/", views.visit_coverage, name="visit_coverage"),
    path("wechat/", views.wechat, name="wechat"),
    path("letters/", views.letters, name="letters"),
    path("letters/<int:pk>/", views.letter_detail, name="letter_detail"),
    path("reports/", views.reports_page, name="reports"),
    path("reports/make/", views.report_make, name="report_make"),
    path("reports/preview/", views.report_preview, name="report_preview"),
    path("reports/<int:pk>/<str:fmt>/", views.report_download, name="report_download"),
    path("settings/", views.outreach_settings, name="settings"),
]
