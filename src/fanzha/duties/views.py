from django.shortcuts import render

from fanzha.core.access import area_view


@area_view("duties")
def home(request):
    return render(request, "duties/home.html", {})
