"""Pages of outreach: dashboard, activities, home visits with installs, unit
installs, targets, WeChat pushes, school letters, targeted lists, reports.

Every object comes through the scoped selectors (out of scope answers 404
like a record that does not exist); writes need `outreach.record_outreach`
(targets: `outreach.manage_install_targets`; evidence GPS setting:
`outreach.manage_outreach_settings`), otherwise 403. Views parse the form,
call a service, and redirect or re-render with the service's messages next
to the fields and everything typed kept.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from fanzha.cases.fraud_types import FraudType
from fanzha.core.access import allowed, area_view, can_open, require, requires
from fanzha.core.audit import audit
from fanzha.core.models import AuditAction
from fanzha.core.scoping import crumbs, default_node, get_scoped_or_404, node_param, scope_of, scoped
from fanzha.org import selectors as org_selectors
from fanzha.org.models import LEVEL_ORDER, Level, Node, Unit, UnitKind
from fanzha.outreach import evidence as ev
from fanzha.outreach import reports, services
from fanzha.outreach import selectors as sel
from fanzha.outreach.forms import (
    ActivityForm,
    CampaignForm,
    EvidenceForm,
    LetterForm,
    PushForm,
    SettingForm,
    StaffInstallForm,
    TargetForm,
    VisitForm,
)
from fanzha.outreach.models import (
    FLAG_DATE,
    FLAG_VERIFIER,
    FLAGS,
    Activity,
    ActivityKind,
    Audience,
    Evidence,
    HomeVisit,
    InstallTarget,
    LetterReceipt,
    OutreachSetting,
    PeriodicReport,
    ReportKind,
    ReportStatus,
    TargetGroup,
    Venue,
    VisitAction,
    WeChatPush,
)
from fanzha.outreach.periods import (
    PRESETS,
    ReportPeriod,
    last_semimonthly_day,
    last_unit_monthly_day,
    preset,
    semimonthly,
    unit_monthly,
    week_start,
    year_start,
)

require_form_methods = require_http_methods(["GET", "HEAD", "POST"])
can_record = requires("outreach.record_outreach")
can_set_targets = requires("outreach.manage_install_targets")
FLAG_LABELS = {"app": gettext_lazy("反诈APP"), "call_warning": gettext_lazy("来电预警"), "jinzhongzhao": gettext_lazy("金钟罩")}
PRESET_LABELS = {"semimonth": gettext_lazy("本期（半月）"), "month": gettext_lazy("本月"), "quarter": gettext_lazy("本季度"),
                 "year": gettext_lazy("本年")}
STATUS_LABELS = reports.STATUS_LABELS


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _period_param(request) -> tuple[ReportPeriod, str]:
    today = timezone.localdate()
    key = request.GET.get("p", "")
    start, end = request.GET.get("start", ""), request.GET.get("end", "")
    if start or end:
        try:
            s = dt.date.fromisoformat(start) if start else year_start(today)
            e = dt.date.fromisoformat(end) if end else today
        except ValueError:
            messages.error(request, _("日期格式应为 YYYY-MM-DD，已显示本期"))
        else:
            if s > e:
                s, e = e, s
            return ReportPeriod(s, min(e, today)), "custom"
    if key not in PRESETS:
        key = "semimonth"
    return preset(key, today), key


def _bad(form, e: ValidationError) -> None:
    form.apply_errors(e)


def _safe_next(request, fallback: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return nxt
    return fallback


def _display_name(user) -> str:
    return getattr(user, "display_name", "") or user.username


# --- dashboard ------------------------------------------------------------------------


@area_view("outreach")
@require_safe
def dashboard(request):
    """Outreach figures of a node and each node one level down, for a period."""
    user = request.user
    if not sel.scope_has_tree(user):
        units = list(scoped(Unit.objects.all(), user).order_by("name")[:2])
        if units:
            return redirect("outreach:unit_installs", pk=units[0].pk)
        raise Http404
    node = node_param(request, first=True)
    if node is None:
        raise Http404
    period, preset_key = _period_param(request)
    rolled = sel.rollup(user, node, period=period, since=year_start(period.end))
    total = rolled.total
    child_level = LEVEL_ORDER[LEVEL_ORDER.index(node.level) + 1] if node.level != Level.GROUP else None
    # One definition of each figure (selectors.outreach_by_child): the rows, the 本级 row and the tiles add up.
    by_child = sel.outreach_by_child(user, node, start=period.start, end=period.end, child_level=child_level or node.level)
    act_totals = sel.outreach_totals(by_child)
    rows = [{"node": c, "fig": rolled.of(c.id), "acts": by_child.get(c.id, {})} for c in rolled.children()]
    own = by_child.get(None) if child_level else None
    progress = sel.install_progress(user, node, as_of=period.end, rolled=rolled, level=node.level)["root"]
    pushes = act_totals["pushes"]
    visits = {"materials": act_totals["visit_materials"], "visits": act_totals["visits"]}
    chart = {
        "names": [r["node"].name for r in rows],
        "app_rate": [r["fig"].app_rate or 0 for r in rows],
        "coverage": [r["fig"].coverage_since or 0 for r in rows],
    }
    return render(request, "outreach/dashboard.html", {
        "node": node, "crumbs": crumbs(user, node), "period": period, "preset": preset_key,
        "presets": [(k, PRESET_LABELS[k]) for k in PRESETS], "total": total, "acts": act_totals,
        "visits": visits, "pushes": pushes, "rows": rows, "progress": progress,
        "status_label": STATUS_LABELS.get(progress.status if progress else "no_target", ""),
        "is_grid": node.level in (Level.GRID, Level.GROUP), "chart": chart,
        "child_label": Level(child_level).label if child_level else "",
        "can_visits": can_open(user, "outreach.visits"), "can_targets": can_open(user, "outreach.targets"),
        "own": own, "own_label": sel.own_level_label(node),
    })


# --- activities -----------------------------------------------------------------------


def _where_choices(user) -> list[tuple[str, str]]:
    """Nodes (and units) an activity can be recorded for: "n:<id>" / "u:<id>"."""
    scope = scope_of(user)
    tops = org_selectors.top_nodes(user)
    deepest_top = max((LEVEL_ORDER.index(t.level) for t in tops), default=0)
    levels = [Level.COUNTY, Level.STREET, Level.COMMUNITY]
    if deepest_top >= LEVEL_ORDER.index(Level.COMMUNITY):
        levels += [Level.GRID]
    if deepest_top >= LEVEL_ORDER.index(Level.GROUP):
        levels += [Level.GROUP]
    out = _node_choices(user, levels, value=lambda i: f"n:{i}") if tops else []
    units = scoped(Unit.objects.all(), user)
    if scope.unit_ids or units.count() <= 60:
        for u in units.order_by("name")[:60]:
            out.append((f"u:{u.id}", f"{_('单位')} · {u.name}"))
    return out


def _resolve_where(user, value: str) -> tuple[Node | None, Unit | None]:
    kind, _sep, raw = (value or "").partition(":")
    pk = _int(raw)
    if kind == "n" and pk:
        return org_selectors.node_get(user, pk), None
    if kind == "u" and pk:
        return None, get_scoped_or_404(Unit.objects.select_related("node"), user, pk=pk)
    raise Http404


def _activity_data(d: dict) -> services.ActivityData:
    return services.ActivityData(held_on=d.get("held_on"), place=d.get("place", ""), organiser=d.get("organiser", ""),
                                 kind=d.get("kind", ""), venue=d.get("venue", ""), audiences=d.get("audiences") or [],
                                 participants=d.get("participants") or 0, materials=d.get("materials") or 0,
                                 fraud_types=d.get("fraud_types") or [], summary=d.get("summary", ""))


@area_view("outreach.activities")
@require_safe
def activity_list(request):
    user = request.user
    node = None
    if request.GET.get("node"):
        node = node_param(request, first=True)
    period, preset_key = _period_param(request) if (request.GET.get("p") or request.GET.get("start")) else (None, "")
    kind = request.GET.get("kind", "")
    kind = kind if kind in ActivityKind.values else ""
    qs = sel.activities_for(user, node=node, start=period.start if period else None, end=period.end if period else None,
                            kind=kind).select_related("node", "unit")
    page = Paginator(qs.order_by("-held_on", "-id"), 30).get_page(request.GET.get("page"))
    ids = [a.id for a in page.object_list]
    thumbs = {}
    for e in scoped(Evidence.objects.filter(activity_id__in=ids), user).order_by("id"):
        thumbs.setdefault(e.activity_id, []).append(e)
    for a in page.object_list:
        a.evidence_list = thumbs.get(a.id, [])
    return render(request, "outreach/activity_list.html", {
        "page": page, "node": node, "period": period, "preset": preset_key, "kind": kind, "kinds": ActivityKind.choices,
        "totals": sel.activity_totals(qs), "presets": [(k, PRESET_LABELS[k]) for k in PRESETS],
    })


@area_view("outreach.new")
@require_form_methods
@can_record
def activity_new(request):
    """Record an activity on a phone in under a minute: today, the user's node and the last-used kind preset."""
    user = request.user
    choices = _where_choices(user)
    if not choices:
        raise Http404
    last = Activity.objects.filter(created_by=user).order_by("-id").first()
    default_where = choices[0][0]
    if last is not None:
        key = f"u:{last.unit_id}" if last.unit_id else f"n:{last.node_id}"
        if any(k == key for k, _l in choices):
            default_where = key
    where_label = dict(choices)[default_where].split(" · ", 1)[-1]
    initial = {
        "held_on": timezone.localdate(), "where": default_where,
        "kind": last.kind if last else ActivityKind.CONCENTRATED,
        "venue": last.venue if last else Venue.COMMUNITY,
        "organiser": last.organiser if last else where_label,
        "place": last.place if last else "",
        "audiences": last.audiences if last else [Audience.GENERAL],
        "participants": None, "materials": None,
    }
    form = ActivityForm(request.POST or None, request.FILES or None, initial=initial, where_choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            node, unit = _resolve_where(user, form.cleaned_data["where"])
            activity = services.activity_record(user=user, node=node, unit=unit, data=_activity_data(form.cleaned_data),
                                                files=request.FILES.getlist("files"))
        except ValidationError as e:
            _bad(form, e)
        else:
            n = activity.evidence.count()
            messages.success(request, _("已登记宣传活动%(what)s") % {"what": f"（{activity}）"}
                             + (_("，影像资料%(n)d个") % {"n": n} if n else ""))
            return redirect("outreach:activity_detail", pk=activity.pk)
    return render(request, "outreach/activity_form.html", {"form": form, "had_files": bool(request.FILES)})


@area_view("outreach.activities")
@require_form_methods
def activity_edit(request, pk: int):
    """Correct an activity on the page: who recorded it and the office; its evidence stays; audited."""
    user = request.user
    activity = sel.activity_get(user, pk)
    if not services.can_change_activity(user, activity):
        raise PermissionDenied
    where_label = activity.unit.name if activity.unit_id else activity.node.name
    where_key = f"u:{activity.unit_id}" if activity.unit_id else f"n:{activity.node_id}"
    initial = {k: getattr(activity, k) for k in services.ACTIVITY_FIELDS}
    initial["where"] = where_key
    form = ActivityForm(request.POST or None, initial=initial, where_choices=[(where_key, where_label)])
    form.fields["where"].disabled = True
    form.fields["where"].help_text = _("组织单位按登记时保留，不可修改")
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(user=user, activity=activity, data=_activity_data(form.cleaned_data), request=request)
        except ValidationError as e:
            _bad(form, e)
        else:
            messages.success(request, _("已保存修改"))
            return redirect("outreach:activity_detail", pk=activity.pk)
    return render(request, "outreach/activity_form.html", {"form": form, "editing": activity})


@area_view("outreach.activities")
@require_POST
def activity_delete(request, pk: int):
    """Delete an activity (who recorded it and the office); its photos and videos are kept; audited."""
    user = request.user
    activity = sel.activity_get(user, pk)
    if not services.can_change_activity(user, activity):
        raise PermissionDenied
    label = str(activity)
    kept = services.activity_delete(user=user, activity=activity, request=request)
    messages.success(request, _("已删除宣传活动%(a)s") % {"a": label}
                     + (_("；%(n)d个影像资料已保留") % {"n": kept} if kept else ""))
    return redirect("outreach:activity_list")


@area_view("outreach.activities")
@require_safe
def activity_detail(request, pk: int):
    user = request.user
    activity = sel.activity_get(user, pk)
    return render(request, "outreach/activity_detail.html", {
        "a": activity, "evidence": list(scoped(activity.evidence.all(), user).order_by("id")),
        "form": EvidenceForm(), "can_change": services.can_change_activity(user, activity),
        "kind_labels": dict(ActivityKind.choices), "audience_labels": [dict(Audience.choices).get(x, x) for x in activity.audiences],
        "fraud_labels": [dict(FraudType.choices).get(x, x) for x in activity.fraud_types],
    })


@area_view("outreach.activities")
@require_POST
@can_record
def evidence_upload(request, pk: int):
    user = request.user
    activity = sel.activity_get(user, pk)
    try:
        added = services.evidence_add(user=user, activity=activity, files=request.FILES.getlist("files"))
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("已添加影像资料%(n)d个") % {"n": len(added)})
    return redirect("outreach:activity_detail", pk=activity.pk)


