"""Staff installs of units and the install targets set for nodes (and their progress)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from fanzha.core.access import allowed, area_view, require
from fanzha.core.scoping import crumbs, default_node, node_param, scoped
from fanzha.org import selectors as org_selectors
from fanzha.org.models import LEVEL_ORDER, Level, Node, UnitKind
from fanzha.outreach import services
from fanzha.outreach import selectors as sel
from fanzha.outreach.forms import CampaignForm, StaffInstallForm, TargetForm
from fanzha.outreach.models import InstallTarget, TargetGroup
from fanzha.outreach.periods import ReportPeriod
from fanzha.outreach.views._common import (
    STATUS_LABELS,
    _bad,
    _display_name,
    _int,
    _node_choices,
    can_set_targets,
    require_form_methods,
)
from fanzha.outreach.views.visits import _changes_from_post, _install_rows


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


