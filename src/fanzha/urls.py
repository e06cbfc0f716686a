from django.urls import include, path

from fanzha.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("fanzha.core.urls")),
    path("", include("fanzha.org.urls")),
    path("cases/", include("fanzha.cases.urls")),
    path("outreach/", include("fanzha.outreach.urls")),
    path("alerts/", include("fanzha.alerts.urls")),
    path("risk/", include("fanzha.risk.urls")),
    path("clues/", include("fanzha.clues.urls")),
    path("", include("fanzha.clues.public_urls")),
    path("supervision/", include("fanzha.supervision.urls")),
    path("assessment/", include("fanzha.assessment.urls")),
    path("analysis/", include("fanzha.analysis.urls")),
    path("duties/", include("fanzha.duties.urls")),
    path("io/", include("fanzha.org.urls_io")),
    path("api/v1/", include("fanzha.api_urls")),
]

# Error pages: templates/403.html, 404.html (with the menu, rendered with the
# request's context) and 500.html (Django's server_error renders it without any
# context processor, so it needs no database: the failure may be the database).
handler403 = "django.views.defaults.permission_denied"
handler404 = "django.views.defaults.page_not_found"
handler500 = "django.views.defaults.server_error"
