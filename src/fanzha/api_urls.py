from django.urls import path

from fanzha.api import api

urlpatterns = [path("", api.urls)]
