"""What the outreach pages share: the period and node parameters, form errors, safe redirects."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from fanzha.core.access import requires
from fanzha.core.scoping import scoped
from fanzha.org import selectors as org_selectors
from fanzha.org.models import LEVEL_ORDER, Level, Node
from fanzha.outreach import reports
from fanzha.outreach.periods import PRESETS, ReportPeriod, preset, year_start


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


