from django.urls import path

from fanzha.analysis import views

app_name = "analysis"
urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.drill, name="drill"),
    path("analysis.xlsx", views.export, name="export"),
]
