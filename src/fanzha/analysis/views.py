from django.shortcuts import render

from fanzha.core.access import area_view


@area_view("analysis")
def home(request):
    return render(request, "analysis/home.html", {})
