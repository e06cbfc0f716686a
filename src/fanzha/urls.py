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
    path("supervision/", include("fanzha.supervision.urls")),
    path("io/", include("fanzha.org.urls_io")),
    path("api/v1/", include("fanzha.api_urls")),
]
