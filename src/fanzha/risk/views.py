from django.shortcuts import render

from fanzha.core.access import area_view


@area_view("risk")
def home(request):
    return render(request, "risk/home.html", {})
