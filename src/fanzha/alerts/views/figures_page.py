"""Alert figures by node, period and person, on the page and as a workbook."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from fanzha.alerts.figures import PERSON_PAGE, Window, alert_figures, minutes, sort_people
from fanzha.alerts.models import Outcome
from fanzha.core.access import area_view, require
from fanzha.core.audit import audit
from fanzha.core.models import AuditAction
from fanzha.core.scoping import crumbs_in_scope, node_param
from fanzha.alerts.views.response import _require_viewer
from fanzha.core.sheets import XLSX_TYPE as XLSX



def _figures_params(request):
    """(node, window, problem): the node in scope, the period from the date-range control (start/end), an
    older `period` code, or the recent months; a bad period is said and replaced by the recent months."""
    user = request.user
    node = node_param(request)
    start, end = request.GET.get("start", ""), request.GET.get("end", "")
    problem = ""
    try:
        if start or end:
            today = timezone.localdate()
            window = Window.between(start or Window.parse("").start, end or today)
        else:
            window = Window.parse(request.GET.get("period", ""))
    except ValueError as e:
        problem = str(e) if start or end else _("期间格式不正确")
        window = Window.parse("")
    return node, window, problem


def _presets(today) -> list[tuple[str, str, str]]:
    """(label, start, end) of the quick choices beside the date range."""
    import datetime as dt

    recent = Window.parse("", today=today)
    quarter = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return [(str(recent.label), recent.start.isoformat(), today.isoformat()),
            (_("本月"), today.replace(day=1).isoformat(), today.isoformat()),
            (_("本季度"), quarter.isoformat(), today.isoformat()),
            (_("本年"), today.replace(month=1, day=1).isoformat(), today.isoformat()),
            (_("上一年"), dt.date(today.year - 1, 1, 1).isoformat(), dt.date(today.year - 1, 12, 31).isoformat())]


@area_view("alerts.figures")
@require_safe
def figures(request):
    _require_viewer(request.user)
    node, window, problem = _figures_params(request)
    if problem:
        messages.error(request, _("%(why)s，已显示近6个月") % {"why": problem})
    data = alert_figures(request.user, node=node, window=window)
    ancestors = crumbs_in_scope(request.user, node)
    people, sort = sort_people(data["by_person"], request.GET.get("sort", "-received"))
    from django.core.paginator import Paginator

    person_page = Paginator(people, PERSON_PAGE).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    for k in ("sort", "page"):
        keep.pop(k, None)
    keep["start"], keep["end"] = window.start.isoformat(), window.end.isoformat()
    keep.pop("period", None)
    columns = [("name", _("姓名")), ("received", _("签收")), ("signed_pct", _("按时签收")),
               ("contacted_pct", _("按时联系上")), ("contact_median", _("联系用时中位数")), ("dissuaded", _("劝阻成功"))]
    heads = []
    for key, label in columns:
        on = sort.lstrip("-") == key
        desc = on and sort.startswith("-")
        # First click: names A→Z, figures largest first; a second click reverses.
        nxt = (key if desc else f"-{key}") if on else (key if key == "name" else f"-{key}")
        heads.append({"key": key, "label": label, "sort": nxt, "on": on,
                      "aria": ("descending" if desc else "ascending") if on else ""})
    sort_choices = [("name", _("姓名 A→Z")), ("-name", _("姓名 Z→A"))]
    for key, label in columns[1:]:
        sort_choices += [(f"-{key}", _("%(c)s 从高到低") % {"c": label}), (key, _("%(c)s 从低到高") % {"c": label})]
    return render(request, "alerts/figures.html", {
        "sort_choices": sort_choices, "keep_items": [(k, v) for k in keep for v in keep.getlist(k)],
        "data": data, "node": node, "window": window, "ancestors": ancestors, "minutes": minutes,
        "outcome_labels": dict(Outcome.choices), "person_page": person_page, "person_heads": heads, "sort": sort,
        "keep": keep.urlencode(), "range_query": f"start={window.start.isoformat()}&end={window.end.isoformat()}",
        "presets": _presets(timezone.localdate()), "today": timezone.localdate().isoformat(),
        "chart_labels": {"received": _("接收"), "contacted_pct": _("按时联系上%")},
    })


@area_view("alerts.figures")
@require_safe
def figures_export(request):
    _require_viewer(request.user)
    require(request.user, "org.export_data")
    node, window, _problem = _figures_params(request)
    data = alert_figures(request.user, node=node, window=window)
    from fanzha.alerts.exports import figures_workbook

    content = figures_workbook(data)
    audit(user=request.user, action=AuditAction.EXPORT, target=f"alert-figures:{node.pk if node else 'all'}:{window.key}",
          request=request)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="alert-figures-{window.key}.xlsx"'
    return response
