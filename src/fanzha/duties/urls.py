from django.urls import path

from fanzha.duties import views

app_name = "duties"
urlpatterns = [
    path("", views.home, name="home"),
    path("entry/", views.entry, name="entry"),
    path("groups/", views.groups, name="groups"),
    path("volunteers/", views.volunteers, name="volunteers"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/<int:pk>/", views.campaign, name="campaign"),
    path("settings/", views.settings_page, name="settings"),
]
