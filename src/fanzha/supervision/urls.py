from django.urls import path

from fanzha.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.home, name="home"),
]
