from django.shortcuts import render

from fanzha.core.access import area_view


@area_view("assessment")
def home(request):
    return render(request, "assessment/home.html", {})
