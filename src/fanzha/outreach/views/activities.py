"""Outreach activities and their evidence (photos, video, documents): list, record, edit, delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from fanzha.cases.fraud_types import FraudType
from fanzha.core.access import area_view
from fanzha.core.scoping import get_scoped_or_404, node_param, scope_of, scoped
from fanzha.org import selectors as org_selectors
from fanzha.org.models import LEVEL_ORDER, Level, Node, Unit
from fanzha.outreach import evidence as ev
from fanzha.outreach import services
from fanzha.outreach import selectors as sel
from fanzha.outreach.forms import ActivityForm, EvidenceForm
from fanzha.outreach.models import Activity, ActivityKind, Audience, Evidence, Venue
from fanzha.outreach.periods import PRESETS
from fanzha.outreach.views._common import (
    PRESET_LABELS,
    _bad,
    _int,
    _node_choices,
    _period_param,
    _serve,
    can_record,
    require_form_methods,
)


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
    node = node_param(request, default=False)
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


