"""In-app notifications: the list, the unread badge, opening one."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from fanzha.alerts import selectors
from fanzha.alerts.models import Notification
from fanzha.core.access import area_view



@area_view("alerts")
@require_http_methods(["GET", "HEAD", "POST"])
def notifications(request):
    if request.method == "POST":
        Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
        nxt = request.POST.get("next", "")
        return redirect(nxt if nxt.startswith(reverse("alerts:queue")) else "alerts:notifications")
    items = list(selectors.notifications_for(request.user, limit=100))
    return render(request, "alerts/notifications.html", {"items": items})


@area_view("alerts")
@require_safe
def badge(request):
    """htmx, from the nav link: the number of unread notifications."""
    from fanzha.alerts.templatetags.alerts_tags import unread_badge

    response = HttpResponse(unread_badge(selectors.unread_count(request.user)) if selectors.can_see_alerts(request.user) else "")
    response["Cache-Control"] = "no-store"
    return response


@area_view("alerts")
@require_safe
def notification_open(request, pk: int):
    n = Notification.objects.filter(pk=pk, user=request.user).first()
    if n is None:
        raise Http404("not found")
    if n.read_at is None:
        Notification.objects.filter(pk=n.pk).update(read_at=timezone.now())
    return redirect(n.url if n.url.startswith(reverse("alerts:queue")) else "alerts:queue")
