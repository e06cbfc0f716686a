"""Units (单位), their staff and staff's family members."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from fanzha.core.access import area_view
from fanzha.core.scoping import node_param, scoped
from fanzha.org import selectors, services
from fanzha.org.forms import FamilyMemberForm, StaffForm
from fanzha.org.models import FamilyMember, UnitKind
from fanzha.org.views._common import PAGE_SIZE, can_change, require_form_methods


@area_view("units")
@require_safe
def unit_list(request):
    user = request.user
    node = node_param(request, default=False)
    kind = request.GET.get("kind", "")
    kind = kind if kind in UnitKind.values else ""
    page = Paginator(selectors.units_for(user, node=node, kind=kind), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "org/unit_list.html", {"page": page, "node": node, "kind": kind, "kinds": UnitKind.choices})


@area_view("units")
@require_safe
def unit_detail(request, pk: int):
    user = request.user
    unit = selectors.unit_get(user, pk)
    page = Paginator(selectors.staff_for(user, unit=unit), PAGE_SIZE).get_page(request.GET.get("page"))
    staff = list(page.object_list)
    family: dict[int, list[FamilyMember]] = {}
    if staff:
        for f in scoped(FamilyMember.objects.filter(staff_id__in=[s.id for s in staff]), user).order_by("relation", "id"):
            family.setdefault(f.staff_id, []).append(f)
    linked = {s.resident_id for s in staff if s.resident_id}
    visible = set(selectors.residents_for(user).filter(id__in=linked).values_list("id", flat=True)) if linked else set()
    for s in staff:
        s.family_list = family.get(s.id, [])
        s.resident_visible = s.resident_id in visible
    return render(request, "org/unit_detail.html", {"unit": unit, "page": page, "staff": staff})


@area_view("units")
@require_form_methods
@can_change
def staff_create(request, pk: int):
    unit = selectors.unit_get(request.user, pk)
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            s = services.staff_create(unit=unit, **form.cleaned_data)
        except ValidationError as e:
            form.apply_errors(e)
        else:
            messages.success(request, _("已添加职工%(name)s") % {"name": s.name})
            return redirect("unit_detail", pk=unit.pk)
    return render(request, "org/staff_form.html", {"form": form, "unit": unit})


@area_view("units")
@require_form_methods
@can_change
def family_member_add(request, pk: int):
    staff = selectors.staff_get(request.user, pk)
    form = FamilyMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            f = services.family_member_add(staff=staff, **form.cleaned_data)
        except ValidationError as e:
            form.apply_errors(e)
        else:
            messages.success(request, _("已添加家属%(name)s") % {"name": f.name})
            return redirect("unit_detail", pk=staff.unit_id)
    return render(request, "org/family_form.html", {"form": form, "staff": staff})
