"""The outreach dashboard (visit coverage and install rates of a node and its children) and the
home-visit publicity rate page (入户宣传率)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from fanzha.core.access import area_view, can_open
from fanzha.core.scoping import crumbs, node_param, scoped
from fanzha.org.models import LEVEL_ORDER, Level, Unit
from fanzha.outreach import selectors as sel
from fanzha.outreach.periods import PRESETS, year_start
from fanzha.outreach.views._common import PRESET_LABELS, STATUS_LABELS, _period_param


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
