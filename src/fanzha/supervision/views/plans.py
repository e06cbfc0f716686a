"""Plans, the measures ledger, measures and their progress reports."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fanzha.core.access import area_view
from fanzha.core.audit import audit
from fanzha.supervision import forms as f
from fanzha.supervision import reports, services
from fanzha.supervision import selectors as sel
from fanzha.supervision.views._common import XLSX, _attempt, _is_street_wide, _street


@area_view("supervision.plans")
@require_safe
def plans(request):
    user = request.user
    year = timezone.localdate().year
    return render(request, "supervision/plans.html", {
        "plans": sel.plans_for(user), "is_office": sel.is_office(user),
        "form": f.PlanForm(initial={"year": year, "start_on": dt.date(year, 1, 1)}),
        "example_form": f.ExamplePlanForm(initial={"year": year})})


@area_view("supervision.manage")
@require_POST
def plan_new(request):
    street = _street(request)
    form = f.PlanForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        plan = _attempt(form, lambda: services.plan_create(user=request.user, street=street, year=d["year"],
                                                           title=d["title"], start_on=d["start_on"]))
        if plan:
            return redirect("supervision:plan_detail", pk=plan.pk)
    return render(request, "supervision/plans.html", {"plans": sel.plans_for(request.user), "is_office": True, "form": form,
                                                      "example_form": f.ExamplePlanForm()}, status=400)


@area_view("supervision.manage")
@require_POST
def plan_example(request):
    street = _street(request)
    form = f.ExamplePlanForm(request.POST)
    if form.is_valid():
        result = _attempt(form, lambda: services.plan_load_example(user=request.user, street=street,
                                                                   year=form.cleaned_data["year"]))
        if result:
            plan, created = result
            messages.success(request, _("已载入示例方案（%(n)d项措施），可直接修改。") % {"n": plan.measures.count()})
            if created:
                messages.info(request, _("已新建以下部门：%(names)s") % {"names": "、".join(created)})
            return redirect("supervision:plan_detail", pk=plan.pk)
    return render(request, "supervision/plans.html", {"plans": sel.plans_for(request.user), "is_office": True,
                                                      "form": f.PlanForm(), "example_form": form}, status=400)


@area_view("supervision.plans")
@require_safe
def plan_detail(request, pk: int):
    plan = sel.plan_get(request.user, pk)
    return render(request, "supervision/plan_detail.html", {
        "plan": plan, "measures": sel.plan_measures(plan), "today": timezone.localdate(),
        "is_office": sel.is_office(request.user),
        "copy_form": f.CopyPlanForm(initial={"year": plan.year + 1, "title": plan.title})})


@area_view("supervision.manage")
@require_POST
def plan_copy(request, pk: int):
    plan = sel.plan_get(request.user, pk)
    form = f.CopyPlanForm(request.POST)
    if form.is_valid():
        new = _attempt(form, lambda: services.plan_copy(user=request.user, plan=plan, year=form.cleaned_data["year"],
                                                        title=form.cleaned_data["title"]))
        if new:
            messages.success(request, _("已复制为%(y)d年方案，进度从零开始。") % {"y": new.year})
            return redirect("supervision:plan_detail", pk=new.pk)
    return render(request, "supervision/plan_detail.html", {
        "plan": plan, "measures": sel.plan_measures(plan), "today": timezone.localdate(), "is_office": True,
        "copy_form": form}, status=400)


@area_view("supervision.plans")
@require_safe
def ledger(request, pk: int | None = None):
    """The measures ledger (.xlsx): one plan's, or every measure and task in the user's scope."""
    from fanzha.core.scoping import scoped
    from fanzha.supervision.models import Measure

    qs = scoped(Measure.objects.all(), request.user)
    name = _("工作措施台账")
    if pk is not None:
        plan = sel.plan_get(request.user, pk)
        qs = qs.filter(plan=plan)
        name = f"{plan.year}{plan.title}{name}"
    fh = reports.ledger_xlsx(qs)
    audit(user=request.user, action="export", target="supervision.ledger", detail=name, request=request)
    return FileResponse(fh, as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX)


def _measure_form_page(request, form, *, plan=None, measure=None, status=200):
    return render(request, "supervision/measure_form.html", {"form": form, "plan": plan, "measure": measure}, status=status)


@area_view("supervision.manage")
@require_http_methods(["GET", "POST"])
def measure_new(request, plan_pk: int):
    plan = sel.plan_get(request.user, plan_pk)
    street = _street(request)
    holders = sel.holder_choices(street)
    if request.method == "GET":
        form = f.MeasureForm(holders=holders, initial={"start_on": plan.start_on, "deadline": dt.date(plan.year, 12, 31)})
        return _measure_form_page(request, form, plan=plan)
    form = f.MeasureForm(request.POST, holders=holders)
    if form.is_valid():
        d = form.cleaned_data
        m = _attempt(form, lambda: services.measure_save(
            user=request.user, plan=plan, number=d["number"], title=d["title"], content=d["content"],
            start_on=d["start_on"], deadline=d["deadline"], leads=services.holders_from_keys(street, d["leads"]),
            responsible=services.holders_from_keys(street, d["responsible"])))
        if m:
            return redirect("supervision:plan_detail", pk=plan.pk)
    return _measure_form_page(request, form, plan=plan, status=400)


@area_view("supervision.manage")
@require_http_methods(["GET", "POST"])
def measure_edit(request, pk: int):
    from fanzha.core.scoping import get_scoped_or_404
    from fanzha.supervision.models import Measure

    m = get_scoped_or_404(Measure.objects.all(), request.user, pk=pk)
    street = _street(request)
    holders = sel.holder_choices(street)
    rs = list(m.responsibilities.select_related("unit", "community"))
    if request.method == "GET":
        form = f.MeasureForm(holders=holders, initial={
            "number": m.number, "title": m.title, "content": m.content, "start_on": m.start_on, "deadline": m.deadline,
            "leads": [services.holder_of(r).key for r in rs if r.is_lead],
            "responsible": [services.holder_of(r).key for r in rs if not r.is_lead]})
        return _measure_form_page(request, form, plan=m.plan, measure=m)
    form = f.MeasureForm(request.POST, holders=holders)
    if form.is_valid():
        d = form.cleaned_data
        saved = _attempt(form, lambda: services.measure_save(
            user=request.user, plan=m.plan, measure=m, number=d["number"], title=d["title"], content=d["content"],
            start_on=d["start_on"], deadline=d["deadline"], leads=services.holders_from_keys(street, d["leads"]),
            responsible=services.holders_from_keys(street, d["responsible"])))
        if saved:
            return redirect("supervision:measure_detail", pk=m.pk)
    return _measure_form_page(request, form, plan=m.plan, measure=m, status=400)


@area_view("supervision")
@require_safe
def measure_detail(request, pk: int):
    user = request.user
    m = sel.measure_get(user, pk)
    rs = list(m.responsibilities.select_related("unit", "community"))
    mine = {r.pk for r in rs if sel.acts_on(user, r)} if not sel.is_office(user) else {r.pk for r in rs}
    if not _is_street_wide(user):
        rs = [r for r in rs if r.pk in mine]  # a unit sees its own part, not the others'
    today = timezone.localdate()
    return render(request, "supervision/measure_detail.html", {
        "m": m, "rows": rs, "mine": mine, "today": today, "days": sel.days_overdue(m.deadline, today),
        "late": m.completed_on is None and m.deadline < today, "is_office": sel.is_office(user),
        "street_wide": _is_street_wide(user)})


@area_view("supervision")
@require_http_methods(["GET", "POST"])
def progress_new(request, pk: int):
    """A holder reports progress on its part of a measure (from a phone)."""
    r = sel.responsibility_for_action(request.user, pk)
    if request.method == "GET":
        form = f.ProgressForm(initial={"percent": r.percent})
    else:
        form = f.ProgressForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            rep = _attempt(form, lambda: services.progress_report(user=request.user, responsibility=r, percent=d["percent"],
                                                                  text=d["text"], files=request.FILES.getlist("files")))
            if rep:
                messages.success(request, _("进度已报送：%(p)d%%") % {"p": rep.percent})
                return redirect("supervision:measure_detail", pk=r.measure_id)
    reports_ = list(sel.reports_of(r))
    return render(request, "supervision/progress_form.html", {"form": form, "r": r, "reports": reports_},
                  status=400 if request.method == "POST" else 200)
