from django.shortcuts import render

from fanzha.core.access import area_view


@area_view("clues")
def queue(request):
    return render(request, "clues/queue.html", {})
