"""Wednesday sweeps (周三打卡): the list, a sweep and what it recorded, the calendar."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fanzha.core.access import area_view, require
from fanzha.core.flash import flash_outcome
from fanzha.core.scoping import default_node, get_scoped_or_404, node_param
from fanzha.org import selectors as org_selectors
from fanzha.org.models import Resident, User
from fanzha.risk import forms, rules, selectors
from fanzha.risk.models import Finding, SweepPerson
from fanzha.risk.services import sweeps as sw_svc
from fanzha.risk.views._common import PAGE, _errors_to_form, _grids, _today


@area_view("risk.sweeps")
@require_GET
def sweep_list(request):
    user = request.user
    node = node_param(request)
    page = Paginator(selectors.sweeps_for(user, node=node), PAGE).get_page(request.GET.get("page"))
    return render(request, "risk/sweep_list.html", {"page": page, "node": node, "can_field": rules.can_record_field(user)})


def _street_users(user) -> list[User]:
    from fanzha.org.models import Assignment

    top = default_node(user, first=True)
    street_id = top.street_id if top else None
    ids = Assignment.objects.filter(node__street_id=street_id, role__in=["office", "officer", "community", "grid_leader",
                                                                        "grid_worker", "safety_staff"]).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("display_name", "username")[:500])


@area_view("risk.sweeps")
@require_http_methods(["GET", "POST"])
def sweep_new(request):
    user = request.user
    require(user, rules.can_record_field)
    grids = list(_grids(user))
    team = _street_users(user)
    form = forms.SweepForm(request.POST or None, initial={"held_on": _today(), "starts_at": "19:00", "ends_at": "22:00",
                                                          "volunteer_count": 0, "grids": [g.id for g in grids[:1]]})
    form.fields["grids"].choices = [(g.id, g.name) for g in grids]
    form.fields["members"].choices = [(u.id, str(u)) for u in team]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        chosen = [g for g in grids if g.id in set(d["grids"])]
        members = list(User.objects.filter(pk__in=d["members"] or []))
        try:
            s = sw_svc.sweep_create(user=user, held_on=d["held_on"], starts_at=d["starts_at"], ends_at=d["ends_at"],
                                    grids=chosen, members=members, volunteer_names=d["volunteer_names"] or "",
                                    volunteer_count=d["volunteer_count"] or 0, note=d["note"] or "")
        except ValidationError as e:
            _errors_to_form(form, e)
        else:
            if s.off_window:
                messages.warning(request, _("本次打卡不在周三19:00–22:00，已标注"))
            return redirect("risk:sweep", pk=s.pk)
    return render(request, "risk/sweep_form.html", {"form": form})


def _sweep_context(request, sweep, person_form=None, check_form=None):
    user = request.user
    people = list(SweepPerson.objects.filter(sweep=sweep).select_related("key_person", "grid").order_by("-checked_at", "-id"))
    checks = list(sweep.premises_checks.select_related("premises").order_by("-id"))
    grids = selectors.sweep_grids(sweep)
    q = (request.GET.get("q") or "").strip()[:50]
    results = []
    if q:
        results = list(org_selectors.resident_search(user, q=q).filter(grid_id__in=[g.id for g in grids])[:10]) \
            or list(org_selectors.resident_search(user, q=q)[:10])
    pq = (request.GET.get("pq") or "").strip()[:50]
    premises = list(selectors.premises_for(user, q=pq).filter(grid_id__in=[g.id for g in grids])[:10]) if pq else []
    flags = selectors.files_of_residents([r.id for r in results])
    return {
        "sweep": sweep, "people": people, "checks": checks, "grids": grids, "q": q, "results": results, "pq": pq,
        "premises_results": premises, "flags": flags,
        "is_member": sweep.members.filter(pk=user.pk).exists(), "members": list(sweep.members.all()),
        "person_form": person_form or forms.SweepPersonForm(), "findings": Finding.choices,
        "can_field": rules.can_record_field(user), "check_form": check_form,
    }


@area_view("risk.sweeps")
@require_GET
def sweep_detail(request, pk: int):
    sweep = selectors.sweep_get(request.user, pk)
    return render(request, "risk/sweep_detail.html", _sweep_context(request, sweep))


@area_view("risk.sweeps")
@require_POST
def sweep_join(request, pk: int):
    sweep = selectors.sweep_get(request.user, pk)
    require(request.user, rules.can_record_field)
    flash_outcome(request, lambda: sw_svc.sweep_join(user=request.user, sweep=sweep), done=_("已加入本次打卡"))
    return redirect("risk:sweep", pk=sweep.pk)


@area_view("risk.sweeps")
@require_POST
def sweep_person(request, pk: int):
    user = request.user
    sweep = selectors.sweep_get(user, pk)
    require(user, rules.can_record_field)
    form = forms.SweepPersonForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            resident = get_scoped_or_404(Resident.objects.all(), user, pk=d["resident"]) if d.get("resident") else None
            grid = next((g for g in selectors.sweep_grids(sweep) if g.id == d.get("grid")), None)
            sw_svc.person_check(user=user, sweep=sweep, resident=resident, name=d["name"] or "", id_number=d["id_number"] or "",
                                address=d["address"] or "", grid=grid, no_regular_job=d["no_regular_job"],
                                frequent_moves=d["frequent_moves"], hotspot_ties=d["hotspot_ties"], note=d["note"] or "")
        except ValidationError as e:
            _errors_to_form(form, e)
        else:
            messages.success(request, _("已记录核查人员"))
            return redirect("risk:sweep", pk=sweep.pk)
    return render(request, "risk/sweep_detail.html", _sweep_context(request, sweep, person_form=form), status=200)


@area_view("risk.sweeps")
@require_POST
def sweep_person_file(request, pk: int, person: int):
    """One tap: a key-person file from a sweep finding."""
    user = request.user
    sweep = selectors.sweep_get(user, pk)
    require(user, rules.can_record_field)
    checked = SweepPerson.objects.filter(pk=person, sweep=sweep).select_related("resident", "sweep", "key_person").first()
    if checked is None:
        raise Http404
    flash_outcome(request, lambda: sw_svc.person_open_file(user=user, checked=checked),
                  done=_("已建立重点人员档案，民警将核查"))
    return redirect("risk:sweep", pk=sweep.pk)


@area_view("risk.sweeps")
@require_POST
def sweep_premises(request, pk: int):
    user = request.user
    sweep = selectors.sweep_get(user, pk)
    require(user, rules.can_record_field)
    premises = selectors.premises_get(user, request.POST.get("premises") or 0)
    finding = request.POST.get("finding", Finding.NONE)
    flash_outcome(request, lambda: sw_svc.premises_check_in_sweep(
        user=user, sweep=sweep, premises=premises, finding=finding, note=request.POST.get("note", ""),
        files=request.FILES.getlist("photos")), done=_("已记录场所检查"))
    return redirect("risk:sweep", pk=sweep.pk)


@area_view("risk.sweeps")
@require_GET
def calendar(request):
    user = request.user
    node = node_param(request)
    try:
        weeks = max(1, min(52, int(request.GET.get("weeks") or 4)))
    except ValueError:
        weeks = 4
    cal = selectors.sweep_calendar(user, node=node, today=_today(), weeks=12)
    gaps = selectors.sweep_calendar(user, node=node, today=_today(), weeks=weeks)["unswept"] if weeks != 12 else cal["unswept"]
    return render(request, "risk/calendar.html", {"cal": cal, "unswept": gaps, "weeks": weeks, "node": node})
