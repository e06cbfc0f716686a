"""Public addresses (no login): /report/ (the form, short enough for a poster's QR code) and /r/ (progress)."""

from django.urls import path

from fanzha.clues import public_views

app_name = "clues_public"
urlpatterns = [
    path("report/", public_views.report_index, name="index"),
    path("report/<str:code>/", public_views.report, name="report"),
    path("report/<str:code>/done/", public_views.done, name="done"),
    path("report/<str:code>/qr.svg", public_views.qr_svg, name="qr"),
    path("report/<str:code>/poster/", public_views.poster, name="poster"),
    path("r/", public_views.lookup, name="lookup"),
]
