from django.urls import path

from fanzha.clues import views

app_name = "clues"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.new, name="new"),
    path("from/<str:what>/<int:pk>/", views.from_finding, name="from_finding"),
    path("figures/", views.figures, name="figures"),
    path("figures.xlsx", views.figures_export, name="figures_export"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/check/", views.check, name="check"),
    path("<int:pk>/hand-off/", views.hand_off, name="hand_off"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/note/", views.note, name="note"),
    path("<int:pk>/files/<int:file_id>/", views.file, name="file"),
    path("<int:pk>/files/<int:file_id>/thumb/", views.file, {"thumb": True}, name="thumb"),
]
