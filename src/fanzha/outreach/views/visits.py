"""Home visits with the household's installs, the visit ledger and the targeted visit list (点对点)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from fanzha.core.access import area_view, can_open
from fanzha.core.scoping import crumbs, get_scoped_or_404, node_param, scope_of, scoped
from fanzha.org import selectors as org_selectors
from fanzha.org.models import Level
from fanzha.outreach import services
from fanzha.outreach import selectors as sel
from fanzha.outreach.forms import VisitForm
from fanzha.outreach.models import FLAG_DATE, FLAG_VERIFIER, FLAGS, Evidence, HomeVisit, VisitAction
from fanzha.outreach.periods import PRESETS
from fanzha.outreach.views._common import (
    FLAG_LABELS,
    PRESET_LABELS,
    _bad,
    _display_name,
    _period_param,
    _safe_next,
    can_record,
    require_form_methods,
)


# --- home visits ----------------------------------------------------------------------


def _install_rows(people, post=None) -> list[dict]:
    """Per person: the three flags with their state (as posted, else as stored) and stored date."""
    rows = []
    for p in people:
        row = getattr(p, "install_row", None)
        flags = []
        for flag in FLAGS:
            stored = getattr(row, FLAG_DATE[flag]) if row else None
            was = stored is not None
            name = f"{flag}_{p.id}"
            checked = (name in post) if post is not None else was
            if post is not None and f"was_{name}" in post:
                was = post.get(f"was_{name}") == "1"
            flags.append({"flag": flag, "label": FLAG_LABELS[flag], "name": name, "checked": checked, "was": was,
                          "date": stored, "verifier": getattr(row, FLAG_VERIFIER[flag]) if row else ""})
        rows.append({"person": p, "flags": flags})
    return rows


def _changes_from_post(people, post) -> list[services.InstallChange]:
    """Only the flags whose box differs from what the page showed: concurrent edits do not undo each other."""
    out = []
    for p in people:
        for flag in FLAGS:
            name = f"{flag}_{p.id}"
            was = post.get(f"was_{name}")
            if was not in ("0", "1"):
                continue
            now = name in post
            if now != (was == "1"):
                out.append(services.InstallChange(person=p, flag=flag, done=now))
    return out


@area_view("outreach.visit")
@require_form_methods
@can_record
def household_visit(request, pk: int):
    """One screen: mark the visit and tick each resident's app / call warning / jinzhongzhao."""
    user = request.user
    household = org_selectors.household_get(user, pk)
    residents = sel.household_residents(user, household)
    me = _display_name(user)
    form = VisitForm(request.POST or None, initial={
        "visited_on": timezone.localdate(), "visitors": me, "verifier": me,
        "actions": [VisitAction.EXPLAINED, VisitAction.MATERIALS], "materials": 1})
    # Back to the ranked list of the grid, or of the group for a group head who cannot see the grid.
    scope = scope_of(user)
    list_node = household.grid if household.grid_id and scope.contains_node(household.grid) else household.group
    back = reverse("outreach:targeted", args=[list_node.pk]) if list_node else reverse("outreach:dashboard")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        changes = _changes_from_post(residents, request.POST)
        try:
            visit = services.home_visit_record(
                user=user, household=household, visited_on=d["visited_on"], visitors=d["visitors"],
                actions=d["actions"], materials=d.get("materials") or 0, note=d.get("note", ""), installs=changes,
                verifier=d.get("verifier", ""), files=request.FILES.getlist("files"))
        except ValidationError as e:
            _bad(form, e)
        else:
            ticked = sum(1 for c in changes if c.flag == "app" and c.done)
            messages.success(request, _("已记录走访：%(addr)s") % {"addr": household.address}
                             + (_("，新增安装反诈APP %(n)d人") % {"n": ticked} if ticked else "")
                             + (_("，照片%(n)d张") % {"n": visit.evidence.count()} if request.FILES else ""))
            return redirect(_safe_next(request, back))
    last_visits = list(sel.visits_for(user).filter(household=household).order_by("-visited_on", "-id")[:5])
    return render(request, "outreach/visit_form.html", {
        "h": household, "form": form, "rows": _install_rows(residents, request.POST if request.method == "POST" else None),
        "list_node": list_node,
        "last_visits": last_visits, "back": back, "next": _safe_next(request, back),
        "had_files": bool(request.FILES), "action_labels": dict(VisitAction.choices),
    })


@area_view("outreach.visits")
@require_safe
def visit_list(request):
    """The home-visit ledger (入户走访台账) of a node and period."""
    user = request.user
    node = node_param(request, first=True)
    if node is None:
        raise Http404
    period, preset_key = _period_param(request)
    qs = sel.visits_for(user, node=node, start=period.start, end=period.end).select_related("household", "grid")
    page = Paginator(qs.order_by("-visited_on", "-id"), 50).get_page(request.GET.get("page"))
    photos: dict[int, list] = {}
    for e in scoped(Evidence.objects.filter(visit_id__in=[v.id for v in page.object_list]), user).order_by("id"):
        photos.setdefault(e.visit_id, []).append(e)
    for v in page.object_list:
        v.evidence_list = photos.get(v.id, [])
    return render(request, "outreach/visit_list.html", {
        "node": node, "period": period, "preset": preset_key, "presets": [(k, PRESET_LABELS[k]) for k in PRESETS],
        "page": page, "totals": sel.visit_totals(qs), "action_labels": dict(VisitAction.choices),
    })


@area_view("outreach.visits")
@require_safe
def visit_detail(request, pk: int):
    """One home visit as recorded (what the ledger's address opens), with the household's install status."""
    user = request.user
    visit = get_scoped_or_404(HomeVisit.objects.select_related("household", "grid", "community", "recorded_by"), user, pk=pk)
    photos = list(scoped(Evidence.objects.filter(visit=visit), user).order_by("id"))
    return render(request, "outreach/visit_detail.html", {
        "v": visit, "photos": photos, "action_labels": dict(VisitAction.choices),
        "ho": sel.household_outreach(user, visit.household),
    })


TARGETED_PAGE = 20


@area_view("outreach.visits")
@require_safe
def targeted(request, pk: int):
    """点对点: the grid's households ranked for a visit, with the reasons; searchable by address or name, paged."""
    user = request.user
    node = org_selectors.node_get(user, pk)
    if node.level not in (Level.GRID, Level.GROUP):
        raise Http404
    data = sel.targeted_list(user, node)
    q = (request.GET.get("q") or "").strip()[:50]
    items = data["items"]
    for rank, c in enumerate(items, 1):
        c.rank = rank  # the household's place in the whole ranked list, kept when searching or paging
    if q:
        items = [c for c in items if q in c.address or q in (c.head_name or "")]
    page = Paginator(items, TARGETED_PAGE).get_page(request.GET.get("page"))
    return render(request, "outreach/targeted.html", {
        "node": node, "data": data, "crumbs": crumbs(user, node), "page": page, "q": q,
        "can_visit": can_open(user, "outreach.visit"), "query": f"&q={q}" if q else "",
    })


