"""Risk overview: the home page, the menu badge, my overdue reviews, figures and their workbooks."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fanzha.cases.periods import Period
from fanzha.core.access import area_view, require
from fanzha.core.audit import audit
from fanzha.core.scoping import node_param
from fanzha.risk import exports, rules, selectors
from fanzha.risk.reports import figure_rows, risk_figures
from fanzha.risk.views._common import _today


@area_view("risk")
@require_GET
def home(request):
    user, today = request.user, _today()
    node = node_param(request)
    detail = rules.sees_detail(user)
    mine = list(selectors.overdue_reviews(user, today=today, mine=True)[:20]) if detail else []
    overdue_n = selectors.overdue_reviews(user, node=node, today=today).count() if detail else 0
    flagged = selectors.premises_for(user, node=node, flagged=True).order_by("open_finding_since")[:10]
    sweeps = selectors.sweeps_for(user)[:5]
    status = selectors.screening_status(user, node=node, month=today.replace(day=1), today=today) \
        if rules.sees_detail(user) else []
    return render(request, "risk/home.html", {
        "node": node, "detail": detail, "mine": mine, "overdue_n": overdue_n, "flagged": flagged, "sweeps": sweeps,
        "missing": [s for s in status if not s["screening"]], "today": today,
        "can_field": rules.can_record_field(user), "can_files": rules.can_write_files(user),
    })


@area_view("risk")
@require_GET
def badge(request):
    """My overdue reviews, for the menu badge."""
    n = selectors.overdue_reviews(request.user, today=_today(), mine=True).count() if rules.sees_detail(request.user) else 0
    return HttpResponse(f' <span class="count" title="{_("逾期未回访")}">{n}</span>' if n else "")


@area_view("risk")
@require_GET
def my_overdue(request):
    """A card of the user's overdue reviews, for the home page (`hx-get`, empty when there are none)."""
    if not rules.sees_detail(request.user):
        return HttpResponse("")
    rows = list(selectors.overdue_reviews(request.user, today=_today(), mine=True)[:10])
    return render(request, "risk/_my_overdue.html", {"mine": rows}) if rows else HttpResponse("")


def _period_param(request) -> Period:
    raw = request.GET.get("period") or ""
    if raw:
        try:
            return Period.parse(raw)
        except ValueError:
            messages.error(request, _("期间格式不正确，已显示本年度"))
    return Period.containing(_today(), "year")


@area_view("risk.figures")
@require_GET
def figures(request):
    user = request.user
    node = node_param(request)
    period = _period_param(request)
    data = risk_figures(user, node=node, period=period, today=_today())
    return render(request, "risk/figures.html", {"data": data, "rows": figure_rows(data), "node": node, "period": period})


def _xlsx_response(fh, name: str) -> FileResponse:
    return FileResponse(fh, as_attachment=True, filename=name,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@area_view("risk.figures")
@require_GET
def export(request, what: str):
    """.xlsx: the figures, or one of the ledgers an office files (一人一档, 场所检查台账, 周三打卡台账)."""
    user = request.user
    require(user, "org.export_data")
    node = node_param(request)
    period = _period_param(request)
    if what == "figures":
        fh = exports.figures_xlsx(risk_figures(user, node=node, period=period, today=_today()))
    elif what == "key_persons":
        require(user, rules.sees_detail)
        fh = exports.key_persons_xlsx(user, node=node, today=_today())
    elif what == "checks":
        fh = exports.checks_xlsx(user, node=node, period=period)
    elif what == "sweeps":
        fh = exports.sweeps_xlsx(user, node=node, period=period)
    else:
        raise Http404
    audit(user=user, action="export", target=f"risk:{what}", detail=f"{node or '-'} · {period}", request=request)
    return _xlsx_response(fh, f"risk-{what}-{period}.xlsx")
