from django.urls import path

from fanzha.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("classify/", views.classify_fragment, name="classify"),
    path("victims/", views.victim_search, name="victim_search"),
    path("stats/", views.stats, name="stats"),
    path("stats.xlsx", views.stats_export, name="stats_export"),
    path("targets/", views.targets, name="targets"),
]
