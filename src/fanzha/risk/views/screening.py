"""Monthly screening (每月排查) per community."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from fanzha.core.access import area_view, require
from fanzha.core.scoping import get_scoped_or_404, node_param
from fanzha.org.models import Level, Node
from fanzha.risk import forms, rules, selectors
from fanzha.risk.services import screening as sc_svc
from fanzha.risk.views._common import _errors_to_form, _today


def _month_param(request) -> dt.date:
    raw = request.GET.get("month") or ""
    try:
        y, m = raw.split("-")
        return dt.date(int(y), int(m), 1)
    except ValueError:
        return _today().replace(day=1)


@area_view("risk.screening")
@require_GET
def screening(request):
    user = request.user
    node = node_param(request)
    month = _month_param(request)
    rows = selectors.screening_status(user, node=node, month=month, today=_today())
    prev = (month - dt.timedelta(days=1)).replace(day=1)
    nxt = (month + dt.timedelta(days=32)).replace(day=1)
    return render(request, "risk/screening.html", {
        "rows": rows, "month": month, "prev": prev, "next": nxt if nxt <= _today() else None, "node": node,
        "can_file": rules.can_file_screening(user),
    })


@area_view("risk.screening")
@require_http_methods(["GET", "POST"])
def screening_form(request, community: int):
    user = request.user
    node = get_scoped_or_404(Node.objects.filter(level=Level.COMMUNITY), user, pk=community)
    month = _month_param(request)
    existing = selectors.screenings_for(user, node=node, month=month).first()
    figures = selectors.screening_prefill(node, month)
    if existing:
        initial = {k: getattr(existing, k) for k in ("dens_found", "offenders", "likely_victims", "causes", "measures")}
    else:
        initial = {"dens_found": figures["dens_found"], "offenders": figures["offenders"], "likely_victims": 0}
    form = forms.ScreeningForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require(user, rules.can_file_screening)
        if form.is_valid():
            try:
                sc_svc.screening_file(user=user, community=node, month=month, **form.cleaned_data)
            except ValidationError as e:
                _errors_to_form(form, e)
            else:
                messages.success(request, _("已填报"))
                return redirect(reverse("risk:screening") + f"?month={month:%Y-%m}")
    return render(request, "risk/screening_form.html", {
        "form": form, "community": node, "month": month, "figures": figures, "existing": existing,
        "can_file": rules.can_file_screening(user),
        "figure_labels": SCREENING_LABELS,
    })


SCREENING_LABELS = [
    ("key_persons_open", "在管重点人员"), ("key_persons_new", "本月新建档"), ("offenders", "其中涉诈前科"),
    ("follow_ups", "帮教次数"), ("checks", "场所检查次数"), ("premises_checked", "检查场所数"),
    ("dens_found", "发现疑似窝点"), ("findings", "检查有发现"), ("sweeps", "周三打卡次数"),
    ("people_checked", "打卡核查人员"), ("cases", "发案数"),
]
