from django.urls import path

from fanzha.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.home, name="home"),
]
