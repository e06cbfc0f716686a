"""The supervision home page, the street's settings, and the photos every record shows."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from fanzha.core.files import stored_file_response
from fanzha.core.access import area_view
from fanzha.org.models import Role
from fanzha.supervision import forms as f
from fanzha.supervision import services
from fanzha.supervision import selectors as sel
from fanzha.supervision.models import RectificationStatus
from fanzha.supervision.views._common import _attempt, _is_street_wide, _street


@area_view("supervision")
@require_safe
def home(request):
    user = request.user
    today = timezone.localdate()
    if _is_street_wide(user):
        limit = sel.OVERDUE_LIMIT if request.GET.get("all") else sel.HOME_LIMIT
        items, total = sel.overdue_items(user, today=today, limit=limit)
        street = sel.street_of(user)
        ctx = {"items": items, "total": total, "today": today,
               # communities without a group show on the home page once the office has set its deadline
               "missing": sel.missing_groups(street, today=today) if street and sel.group_deadline(street) else None,
               "awaiting": sel.rectifications_for(user, status=RectificationStatus.SUBMITTED).count(),
               "open_rects": sel.rectifications_for(user).exclude(status=RectificationStatus.ACCEPTED).count(),
               "points": [sel.point_figures(p, today=today) for p in sel.contact_points_of(user)],
               "is_office": sel.is_office(user)}
        return render(request, "supervision/home.html", ctx)
    mine = list(sel.my_responsibilities(user))
    rects = list(sel.rectifications_for(user).exclude(status=RectificationStatus.ACCEPTED).order_by("deadline"))
    return render(request, "supervision/mine.html", {"mine": mine, "rects": rects, "today": today})


def _photo_for(request, pk: int):
    ph = sel.photo_get(request.user, pk) if _is_street_wide(request.user) else None
    if ph is None:
        from fanzha.supervision.models import Photo

        ph = Photo.objects.filter(pk=pk).first()
        if ph is None or not sel.acts_on(request.user, ph):
            raise Http404
    return ph


@area_view("supervision")
@require_safe
def photo(request, pk: int):
    ph = _photo_for(request, pk)
    return stored_file_response(ph.file, ph.content_type, ph.original_name)


@area_view("supervision")
@require_safe
def photo_thumb(request, pk: int):
    ph = _photo_for(request, pk)
    if not ph.thumb:
        raise Http404
    return stored_file_response(ph.thumb, "image/jpeg")


def _leaders(street):
    from fanzha.org.models import Assignment

    labels = dict(Role.choices)
    rows = (Assignment.objects.filter(node=street, role__in=[Role.LEADER, Role.OFFICER], user__is_active=True)
            .select_related("user").order_by("role", "user__username"))
    return [(a.user, labels[a.role]) for a in rows]


@area_view("supervision.settings")
@require_http_methods(["GET", "POST"])
def settings_page(request):
    street = _street(request)
    items = services.checklist_for(street)
    if request.method == "GET":
        form = f.SettingsForm(initial={"group_deadline": sel.group_deadline(street),
                                       "checklist": "\n".join(i.text for i in items)})
    else:
        form = f.SettingsForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            ok = _attempt(form, lambda: (services.setting_set(user=request.user, street=street, group_deadline=d["group_deadline"]),
                                         services.checklist_set(user=request.user, street=street, texts=d["checklist"].splitlines())))
            if ok:
                messages.success(request, _("已保存"))
                return redirect("supervision:settings")
    return render(request, "supervision/settings.html", {"form": form}, status=400 if request.method == "POST" else 200)
