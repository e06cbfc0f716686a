from django.urls import path

from fanzha.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.home, name="home"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/<str:action>/", views.run_action, name="run_action"),
    path("runs/<int:pk>/list.<str:fmt>", views.run_export, name="run_export"),
    path("verdicts/<int:pk>/", views.verdict_detail, name="verdict"),
]
