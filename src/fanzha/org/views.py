"""Pages of the org tree, households, residents and units.

Every object comes through `fanzha.org.selectors`, so anything outside the
user's part of the tree answers 404 exactly like a record that does not exist.
Writes need `org.change_records` (403 otherwise); showing full ID and phone
numbers needs `org.reveal_pii` and is written to the audit log.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fanzha.core.access import allowed, area_view, can_open, requires
from fanzha.core.audit import audit
from fanzha.core.idnumbers import normalise_digits, parse_id_number, parse_phone
from fanzha.core.models import AuditAction
from fanzha.core.paging import CappedPaginator
from fanzha.core import ratelimit
from fanzha.core.versioning import Conflict, conflict_context
from fanzha.core.scoping import crumbs, node_param, scope_of, scoped
from fanzha.org import selectors, services
from fanzha.org.campaign import campaign
from fanzha.org.figures import figures_by_node

from fanzha.org.forms import FamilyMemberForm, HouseholdEditForm, HouseholdForm, ResidentForm, StaffForm
from fanzha.org.models import (
    FamilyMember,
    Household,
    Level,
    Residency,
    Resident,
    StaffMember,
    Unit,
    UnitKind,
)

PAGE_SIZE = 50

require_form_methods = require_http_methods(["GET", "HEAD", "POST"])


def can_change(view):
    """Entering or changing records (the form pages as well as their POSTs)."""
    return requires("org.change_records")(view)


def _is_fragment(request) -> bool:
    # A history restore after a cache miss needs the whole page, not a fragment.
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- figures -----------------------------------------------------------------

FIGURE_LABELS = [
    ("households", gettext_lazy("户数")),
    ("residents", gettext_lazy("居民")),
    ("floating", gettext_lazy("流动人口")),
    ("elderly", gettext_lazy("老人")),
    ("elderly_alone", gettext_lazy("独居老人")),
    ("students", gettext_lazy("学生")),
    ("units", gettext_lazy("单位")),
    ("staff", gettext_lazy("单位职工")),
]


def _as_of(fig: dict):
    """When cached counts were taken (None for live counts)."""
    import datetime as dt

    return dt.datetime.fromtimestamp(fig["as_of"], tz=dt.timezone.utc) if "as_of" in fig else None


def _labelled(fig: dict) -> list[tuple[str, str, int]]:
    return [(key, label, fig.get(key, 0)) for key, label in FIGURE_LABELS]


def _child_rows(user, nodes) -> list[dict]:
    figs = figures_by_node(user, nodes)  # cached for county and street nodes
    return [{"node": n, "fig": figs[n.id]} for n in nodes]


# --- home and tree ---------------------------------------------------------------


#: Panels other apps add to the home page, in order: (area, template, context callable or None).
#: A panel is shown only to roles that may open its area. The template is
#: included with the page's context plus `panel` = callable(user, roots) when
#: one is named (a dotted path). The integrator adds the rows as apps land, e.g.
#:     ("risk", "risk/_home_panel.html", "fanzha.risk.selectors.home_panel"),
#:     ("clues", "clues/_home_panel.html", "fanzha.clues.selectors.home_panel"),
#:     ("supervision", "supervision/_home_panel.html", "fanzha.supervision.selectors.home_panel"),
HOME_PANELS: list[tuple[str, str, str | None]] = [
    ("risk", "org/panels/risk.html", None),  # the user's overdue key-person reviews, loaded after the page
    ("clues", "org/panels/clues.html", None),  # clue hand-offs past their deadline
    ("supervision", "org/panels/supervision.html", None),  # the leader's contact points and what is overdue
    ("duties", "org/panels/duties.html", None),  # the user's duties this period, and who is behind
    ("analysis", "analysis/_overview.html", "fanzha.analysis.overview.home_overview"),  # the leader's overview
]


def _home_panels(user) -> list[str]:
    """The areas whose panels this user gets; they are loaded after the page (`home_panels`), so the home
    page itself costs the same few queries whatever the apps add."""
    return [area for area, _template, _context in HOME_PANELS if can_open(user, area)]


@area_view("home")
@require_safe
def home_panels(request):
    """The apps' panels of the home page in one fragment, loaded after the page (one request, not one per
    app); without JavaScript it opens as a page of its own."""
    from django.utils.module_loading import import_string

    roots = selectors.scope_roots(request.user)
    panels = [{"area": area, "template": template,
               "data": import_string(context)(request.user, roots) if context else None}
              for area, template, context in HOME_PANELS if can_open(request.user, area)]
    template = "org/_panels.html" if _is_fragment(request) else "org/panel_page.html"
    response = render(request, template, {"panels": panels})
    patch_vary_headers(response, ["HX-Request"])
    return response


@area_view("home")
@require_safe
def home(request):
    """The user's own part of the tree: the campaign, figures, their nodes, the nodes one level down.

    Several nodes (a grid leader of two grids) are shown combined, with a
    switcher to each one.
    """
    user = request.user
    tops = selectors.top_nodes(user)
    roots = selectors.scope_roots(user, tops)
    rows_parent = None
    if len(tops) == 1:
        rows_parent = tops[0]
        rows = list(selectors.node_children(user, tops[0]))
    else:
        rows = tops
    units = []
    if scope_of(user).unit_ids:
        units = list(selectors.units_for(user))
    fig = selectors.figures(user, tops=tops)
    return render(request, "org/home.html", {
        "figures": _labelled(fig),
        "figures_as_of": _as_of(fig),
        "tops": tops,
        "rows_parent": rows_parent,
        "rows": _child_rows(user, rows),
        "my_units": units,
        "campaign_url": reverse("home_campaign") if roots and any(can_open(user, a) for a in CAMPAIGN_AREAS) else "",
        "switch": _switch(user, roots, None, lambda n: reverse("node_detail", args=[n.pk]), reverse("home")),
        "home_panels": _home_panels(user),
        "may": _may(user),
    })


# The areas behind the campaign tiles (a role that may open none of them gets no campaign).
CAMPAIGN_AREAS = ("alerts", "cases", "outreach", "outreach.targets")


@area_view("home")
@require_safe
def home_campaign(request):
    """The campaign tiles of the home page, loaded after the page (a county's roll-up takes a moment).

    htmx asks for the fragment; without JavaScript the link opens it as a page.
    """
    user = request.user
    roots = selectors.scope_roots(user)
    c = campaign(user, roots) if roots else None
    template = "org/_campaign.html" if _is_fragment(request) else "org/campaign.html"
    if _is_fragment(request) and (c is None or c.empty):
        return HttpResponse("")
    response = render(request, template, {"campaign": c})
    patch_vary_headers(response, ["HX-Request"])
    return response


def _may(user) -> dict[str, bool]:
    """Which of the org pages this page links to the user may open (no link to a page that answers 403)."""
    return {"residents": can_open(user, "residents"), "units": can_open(user, "units")}


def _switch(user, roots, current, url_of, all_url) -> list[tuple[str, str, bool]]:
    """(label, url, current) for the node switcher of a user with several nodes; [] for one node."""
    return [(label, url, on) for label, url, on in selectors.node_switch(roots, current, url_of, all_url)]


@area_view("home")
@require_safe
def node_detail(request, pk: int):
    user = request.user
    node = selectors.node_get(user, pk)
    children = list(selectors.node_children(user, node))
    page = None
    if node.level in (Level.GRID, Level.GROUP):
        households = selectors.households_for(user, node=node).annotate(resident_count=Count("residents"))
        page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    roots = selectors.scope_roots(user)
    return render(request, "org/node_detail.html", {
        "node": node,
        "switch": _switch(user, roots, node, lambda n: reverse("node_detail", args=[n.pk]), reverse("home")),
        "crumbs": crumbs(user, node),
        "figures": _labelled(selectors.figures(user, node)),
        "rows": _child_rows(user, children),
        "page": page,
        "can_add_household": node.level in (Level.GRID, Level.GROUP),
        "may": _may(user),
    })


# --- residents -----------------------------------------------------------------

TAGS = [
    ("elderly", gettext_lazy("老人")),
    ("elderly_alone", gettext_lazy("独居老人")),
    ("student", gettext_lazy("学生")),
    ("finance", gettext_lazy("财务人员")),
    ("floating", gettext_lazy("流动/暂住")),
]


def _invalid_number_message(q: str) -> str:
    """What is wrong with a search text that looks like a number but is not one."""
    text = normalise_digits(q).strip()
    compact = "".join(c for c in text if c.isalnum())
    looks_like_id = len(compact) >= 15 or compact[-1:].upper() == "X"
    try:
        if looks_like_id:
            parse_id_number(q)
        else:
            parse_phone(q)
    except ValueError as e:
        return _("“%(q)s”不是有效的号码：%(why)s。手机号和身份证号须完整、准确。") % {"q": q.strip(), "why": e}
    return _("“%(q)s”不是有效的手机号或身份证号。") % {"q": q.strip()}


def _why_nothing(user, *, kind: str, value: str, node, roots, residency: str, tag: str) -> list[str]:
    """Why a resident search found nobody, in words the user can act on.

    It names what was searched for (a whole number, the last four digits, a
    name) and where (the user's own nodes, or the one picked): a search never
    looks outside the user's part of the tree, and does not say whether
    anything exists there.
    """
    where = node.name if node else "、".join(r.name for r in roots) or _("您负责的范围")
    reasons = []
    if kind == "tail":
        reasons.append(_("在%(where)s没有手机号或备用电话尾号为%(tail)s的居民。") % {"where": where, "tail": value})
    elif kind == "phone":
        reasons.append(_("在%(where)s没有登记手机号（含备用电话）%(phone)s的居民。") % {"where": where, "phone": value})
    elif kind == "id":
        reasons.append(_("在%(where)s没有登记身份证号%(id)s的居民。") % {"where": where, "id": value})
    elif kind == "name":
        reasons.append(_("在%(where)s没有姓名含“%(name)s”的居民。") % {"where": where, "name": value})
        digits = sum(c.isdigit() for c in value)
        if digits and digits == len(value.replace(" ", "")):
            reasons.append(_("按号码查找请输入完整的11位手机号、18位身份证号，或手机号后四位。"))
    elif kind == "empty" and not (residency or tag):
        reasons.append(_("%(where)s还没有登记居民。") % {"where": where})
    if residency or tag:
        picked = [str(dict(Residency.choices)[residency])] if residency else []
        picked += [str(dict(TAGS)[tag])] if tag else []
        reasons.append(_("同时按“%(filters)s”筛选了，可以取消筛选再查。") % {"filters": "、".join(picked)})
    if node is not None and len(roots) > 0 and kind in ("tail", "phone", "id", "name"):
        reasons.append(_("只查了%(node)s，可以取消范围在全部负责范围内查。") % {"node": node.name})
    if kind in ("tail", "phone", "id", "name"):
        reasons.append(_("只能查到您负责范围内的居民；不在范围内的，请联系其所在社区或反诈办。"))
    return reasons


def _staff_resident_ids(residents) -> set[int]:
    ids = [r.id for r in residents]
    if not ids:
        return set()
    return set(StaffMember.objects.filter(resident_id__in=ids).values_list("resident_id", flat=True))


@area_view("residents")
@require_safe
def resident_list(request):
    user = request.user
    q = request.GET.get("q", "")[:100]
    residency = request.GET.get("residency", "")
    residency = residency if residency in Residency.values else ""
    tag = request.GET.get("tag", "")
    tag = tag if tag in dict(TAGS) else ""
    node = node_param(request, default=False)
    kind, value = selectors.classify_query(q)
    limited = ""
    try:
        qs = selectors.resident_search(user, q=q, node=node, residency=residency, tag=tag, request=request)
    except ratelimit.SearchLimited as exc:  # the typed query stays in the box; nothing is looked up
        limited, qs = exc.message, Resident.objects.none()
    page = CappedPaginator(qs if qs.ordered else qs.order_by("id"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    roots = selectors.scope_roots(user)
    keep = "&".join(f"{k}={v}" for k, v in (("q", q), ("residency", residency), ("tag", tag)) if v)
    ctx = {
        "q": q, "value": value, "residency": residency, "tag": tag, "node": node, "kind": kind,
        "invalid_message": limited or (_invalid_number_message(q) if kind == "invalid" else ""),
        "page": page, "rows": rows, "staff_ids": _staff_resident_ids(rows),
        "residencies": Residency.choices, "tags": TAGS,
        "filtered": bool(q or residency or tag or node),
        "switch": _switch(user, roots, node, lambda n: f"{reverse('resident_list')}?node={n.pk}" + (f"&{keep}" if keep else ""),
                          reverse("resident_list") + (f"?{keep}" if keep else "")),
    }
    if not rows and page.number == 1 and not limited:
        ctx["empty_reasons"] = _why_nothing(user, kind=kind, value=value, node=node, roots=roots,
                                            residency=residency, tag=tag)
    template = "org/_resident_results.html" if _is_fragment(request) else "org/resident_list.html"
    # 429 for the whole page; an htmx swap of the results keeps 200 so the message replaces the old results.
    response = render(request, template, ctx, status=429 if limited and not _is_fragment(request) else 200)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _hide_id_derived(user, resident) -> bool:
    """A role that cannot reveal a resident's ID number is not shown its birth date either: with the
    seven digits the mask shows, the birth date leaves about a hundred checksum-valid candidates."""
    return bool(resident.id_number_hash) and not allowed(user, "org.reveal_pii")


def _resident_context(request, resident, *, revealed=False):
    user = request.user
    staff_roles = list(StaffMember.objects.filter(resident=resident).select_related("unit"))
    family_roles = list(FamilyMember.objects.filter(resident=resident).select_related("staff__unit"))
    visible_units = set(scoped(Unit.objects.filter(
        id__in={s.unit_id for s in staff_roles} | {f.staff.unit_id for f in family_roles}), user).values_list("id", flat=True)) \
        if (staff_roles or family_roles) else set()
    return {
        "r": resident,
        "crumbs": crumbs(user, resident),
        "revealed": revealed,
        "hide_birth": _hide_id_derived(user, resident),
        "staff_roles": staff_roles,
        "family_roles": family_roles,
        "visible_units": visible_units,
        "staff_ids": {resident.id} if staff_roles else set(),
        "outreach": _household_outreach(request, resident.household),
    }


HOUSEHOLD_VISITS_SHOWN = 10
OUTREACH_PANEL = "outreach/_household_outreach.html"  # the outreach app's own panel, used once it exists


def _household_outreach(request, household) -> dict | None:
    """The household's app installs per person and its visit history, with the 走访 button.

    The outreach app's own panel (`outreach/_household_outreach.html`, fed by
    `outreach.selectors.household_outreach`) is used when present; until then
    this app's fallback panel reads the same outreach selectors. Only for
    roles that may open the visit ledger; the button only for those who may
    record a visit.
    """
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    from fanzha.core.access import BY_KEY
    from fanzha.outreach import selectors as osel

    user = request.user
    if not can_open(user, "outreach.visits"):
        return None
    try:
        get_template(OUTREACH_PANEL)
    except TemplateDoesNotExist:
        pass
    else:
        if hasattr(osel, "household_outreach"):
            return {"template": OUTREACH_PANEL, "ho": osel.household_outreach(user, household), "visit_url": ""}
    from fanzha.outreach.models import VisitAction

    people = osel.household_residents(user, household)
    visits = list(osel.visits_for(user).filter(household=household).order_by("-visited_on", "-id")[:HOUSEHOLD_VISITS_SHOWN + 1])
    labels = dict(VisitAction.choices)
    for v in visits:
        v.action_labels = [str(labels.get(a, a)) for a in (v.actions or [])]
    may_visit = can_open(user, "outreach.visit") if "outreach.visit" in BY_KEY else allowed(user, "outreach.record_outreach")
    return {
        "template": "org/_household_outreach.html", "ho": None, "household": household, "people": people,
        "installed": sum(1 for p in people if p.install_row and p.install_row.app_installed_on),
        "visits": visits[:HOUSEHOLD_VISITS_SHOWN], "more_visits": len(visits) > HOUSEHOLD_VISITS_SHOWN,
        "visit_url": reverse("outreach:household_visit", args=[household.pk]) if may_visit else "",
        "ledger_url": f"{reverse('outreach:visit_list')}?node={household.deepest_node_id}&p=year"
        if household.deepest_node_id else "",
    }


@area_view("residents")
@require_safe
def resident_detail(request, pk: int):
    resident = selectors.resident_get(request.user, pk)
    return render(request, "org/resident_detail.html", _resident_context(request, resident))


@area_view("residents")
@require_POST
@requires("org.reveal_pii")
def resident_reveal(request, pk: int):
    """Show the full ID and phone numbers of one resident, and write it to the audit log."""
    resident = selectors.resident_get(request.user, pk)
    audit(user=request.user, action=AuditAction.REVEAL, target=f"resident:{resident.pk}",
          detail=_("查看居民%(name)s的完整身份证号和手机号") % {"name": resident.name}, request=request)
    if _is_fragment(request):
        return render(request, "org/_resident_pii.html", {"r": resident, "revealed": True})
    return render(request, "org/resident_detail.html", _resident_context(request, resident, revealed=True))


def _save_resident(request, form, *, household=None, resident=None, conflict=None):
    """Call the service; on a ValidationError put its messages on the form's fields; on a stale version
    fill `conflict` (the merge panel) and keep what the user typed."""
    try:
        if resident is None:
            return services.resident_create(household=household, **form.service_kwargs(),
                                            user=request.user, request=request)
        return services.resident_update(resident=resident, **form.service_kwargs(), user=request.user, request=request)
    except Conflict as e:
        if conflict is not None:
            conflict.update(conflict_context(form, e, discard_url=reverse("resident_detail", args=[resident.pk])))
        form.add_error(None, e.message)
        return None
    except ValidationError as e:
        form.apply_errors(e)
        return None
    except ratelimit.SearchLimited as e:  # what was typed stays on the form
        form.add_error(None, e.message)
        return None


@area_view("residents")
@require_form_methods
@can_change
def resident_create(request):
    household = selectors.household_get(request.user, _int_or_none(request.GET.get("household")))
    form = ResidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        resident = _save_resident(request, form, household=household)
        if resident is not None:
            messages.success(request, _("已添加居民%(name)s") % {"name": resident.name})
            return redirect("resident_detail", pk=resident.pk)
    return render(request, "org/resident_form.html", {"form": form, "household": household, "resident": None,
                                                      "crumbs": crumbs(request.user, household)})


@area_view("residents")
@require_form_methods
@can_change
def resident_edit(request, pk: int):
    resident = selectors.resident_get(request.user, pk)
    initial = {f: getattr(resident, f) for f in ("name", "gender", "birth_date", "residency", "relation",
                                                  "occupation", "is_student", "is_finance_staff", "lives_alone", "note",
                                                  "version")}
    form = ResidentForm(request.POST or None, initial=initial, resident=resident,
                        hide_id_derived=_hide_id_derived(request.user, resident))
    conflict: dict = {}
    if request.method == "POST" and form.is_valid():
        saved = _save_resident(request, form, resident=resident, conflict=conflict)
        if saved is not None:
            messages.success(request, _("已保存居民%(name)s") % {"name": saved.name})
            return redirect("resident_detail", pk=saved.pk)
        resident.refresh_from_db()  # the failed service call may have touched the instance
    return render(request, "org/resident_form.html", {"form": form, "household": resident.household, "resident": resident,
                                                      "crumbs": crumbs(request.user, resident), "conflict": conflict},
                  status=409 if conflict else 200)


# --- households ------------------------------------------------------------------


@area_view("residents")
@require_safe
def household_detail(request, pk: int):
    household = selectors.household_get(request.user, pk)
    residents = list(selectors.residents_for(request.user).filter(household=household).order_by("id"))
    return render(request, "org/household_detail.html", {
        "h": household, "rows": residents, "staff_ids": _staff_resident_ids(residents),
        "crumbs": crumbs(request.user, household),
        "outreach": _household_outreach(request, household),
    })


@area_view("residents")
@require_form_methods
@can_change
def household_create(request):
    node = selectors.node_get(request.user, _int_or_none(request.GET.get("node")))
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            h = services.household_create(node=node, **form.cleaned_data)
        except ValidationError as e:
            form.apply_errors(e)
        else:
            messages.success(request, _("已添加户：%(address)s") % {"address": h.address})
            return redirect("household_detail", pk=h.pk)
    new = Household()
    new.place_at(node)  # the path of a household placed at the node
    return render(request, "org/household_form.html", {"form": form, "node": node, "h": None,
                                                       "crumbs": crumbs(request.user, new)})


@area_view("residents")
@require_form_methods
@can_change
def household_edit(request, pk: int):
    household = selectors.household_get(request.user, pk)
    form = HouseholdEditForm(request.POST or None, initial={
        "address": household.address, "head_name": household.head_name, "note": household.note,
        "version": household.version})
    conflict: dict = {}
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(household=household, **form.cleaned_data)
        except Conflict as e:
            conflict = conflict_context(form, e, discard_url=reverse("household_detail", args=[household.pk]))
            form.add_error(None, e.message)
        except ValidationError as e:
            form.apply_errors(e)
        else:
            messages.success(request, _("已保存"))
            return redirect("household_detail", pk=household.pk)
    return render(request, "org/household_form.html", {"form": form, "node": None, "h": household,
                                                       "crumbs": crumbs(request.user, household), "conflict": conflict},
                  status=409 if conflict else 200)


# --- units ---------------------------------------------------------------------


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

