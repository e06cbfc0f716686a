from django.urls import path

from fanzha.org import views

urlpatterns = [
    path("", views.home, name="home"),
]
