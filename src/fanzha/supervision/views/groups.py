"""Leading groups (领导小组) and leaders' contact points (联系点)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from fanzha.core.access import area_view, require
from fanzha.org.models import User
from fanzha.supervision import forms as f
from fanzha.supervision import services
from fanzha.supervision import selectors as sel
from fanzha.supervision.views._common import _attempt, _holder, _street
from fanzha.supervision.views.overview import _leaders


@area_view("supervision.groups")
@require_safe
def groups(request):
    street = _street(request)
    return render(request, "supervision/groups.html", {
        "groups": sel.groups_of(street), "missing": sel.missing_groups(street), "is_office": sel.is_office(request.user)})


@area_view("supervision.manage")
@require_http_methods(["GET", "POST"])
def group_edit(request, pk: int | None = None):
    from fanzha.core.scoping import get_scoped_or_404
    from fanzha.supervision.models import LeadingGroup

    street = _street(request)
    group = get_scoped_or_404(LeadingGroup.objects.all(), request.user, pk=pk) if pk else None
    holders = sel.holder_choices(street)
    if request.method == "GET":
        initial = {}
        if group:
            initial = {"kind": group.kind, "name": group.name, "established_on": group.established_on,
                       "first_responsible": group.first_responsible, "office_at": group.office_at,
                       "holder": (f"u{group.unit_id}" if group.unit_id else (f"c{group.node_id}" if group.kind == "community" else "")),
                       "members": "\n".join(f"{m.name}，{m.get_post_display()}，{m.position}" for m in group.members.all())}
        form = f.GroupForm(holders=holders, initial=initial)
    else:
        form = f.GroupForm(request.POST, holders=holders)
        if form.is_valid():
            d = form.cleaned_data
            node, unit = street, None
            if d["holder"]:
                h = _holder(street, d["holder"])
                unit, node = h.unit, (h.community or street)
            g = _attempt(form, lambda: services.group_save(
                user=request.user, kind=d["kind"], node=node, unit=unit, name=d["name"], established_on=d["established_on"],
                first_responsible=d["first_responsible"], office_at=d["office_at"], members=d["members"], group=group))
            if g:
                return redirect("supervision:groups")
    return render(request, "supervision/group_form.html", {"form": form, "group": group},
                  status=400 if request.method == "POST" else 200)


@area_view("supervision.points")
@require_http_methods(["GET", "POST"])
def points(request):
    from fanzha.supervision.models import ContactPoint

    user = request.user
    street = _street(request)
    leaders = [(str(u.pk), f"{u}（{label}）") for u, label in _leaders(street)]
    form = f.PointForm(holders=sel.holder_choices(street), leaders=leaders)
    status = 200
    if request.method == "POST":
        require(user, sel.is_office)
        if request.POST.get("delete"):
            p = ContactPoint.objects.filter(pk=request.POST["delete"], street=street).first()
            if p is None:
                raise Http404
            services.contact_point_delete(user=user, point=p)
            return redirect("supervision:points")
        form = f.PointForm(request.POST, holders=sel.holder_choices(street), leaders=leaders)
        if form.is_valid():
            d = form.cleaned_data
            leader = User.objects.get(pk=d["leader"])
            p = _attempt(form, lambda: services.contact_point_add(user=user, leader=leader, holder=_holder(street, d["holder"]),
                                                                  kind=d["kind"], since=d["since"]))
            if p:
                return redirect("supervision:points")
        status = 400
    rows = (ContactPoint.objects.filter(street=street).select_related("leader", "community", "unit")
            .order_by("leader__username", "id"))
    return render(request, "supervision/points.html", {"rows": rows, "form": form, "is_office": sel.is_office(user),
                                                       "panel": sel.leader_panel(user)}, status=status)
