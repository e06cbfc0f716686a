from django.urls import path

from fanzha.duties import views

app_name = "duties"
urlpatterns = [
    path("", views.home, name="home"),
]
