from django.shortcuts import render

from fanzha.core.access import area_view


@area_view("supervision")
def home(request):
    return render(request, "supervision/home.html", {})
