from django.urls import path

from fanzha.org import views

urlpatterns = [
    path("", views.home, name="home"),
    path("home/campaign/", views.home_campaign, name="home_campaign"),
    path("home/panels/", views.home_panels, name="home_panels"),
    path("nodes/<int:pk>/", views.node_detail, name="node_detail"),
    path("residents/", views.resident_list, name="resident_list"),
    path("residents/new/", views.resident_create, name="resident_create"),
    path("residents/<int:pk>/", views.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/reveal/", views.resident_reveal, name="resident_reveal"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:pk>/family/new/", views.family_member_add, name="family_member_add"),
]