def _serve(path, content_type: str, *, download_name: str = "", inline: bool = True) -> FileResponse:
    try:
        fh = open(path, "rb")
    except OSError:
        raise Http404 from None
    resp = FileResponse(fh, content_type=content_type, as_attachment=not inline, filename=download_name or None)
    resp["Cache-Control"] = "private, max-age=3600"
    resp["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@area_view("outreach.activities")
@require_safe
def evidence_file(request, pk: int):
    """A photo or video, only through the scoped view (never as public static)."""
    e = sel.evidence_get(request.user, pk)
    try:
        path = ev.path_of(e.file)
    except ValueError:
        raise Http404 from None
    return _serve(path, e.content_type, download_name=e.original_name or f"evidence-{e.pk}")


@area_view("outreach.activities")
@require_safe
def evidence_thumb(request, pk: int):
    e = sel.evidence_get(request.user, pk)
    if not e.thumb:
        raise Http404
    try:
        path = ev.path_of(e.thumb)
    except ValueError:
        raise Http404 from None
    return _serve(path, "image/jpeg")


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


# --- units ------------------------------------------------------------------------------


@area_view("outreach.units")
@require_safe
def unit_rates(request):
    user = request.user
    node = None
    if request.GET.get("node"):
        node = node_param(request, first=True)
    elif sel.scope_has_tree(user):
        node = default_node(user, first=True)
    today = timezone.localdate()
    by_kind = sel.unit_rates(user, node=node, as_of=today)
    by_unit = sel.unit_rates(user, node=node, as_of=today, by="unit")
    kind = request.GET.get("kind", "")
    if kind in UnitKind.values:
        by_unit = [u for u in by_unit if u["kind"] == kind]
    by_unit.sort(key=lambda u: (u["app_rate"] if u["app_rate"] is not None else 101, u["label"]))
    page = Paginator(by_unit, 50).get_page(request.GET.get("page"))
    return render(request, "outreach/unit_rates.html", {"node": node, "by_kind": by_kind, "page": page, "kind": kind,
                                                        "kinds": UnitKind.choices})


@area_view("outreach.units")
@require_form_methods
def unit_installs(request, pk: int):
    """A liaison ticks each staff member's app / call warning / jinzhongzhao, one submit."""
    user = request.user
    unit = org_selectors.unit_get(user, pk)
    staff = sel.unit_staff_installs(user, unit)
    form = StaffInstallForm(request.POST or None, initial={"installed_on": timezone.localdate(), "verifier": _display_name(user)})
    if request.method == "POST":
        require(user, "outreach.record_outreach")
        if form.is_valid():
            changes = _changes_from_post(staff, request.POST)
            try:
                n = services.installs_apply(user=user, changes=changes, on=form.cleaned_data["installed_on"],
                                            verifier=form.cleaned_data.get("verifier", ""))
            except ValidationError as e:
                _bad(form, e)
            else:
                messages.success(request, _("已保存%(n)d项安装情况") % {"n": n})
                return redirect("outreach:unit_installs", pk=unit.pk)
    rates = sel.unit_rates(user, unit=unit, as_of=timezone.localdate(), by="unit")
    acts = sel.activities_for(user, unit=unit).order_by("-held_on", "-id")[:10]
    return render(request, "outreach/unit_installs.html", {
        "unit": unit, "form": form, "rows": _install_rows(staff, request.POST if request.method == "POST" else None),
        "rate": rates[0] if rates else None, "activities": acts,
        "can_record": allowed(user, "outreach.record_outreach"),
    })


# --- targets ----------------------------------------------------------------------------


def _node_choices(user, levels: list[str], *, value=lambda i: str(i)) -> list[tuple[str, str]]:
    """Scoped nodes of these levels as select options, top levels first.

    Grids are offered only to users whose part of the tree starts at a street
    or below: a county has 1,500 of them, too many for one list.
    """
    tops = org_selectors.top_nodes(user)
    shallowest = min((LEVEL_ORDER.index(t.level) for t in tops), default=0)
    if shallowest < LEVEL_ORDER.index(Level.STREET):
        levels = [lv for lv in levels if lv not in (Level.GRID, Level.GROUP)]
    labels = {lv: str(Level(lv).label) for lv in LEVEL_ORDER}
    order = {lv: i for i, lv in enumerate(LEVEL_ORDER)}
    rows = scoped(Node.objects.filter(level__in=levels), user).values_list("id", "level", "name", "sort", "code")[:3000]
    rows = sorted(rows, key=lambda r: (order[r[1]], r[3], r[4]))
    return [(value(i), f"{labels[lv]} · {name}") for i, lv, name, _s, _c in rows]


def _target_node_choices(user) -> list[tuple[str, str]]:
    return _node_choices(user, [Level.COUNTY, Level.STREET, Level.COMMUNITY, Level.GRID])


@area_view("outreach.targets")
@require_form_methods
def targets(request):
    """Rate, target, deadline, gap and projection for a node and the nodes under it; ranked furthest behind."""
    user = request.user
    if not sel.scope_has_tree(user):
        raise Http404
    if request.method == "POST":
        require(user, "outreach.manage_install_targets")
    node = node_param(request, first=True)
    if node is None:
        raise Http404
    group = request.GET.get("group", TargetGroup.RESIDENTS)
    group = group if group in TargetGroup.values else TargetGroup.RESIDENTS
    level = request.GET.get("level", "")
    depth = LEVEL_ORDER.index(node.level)
    level_choices = [lv for lv in LEVEL_ORDER[depth + 1: LEVEL_ORDER.index(Level.GRID) + 1]] if node.level != Level.GROUP else []
    level = level if level in level_choices else (level_choices[0] if level_choices else node.level)
    today = timezone.localdate()
    node_choices = _target_node_choices(user)
    form = TargetForm(request.POST or None, node_choices=node_choices,
                      initial={"node": str(node.id), "group": group, "deadline": dt.date(today.year, 12, 31)})
    campaign = CampaignForm(request.POST or None, node_choices=node_choices, prefix="campaign",
                            initial={"node": str(node.id), "year": today.year + (1 if today.month > 7 else 0)})
    if request.method == "POST":
        action = request.POST.get("action", "set")
        if action == "campaign":
            form = TargetForm(node_choices=node_choices, initial={"node": str(node.id), "group": group})
            if campaign.is_valid():
                target_node = org_selectors.node_get(user, _int(campaign.cleaned_data["node"]))
                y, kind = campaign.cleaned_data["year"], campaign.cleaned_data["kind"]
                try:
                    services.preset_targets_set(user=user, node=target_node, year=y, kind=kind)
                except ValidationError as e:
                    campaign.apply_errors(e)
                else:
                    messages.success(request, _("已设置%(y)d年的目标") % {"y": y})
                    return redirect(f"{request.path}?node={node.id}&group=residents")
        else:
            campaign = CampaignForm(node_choices=node_choices, prefix="campaign", initial={"node": str(node.id), "year": today.year})
            if form.is_valid():
                d = form.cleaned_data
                target_node = org_selectors.node_get(user, _int(d["node"]))
                try:
                    services.install_target_set(user=user, node=target_node, group=d["group"], rate=d["rate"],
                                                deadline=d["deadline"], note=d.get("note", ""))
                except ValidationError as e:
                    _bad(form, e)
                else:
                    messages.success(request, _("安装目标已保存"))
                    return redirect(f"{request.path}?node={node.id}&group={d['group']}")
    rolled = sel.rollup(user, node, period=ReportPeriod(today, today))
    data = sel.install_progress(user, node, level=level, group=group, as_of=today, rolled=rolled)
    timeline = sel.install_timeline(user, node, start=today - dt.timedelta(weeks=26), end=today, rolled=rolled)
    root = data["root"]
    chart = {
        "names": [p.name for p in data["rows"]], "rates": [p.rate or 0 for p in data["rows"]],
        "targets": [float(p.target.rate) if p.target else None for p in data["rows"]],
        "projected": [p.projected_rate for p in data["rows"]],
        "timeline": timeline, "target": float(root.target.rate) if root and root.target else None,
        "deadline": root.target.deadline.isoformat() if root and root.target else None,
    }
    return render(request, "outreach/targets.html", {
        "node": node, "crumbs": crumbs(user, node), "data": data, "root": root, "group": group,
        "groups": TargetGroup.choices, "level": level, "levels": [(lv, Level(lv).label) for lv in level_choices],
        "status_labels": STATUS_LABELS, "form": form, "campaign": campaign, "chart": chart,
        "targets_here": list(sel.targets_for(user, node=node)), "today": today,
        "can_manage": allowed(user, "outreach.manage_install_targets"),
    })


@area_view("outreach.targets")
@require_POST
@can_set_targets
def target_delete(request, pk: int):
    user = request.user
    target = InstallTarget.objects.filter(pk=pk, node__in=scoped(Node.objects.all(), user)).first()
    if target is None:
        raise Http404
    node_id = target.node_id
    services.install_target_delete(target=target)
    messages.success(request, _("已删除安装目标"))
    return redirect(f"{reverse('outreach:targets')}?node={node_id}")


# --- WeChat pushes --------------------------------------------------------------------------


def _push_node_choices(user) -> list[tuple[str, str]]:
    return _node_choices(user, [Level.COMMUNITY, Level.GRID, Level.GROUP])


@area_view("outreach.wechat")
@require_form_methods
def wechat(request):
    """WeChat-group pushes: the week grid per community (below two in a finished week shows up) and the form."""
    user = request.user
    if not sel.scope_has_tree(user):
        raise Http404
    node = node_param(request, first=True)
    if node is None:
        raise Http404
    today = timezone.localdate()
    weeks = max(1, min(_int(request.GET.get("weeks")) or 6, 26))
    start = week_start(today) - dt.timedelta(weeks=weeks - 1)
    choices = _push_node_choices(user)
    last = WeChatPush.objects.filter(recorded_by=user).order_by("-id").first()
    default_node = str(last.node_id) if last and any(k == str(last.node_id) for k, _l in choices) else (
        str(node.id) if any(k == str(node.id) for k, _l in choices) else (choices[0][0] if choices else ""))
    form = PushForm(request.POST or None, node_choices=choices, initial={
        "node": default_node, "pushed_on": today, "group_name": last.group_name if last else ""})
    if request.method == "POST":
        require(user, "outreach.record_outreach")
        if form.is_valid():
            d = form.cleaned_data
            target = org_selectors.node_get(user, _int(d["node"]))
            try:
                services.wechat_push_record(user=user, node=target, group_name=d["group_name"], pushed_on=d["pushed_on"],
                                            title=d["title"], content_kind=d["content_kind"])
            except ValidationError as e:
                _bad(form, e)
            else:
                messages.success(request, _("已登记微信群推送"))
                return redirect(f"{request.path}?node={node.id}")
    grid = sel.push_weeks(user, node, start=start, end=today)
    recent = sel.pushes_for(user, node=node).select_related("node").order_by("-pushed_on", "-id")[:20]
    names = list(sel.pushes_for(user, node=node).order_by().values_list("group_name", flat=True).distinct()[:30])
    return render(request, "outreach/wechat.html", {
        "node": node, "crumbs": crumbs(user, node), "grid": grid, "recent": recent, "form": form, "weeks": weeks,
        "group_names": names, "can_record": allowed(user, "outreach.record_outreach"),
    })


# --- school letters -------------------------------------------------------------------------


@area_view("outreach.letters")
@require_form_methods
def letters(request):
    user = request.user
    schools = scoped(Unit.objects.filter(kind=UnitKind.SCHOOL), user).order_by("name")
    choices = [(str(u.id), u.name) for u in schools[:500]]
    form = LetterForm(request.POST or None, unit_choices=choices,
                      initial={"sent_on": timezone.localdate(), "unit": choices[0][0] if choices else ""})
    if request.method == "POST":
        require(user, "outreach.record_outreach")
        if form.is_valid():
            d = form.cleaned_data
            unit = get_scoped_or_404(Unit.objects.all(), user, pk=_int(d["unit"]))
            try:
                letter = services.school_letter_create(user=user, unit=unit, title=d["title"], sent_on=d["sent_on"],
                                                       classes=d["classes"], note=d.get("note", ""))
            except ValidationError as e:
                _bad(form, e)
            else:
                messages.success(request, _("已登记，请在回收回执后填写各班回执数"))
                return redirect("outreach:letter_detail", pk=letter.pk)
    qs = sel.letters_for(user).select_related("unit")
    page = Paginator(qs.order_by("-sent_on", "-id"), 30).get_page(request.GET.get("page"))
    totals = {}
    for r in (LetterReceipt.objects.filter(letter_id__in=[x.id for x in page.object_list]).order_by()
              .values("letter_id").annotate(sent=Sum("letters_sent"), returned=Sum("receipts_returned"))):
        totals[r["letter_id"]] = r
    for letter in page.object_list:
        t = totals.get(letter.id, {})
        letter.sent, letter.returned = t.get("sent") or 0, t.get("returned") or 0
        letter.rate = sel.pct(letter.returned, letter.sent)
    return render(request, "outreach/letters.html", {
        "page": page, "form": form, "schools": sel.receipts_by_school(qs), "has_schools": bool(choices),
        "can_record": allowed(user, "outreach.record_outreach"),
    })


@area_view("outreach.letters")
@require_form_methods
def letter_detail(request, pk: int):
    """Receipts returned per class of one letter; new classes can be added on the same form."""
    user = request.user
    letter = sel.letter_get(user, pk)
    receipts = list(letter.receipts.order_by("class_name"))
    errors: list[str] = []
    if request.method == "POST":
        require(user, "outreach.record_outreach")
        rows = []
        for i in range(len(receipts) + 5):
            rows.append((request.POST.get(f"class_{i}", ""), request.POST.get(f"sent_{i}", ""), request.POST.get(f"returned_{i}", "")))
        try:
            services.receipts_update(user=user, letter=letter, rows=rows)
        except ValidationError as e:
            errors = e.messages
        else:
            messages.success(request, _("回执情况已保存"))
            return redirect("outreach:letter_detail", pk=letter.pk)
    lines = [{"i": i, "class_name": r.class_name, "sent": r.letters_sent, "returned": r.receipts_returned, "fixed": True}
             for i, r in enumerate(receipts)]
    lines += [{"i": i, "class_name": "", "sent": "", "returned": "", "fixed": False} for i in range(len(receipts), len(receipts) + 5)]
    if request.method == "POST":  # keep what was typed
        for line in lines:
            i = line["i"]
            line.update(class_name=request.POST.get(f"class_{i}", line["class_name"]),
                        sent=request.POST.get(f"sent_{i}", line["sent"]), returned=request.POST.get(f"returned_{i}", line["returned"]))
    sent = sum(r.letters_sent for r in receipts)
    returned = sum(r.receipts_returned for r in receipts)
    return render(request, "outreach/letter_detail.html", {
        "letter": letter, "lines": lines, "errors": errors, "sent": sent, "returned": returned,
        "rate": sel.pct(returned, sent), "can_record": allowed(user, "outreach.record_outreach"),
    })


# --- reports --------------------------------------------------------------------------------


@area_view("outreach.reports")
@require_safe
def reports_page(request):
    user = request.user
    today = timezone.localdate()
    nodes = _target_node_choices(user) if sel.scope_has_tree(user) else []
    units = [(str(u.id), u.name) for u in scoped(Unit.objects.all(), user).order_by("name")[:300]]
    stored = Paginator(sel.reports_for(user), 30).get_page(request.GET.get("page"))
    default = default_node(user, first=True)
    return render(request, "outreach/reports.html", {
        "nodes": nodes, "units": units, "stored": stored, "default_node": str(default.id) if default else "",
        "semimonthly_day": last_semimonthly_day(today), "unit_day": last_unit_monthly_day(today),
        "kinds": ReportKind.choices, "pdf_available": _pdf_available(),
    })


def _pdf_available() -> bool:
    """PDF downloads are offered where the server has LibreOffice (fanzha.core.pdf)."""
    from fanzha.core import pdf

    return pdf.available()


def _report_data(request) -> dict:
    kind = request.GET.get("kind", "semimonthly")
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = None
    if day is None:
        raise ValidationError(_("请填写报送日期（YYYY-MM-DD）"))
    today = timezone.localdate()
    period = None
    if day > today:  # a preview of a report not due yet: its period so far, said on the report
        period = semimonthly(day) if kind == "semimonthly" else unit_monthly(day)
        if period.start > today:
            raise ValidationError(_("报送日期%(d)s的统计时段自%(s)s开始，尚未开始，无法预览") % {
                "d": day.isoformat(), "s": period.start.isoformat()})
        period = ReportPeriod(period.start, today)
    data = _report_for(request, kind, day, period)
    if period is not None:
        data["preview"] = _("预览：报送日期%(d)s未到，数据截至%(t)s") % {"d": day.isoformat(), "t": today.isoformat()}
    return data


def _report_for(request, kind: str, day: dt.date, period: ReportPeriod | None) -> dict:
    user = request.user
    unit = None
    if request.GET.get("unit"):
        unit = get_scoped_or_404(Unit.objects.select_related("node"), user, pk=_int(request.GET.get("unit")))
    if kind == "semimonthly":
        node = node_param(request, first=True)
        if node is None:
            raise Http404
        return reports.semimonthly_data(user, node, day, period=period)
    if kind == "unit_monthly":
        if unit is not None:
            return reports.unit_monthly_data(user, unit=unit, report_date=day, period=period)
        node = node_param(request, first=True)
        if node is None:
            raise Http404
        return reports.unit_monthly_data(user, node=node, report_date=day, period=period)
    raise Http404


def _keep_on_demand(data: dict) -> PeriodicReport | None:
    """A node's report made on demand is kept and listed under 已生成的报表 (replacing that date's copy),
    once its day's records are complete: a past date, or the report day itself after the report hour.
    Previews (future dates) and single-unit reports are not kept."""
    from fanzha.outreach import jobs

    if data.get("preview") or data.get("unit") or not data.get("node"):
        return None
    day = dt.date.fromisoformat(data["report_date"])
    now = timezone.localtime()
    if day > now.date() or (day == now.date() and now.hour < jobs.report_hour()):
        return None
    period = dt.date.fromisoformat(data["period"]["start"]), dt.date.fromisoformat(data["period"]["end"])
    row, _created = PeriodicReport.objects.get_or_create(
        kind=data["kind"], node_id=data["node"]["id"], report_date=day,
        defaults={"period_start": period[0], "period_end": period[1]})
    row.place_at(row.node)
    old = (row.xlsx_file, row.docx_file)
    xlsx = ev.write_new(reports.to_xlsx(data), "xlsx", when=day, folder=jobs.REPORTS_DIR)
    try:
        docx = ev.write_new(reports.to_docx(data), "docx", when=day, folder=jobs.REPORTS_DIR)
    except BaseException:
        ev.remove_quietly(xlsx)
        raise
    row.xlsx_file, row.docx_file, row.figures = xlsx, docx, data["figures"]
    row.period_start, row.period_end = period
    row.status, row.generated_at, row.error = ReportStatus.DONE, timezone.now(), ""
    row.save()
    ev.remove_quietly(*(f for f in old if f), jobs.pdf_of(old[1]))
    return row


@area_view("outreach.reports")
@require_safe
def report_preview(request):
    """The report on the page (any date, a future one as a preview of its period so far), with its downloads."""
    try:
        data = _report_data(request)
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
        return redirect("outreach:reports")
    query = request.GET.copy()
    query.pop("fmt", None)
    return render(request, "outreach/report_preview.html", {"data": data, "query": query.urlencode(),
                                                            "pdf_available": _pdf_available()})


@area_view("outreach.reports")
@require_safe
def report_make(request):
    """The report made now from the records, as .xlsx, .docx or .pdf (download)."""
    fmt = request.GET.get("fmt", "xlsx")
    if fmt not in ("xlsx", "docx", "pdf") or (fmt == "pdf" and not _pdf_available()):
        raise Http404
    try:
        data = _report_data(request)
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
        return redirect("outreach:reports")
    from fanzha.core.pdf import PdfError

    try:
        content, ctype = reports.render(data, fmt)
    except PdfError:
        messages.error(request, _("PDF暂时无法生成，请下载Word或Excel文件"))
        return redirect("outreach:reports")
    if fmt in ("xlsx", "docx"):
        _keep_on_demand(data)
    audit(user=request.user, action=AuditAction.EXPORT, target=f"report:{data['kind']}:{(data.get('unit') or data['node'])['id']}:{data['report_date']}",
          detail=_("下载报表：%(t)s") % {"t": data["title"]}, request=request)
    resp = HttpResponse(content, content_type=ctype)
    from django.utils.encoding import escape_uri_path

    name = reports.filename(data, fmt)
    resp["Content-Disposition"] = f"attachment; filename=\"report.{fmt}\"; filename*=UTF-8''{escape_uri_path(name)}"
    resp["Cache-Control"] = "private, no-store"
    return resp


@area_view("outreach.reports")
@require_safe
def report_download(request, pk: int, fmt: str):
    report = sel.report_get(request.user, pk)
    rel = report.xlsx_file if fmt == "xlsx" else report.docx_file if fmt == "docx" else ""
    if fmt == "pdf" and report.docx_file and _pdf_available():
        from fanzha.outreach.jobs import make_pdf, pdf_of

        rel = pdf_of(report.docx_file)
        try:
            missing = not ev.path_of(rel).exists()
        except ValueError:
            raise Http404 from None
        if missing:  # the worker has not printed it yet: print it now
            rel = make_pdf(report.docx_file)
    if not rel:
        raise Http404
    try:
        path = ev.path_of(rel)
    except ValueError:
        raise Http404 from None
    audit(user=request.user, action=AuditAction.EXPORT, target=f"report:{report.kind}:{report.node_id}:{report.report_date}",
          detail=_("下载已生成的报表"), request=request)
    kind = _("半月报") if report.kind == ReportKind.SEMIMONTHLY else _("单位防范工作月报")
    resp = _serve(path, {"xlsx": reports.XLSX_TYPE, "docx": reports.DOCX_TYPE, "pdf": reports.PDF_TYPE}[fmt],
                  download_name=f"{report.node.name}{kind}{report.report_date}.{fmt}", inline=False)
    return resp


# --- settings -------------------------------------------------------------------------------


@area_view("outreach.settings")
@require_form_methods
def outreach_settings(request):
    user = request.user
    streets = list(scoped(Node.objects.filter(level=Level.STREET), user).order_by("sort", "code")[:200])
    if request.method == "POST":
        street = org_selectors.node_get(user, _int(request.POST.get("street")))
        form = SettingForm(request.POST)
        if form.is_valid():
            try:
                services.outreach_setting_set(user=user, street=street, keep_gps=form.cleaned_data["keep_gps"])
            except ValidationError as e:
                for m in e.messages:
                    messages.error(request, m)
            else:
                messages.success(request, _("%(s)s：已保存") % {"s": street.name})
            return redirect("outreach:settings")
    keep = dict(OutreachSetting.objects.filter(street__in=streets).values_list("street_id", "keep_gps"))
    rows = [{"street": s, "form": SettingForm(initial={"keep_gps": keep.get(s.id, False)}, auto_id=f"id_%s_{s.id}")}
            for s in streets]
    return render(request, "outreach/settings.html", {"rows": rows})


# --- home-visit publicity rate (入户宣传率) ----------------------------------------------------


@area_view("outreach.targets")
@require_safe
def visit_coverage(request):
    """入户宣传率 against its 100% target for a period: each node one level down with its status, and for a
    community, grid or group the households not yet reached (each with its visit form)."""
    user = request.user
    if not sel.scope_has_tree(user):
        raise Http404
    node = node_param(request, first=True)
    if node is None:
        raise Http404
    period, key = _period_param(request)
    data = sel.visit_coverage(user, node, period=period)
    missing = []
    if node.level in (Level.COMMUNITY, Level.GRID, Level.GROUP):
        missing = sel.households_not_reached(user, node, period=period)
    return render(request, "outreach/visit_coverage.html", {
        "node": node, "crumbs": crumbs(user, node), "data": data, "period": period, "p": key,
        "presets": [("semimonth", _("本半月")), ("month", _("本月")), ("quarter", _("本季度")), ("year", _("本年"))],
        "missing": missing, "missing_capped": len(missing) >= 500,
        "status_labels": {"met": _("已完成"), "in_progress": _("进行中"), "missed": _("未完成"), "no_households": _("无住户")},
    })
