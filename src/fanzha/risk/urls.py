from django.urls import path

from fanzha.risk import views

app_name = "risk"
urlpatterns = [
    path("", views.home, name="home"),
]
