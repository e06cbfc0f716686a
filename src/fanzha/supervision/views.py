"""Supervision pages: thin views over the services and selectors.

Street-wide roles (office, leader, officer) see the street's plans, meetings,
visits and the overdue list; only the office writes. A department, a unit
liaison or community staff see and answer their own measures and
rectifications; another unit's answers 404.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fanzha.core import access
from fanzha.core.access import area_view, require
from fanzha.core.audit import audit
from fanzha.core.scoping import scope_of
from fanzha.org.models import Role, User
from fanzha.outreach import evidence as ev
from fanzha.supervision import forms as f
from fanzha.supervision import reports, services
from fanzha.supervision import selectors as sel
from fanzha.supervision.models import Decision, Finding, RectificationStatus

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _street(request):
    street = sel.street_of(request.user)
    if street is None:
        raise Http404("no street")
    return street


def _is_street_wide(user) -> bool:
    return user.is_superuser or bool(scope_of(user).roles & access.STREET_WIDE)


def _holder(street, key: str) -> services.Holder:
    return services.holders_from_keys(street, [key])[0]


def _attempt(form, work):
    """Run a service call; its ValidationError lands on the form. Returns the result or None."""
    try:
        return work()
    except ValidationError as e:
        form.apply_errors(e)
        return None


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return resp


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


# --- home -----------------------------------------------------------------------------------


@area_view("supervision")
@require_safe
def home(request):
    user = request.user
    today = timezone.localdate()
    if _is_street_wide(user):
        limit = sel.OVERDUE_LIMIT if request.GET.get("all") else sel.HOME_LIMIT
        items, total = sel.overdue_items(user, today=today, limit=limit)
        street = sel.street_of(user)
        ctx = {"items": items, "total": total, "today": today,
               # communities without a group show on the home page once the office has set its deadline
               "missing": sel.missing_groups(street, today=today) if street and sel.group_deadline(street) else None,
               "awaiting": sel.rectifications_for(user, status=RectificationStatus.SUBMITTED).count(),
               "open_rects": sel.rectifications_for(user).exclude(status=RectificationStatus.ACCEPTED).count(),
               "points": [sel.point_figures(p, today=today) for p in sel.contact_points_of(user)],
               "is_office": sel.is_office(user)}
        return render(request, "supervision/home.html", ctx)
    mine = list(sel.my_responsibilities(user))
    rects = list(sel.rectifications_for(user).exclude(status=RectificationStatus.ACCEPTED).order_by("deadline"))
    return render(request, "supervision/mine.html", {"mine": mine, "rects": rects, "today": today})


# --- plans and measures -------------------------------------------------------------------------


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


# --- meetings and tasks ----------------------------------------------------------------------------


@area_view("supervision.meetings")
@require_safe
def meetings(request):
    return render(request, "supervision/meetings.html", {"meetings": sel.meetings_for(request.user)[:200],
                                                         "is_office": sel.is_office(request.user)})


@area_view("supervision.manage")
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    street = _street(request)
    if request.method == "GET":
        form = f.MeetingForm(initial={"held_on": timezone.localdate()})
    else:
        form = f.MeetingForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            m = _attempt(form, lambda: services.meeting_record(
                user=request.user, street=street, held_on=d["held_on"], kind=d["kind"], title=d["title"], chair=d["chair"],
                attendees=d["attendees"], place=d["place"], decisions=d["decisions"].splitlines()))
            if m:
                return redirect("supervision:meeting_detail", pk=m.pk)
    return render(request, "supervision/meeting_form.html", {"form": form}, status=400 if request.method == "POST" else 200)


@area_view("supervision.meetings")
@require_safe
def meeting_detail(request, pk: int):
    m = sel.meeting_get(request.user, pk)
    decisions = list(m.decisions.select_related("task"))
    street = sel.street_of(request.user)
    task_form = f.TaskForm(holders=sel.holder_choices(street), initial={"deadline": f.default_deadline(m.held_on)}) if street else None
    return render(request, "supervision/meeting_detail.html", {"m": m, "decisions": decisions, "task_form": task_form,
                                                               "is_office": sel.is_office(request.user)})


@area_view("supervision.manage")
@require_POST
def decision_task(request, pk: int):
    decision = Decision.objects.select_related("meeting").filter(pk=pk).first()
    if decision is None:
        raise Http404
    sel.meeting_get(request.user, decision.meeting_id)  # 404 outside the scope
    street = _street(request)
    form = f.TaskForm(request.POST, holders=sel.holder_choices(street))
    if form.is_valid():
        task = _attempt(form, lambda: services.decision_to_task(user=request.user, decision=decision,
                                                                holders=[_holder(street, form.cleaned_data["holder"])],
                                                                deadline=form.cleaned_data["deadline"]))
        if task:
            messages.success(request, _("已转为交办任务"))
            return redirect("supervision:meeting_detail", pk=decision.meeting_id)
    for m in [*form.non_field_errors(), *[e for errs in form.errors.values() for e in errs]]:
        messages.error(request, m)
    return redirect("supervision:meeting_detail", pk=decision.meeting_id)


@area_view("supervision.meetings")
@require_safe
def tasks(request):
    today = timezone.localdate()
    return render(request, "supervision/tasks.html", {"tasks": sel.tasks_for(request.user)[:300], "today": today})


# --- visits and findings ------------------------------------------------------------------------------


@area_view("supervision.visits")
@require_safe
def visits(request):
    return render(request, "supervision/visits.html", {"visits": sel.visits_for(request.user)[:200],
                                                       "is_office": sel.is_office(request.user)})


@area_view("supervision.manage")
@require_http_methods(["GET", "POST"])
def visit_new(request):
    street = _street(request)
    items = services.checklist_for(street)
    holders = sel.holder_choices(street)
    checks_in = [(i.text, request.POST.get(f"check_{k}", "ok"), request.POST.get(f"note_{k}", "")) for k, i in enumerate(items)]
    if request.method == "GET":
        form = f.VisitForm(holders=holders, initial={"visited_on": timezone.localdate()})
    else:
        form = f.VisitForm(request.POST, request.FILES, holders=holders)
        if form.is_valid():
            d = form.cleaned_data
            v = _attempt(form, lambda: services.visit_record(
                user=request.user, street=street, holder=_holder(street, d["holder"]), visited_on=d["visited_on"],
                visitors=d["visitors"], summary=d["summary"], checks=checks_in,
                findings=[(d["finding"], request.FILES.getlist("files"))]))
            if v:
                messages.success(request, _("督导检查已登记"))
                return redirect("supervision:visit_detail", pk=v.pk)
    rows = [{"k": k, "text": t, "result": r, "note": n} for k, (t, r, n) in enumerate(checks_in)]
    return render(request, "supervision/visit_form.html", {"form": form, "checks": rows},
                  status=400 if request.method == "POST" else 200)


@area_view("supervision.visits")
@require_safe
def visit_detail(request, pk: int):
    v = sel.visit_get(request.user, pk)
    data = reports.visit_report_data(v)
    findings = list(v.findings.prefetch_related("photos", "rectifications"))
    return render(request, "supervision/visit_detail.html", {
        "v": v, "data": data, "findings": findings, "is_office": sel.is_office(request.user),
        "finding_form": f.FindingForm(),
        "default_deadline": f.default_deadline(timezone.localdate())})


@area_view("supervision.manage")
@require_POST
def finding_new(request, pk: int):
    v = sel.visit_get(request.user, pk)
    form = f.FindingForm(request.POST, request.FILES)
    if form.is_valid():
        ok = _attempt(form, lambda: services.finding_add(user=request.user, visit=v, text=form.cleaned_data["text"],
                                                         files=request.FILES.getlist("files")))
        if ok:
            return redirect("supervision:visit_detail", pk=v.pk)
    for m in [*form.non_field_errors(), *[e for errs in form.errors.values() for e in errs]]:
        messages.error(request, m)
    return redirect("supervision:visit_detail", pk=v.pk)


@area_view("supervision.visits")
@require_safe
def visit_report(request, pk: int):
    v = sel.visit_get(request.user, pk)
    data = reports.visit_report_data(v)
    audit(user=request.user, action="export", target=f"supervision.visit:{v.pk}", detail="docx", request=request)
    return _download(reports.visit_report_docx(data), f"{_('督导检查情况报告')}-{data['target']}-{v.visited_on}.docx", DOCX)


# --- rectifications -----------------------------------------------------------------------------------


@area_view("supervision.rectifications")
@require_safe
def rectifications(request):
    status = request.GET.get("status", "")
    if status not in RectificationStatus.values:
        status = ""
    qs = sel.rectifications_for(request.user, status=status).order_by("status", "deadline", "id")[:300]
    return render(request, "supervision/rectifications.html", {
        "rects": qs, "status": status, "statuses": RectificationStatus.choices, "today": timezone.localdate(),
        "is_office": sel.is_office(request.user)})


@area_view("supervision.manage")
@require_http_methods(["GET", "POST"])
def rectification_new(request):
    street = _street(request)
    holders = sel.holder_choices(street)
    finding = None
    fid = request.GET.get("finding") or request.POST.get("finding")
    if fid and str(fid).isdigit():
        finding = Finding.objects.select_related("visit").filter(pk=fid).first()
        if finding is None:
            raise Http404
        sel.visit_get(request.user, finding.visit_id)
    if request.method == "GET":
        initial = {"issued_on": timezone.localdate(), "deadline": f.default_deadline(timezone.localdate())}
        if finding:
            v = finding.visit
            initial.update(problem=finding.text, holder=services.holder_of(v).key)
        form = f.RectificationForm(holders=holders, initial=initial)
    else:
        form = f.RectificationForm(request.POST, holders=holders)
        if form.is_valid():
            d = form.cleaned_data
            r = _attempt(form, lambda: services.rectification_issue(
                user=request.user, holder=_holder(street, d["holder"]), problem=d["problem"], requirement=d["requirement"],
                deadline=d["deadline"], issued_on=d["issued_on"], finding=finding))
            if r:
                messages.success(request, _("整改通知已下发：%(n)s") % {"n": r.number})
                return redirect("supervision:rectification_detail", pk=r.pk)
    return render(request, "supervision/rectification_form.html", {"form": form, "finding": finding},
                  status=400 if request.method == "POST" else 200)


def _rect_page(request, r, *, fix_form=None, return_form=None, status=200):
    user = request.user
    today = timezone.localdate()
    return render(request, "supervision/rectification_detail.html", {
        "r": r, "photos": list(r.photos.all()), "today": today,
        "days": sel.days_overdue(r.deadline, today), "late": r.status != RectificationStatus.ACCEPTED and r.deadline < today,
        "can_fix": r.status != RectificationStatus.ACCEPTED and sel.acts_on(user, r) and not sel.is_office(user),
        "can_accept": sel.is_office(user) and r.status == RectificationStatus.SUBMITTED,
        "fix_form": fix_form or f.FixForm(initial={"fix_note": r.fix_note}),
        "return_form": return_form or f.ReturnForm(), "is_office": sel.is_office(user),
        "street_wide": _is_street_wide(user)}, status=status)


@area_view("supervision.rectifications")
@require_safe
def rectification_detail(request, pk: int):
    return _rect_page(request, sel.rectification_get(request.user, pk))


@area_view("supervision.rectifications")
@require_POST
def rectification_fix(request, pk: int):
    """The unit reports its fix with photos (from a phone). Another unit's notice answers 404."""
    r = sel.rectification_get(request.user, pk)
    if not sel.acts_on(request.user, r):
        raise Http404
    form = f.FixForm(request.POST, request.FILES)
    if form.is_valid():
        done = _attempt(form, lambda: services.rectification_submit(user=request.user, rectification=r,
                                                                    fix_note=form.cleaned_data["fix_note"],
                                                                    files=request.FILES.getlist("files")))
        if done:
            messages.success(request, _("整改情况已报送，等待验收"))
            return redirect("supervision:rectification_detail", pk=r.pk)
    return _rect_page(request, r, fix_form=form, status=400)


@area_view("supervision.manage")
@require_POST
def rectification_accept(request, pk: int):
    r = sel.rectification_get(request.user, pk)
    try:
        services.rectification_accept(user=request.user, rectification=r)
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("已验收，整改通知销号"))
    return redirect("supervision:rectification_detail", pk=r.pk)


@area_view("supervision.manage")
@require_POST
def rectification_return(request, pk: int):
    r = sel.rectification_get(request.user, pk)
    form = f.ReturnForm(request.POST)
    if form.is_valid():
        ok = _attempt(form, lambda: services.rectification_return(user=request.user, rectification=r,
                                                                  note=form.cleaned_data["return_note"]))
        if ok:
            messages.success(request, _("已退回重新整改"))
            return redirect("supervision:rectification_detail", pk=r.pk)
    return _rect_page(request, r, return_form=form, status=400)


@area_view("supervision.rectifications")
@require_safe
def rectification_notice(request, pk: int):
    r = sel.rectification_get(request.user, pk)
    data = reports.rectification_data(r)
    audit(user=request.user, action="export", target=f"supervision.rectification:{r.pk}", detail="docx", request=request)
    return _download(reports.rectification_docx(data), f"{_('整改通知书')}-{data['to']}-{r.number}.docx", DOCX)


# --- photos -----------------------------------------------------------------------------------------------


def _serve(rel: str, content_type: str, name: str = "") -> FileResponse:
    try:
        fh = open(ev.path_of(rel), "rb")
    except (OSError, ValueError):
        raise Http404 from None
    resp = FileResponse(fh, content_type=content_type, filename=name or None)
    resp["Cache-Control"] = "private, max-age=3600"
    resp["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; media-src 'self'; sandbox"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


def _photo_for(request, pk: int):
    ph = sel.photo_get(request.user, pk) if _is_street_wide(request.user) else None
    if ph is None:
        from fanzha.supervision.models import Photo

        ph = Photo.objects.filter(pk=pk).first()
        if ph is None or not sel.acts_on(request.user, ph):
            raise Http404
    return ph


@area_view("supervision")
@require_safe
def photo(request, pk: int):
    ph = _photo_for(request, pk)
    return _serve(ph.file, ph.content_type, ph.original_name)


@area_view("supervision")
@require_safe
def photo_thumb(request, pk: int):
    ph = _photo_for(request, pk)
    if not ph.thumb:
        raise Http404
    return _serve(ph.thumb, "image/jpeg")


# --- criticism ---------------------------------------------------------------------------------------------


@area_view("supervision.criticisms")
@require_http_methods(["GET", "POST"])
def criticisms(request):
    user = request.user
    street = sel.street_of(user)
    holders = sel.holder_choices(street) if street else []
    form = f.CriticismForm(holders=holders, initial={"issued_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        require(user, sel.is_office)
        form = f.CriticismForm(request.POST, holders=holders)
        if form.is_valid():
            d = form.cleaned_data
            c = _attempt(form, lambda: services.criticism_record(user=user, holder=_holder(street, d["holder"]), kind=d["kind"],
                                                                 issuer=d["issuer"], issued_on=d["issued_on"], reason=d["reason"]))
            if c:
                messages.success(request, _("已记录"))
                return redirect("supervision:criticisms")
        status = 400
    return render(request, "supervision/criticisms.html", {"rows": sel.criticisms_for(user)[:300], "form": form,
                                                           "is_office": sel.is_office(user)}, status=status)


# --- leading groups, contact points, settings -----------------------------------------------------------------


@area_view("supervision.groups")
@require_safe
def groups(request):
    street = _street(request)
    return render(request, "supervision/groups.html", {
        "groups": sel.groups_of(street), "missing": sel.missing_groups(street), "is_office": sel.is_office(request.user)})


@area_view("supervision.manage")
@require_http_methods(["GET", "POST"])
def group_edit(request, pk: int | None = None):
    from fanzha.core.scoping import get_scoped_or_404
    from fanzha.supervision.models import LeadingGroup

    street = _street(request)
    group = get_scoped_or_404(LeadingGroup.objects.all(), request.user, pk=pk) if pk else None
    holders = sel.holder_choices(street)
    if request.method == "GET":
        initial = {}
        if group:
            initial = {"kind": group.kind, "name": group.name, "established_on": group.established_on,
                       "first_responsible": group.first_responsible, "office_at": group.office_at,
                       "holder": (f"u{group.unit_id}" if group.unit_id else (f"c{group.node_id}" if group.kind == "community" else "")),
                       "members": "\n".join(f"{m.name}，{m.get_post_display()}，{m.position}" for m in group.members.all())}
        form = f.GroupForm(holders=holders, initial=initial)
    else:
        form = f.GroupForm(request.POST, holders=holders)
        if form.is_valid():
            d = form.cleaned_data
            node, unit = street, None
            if d["holder"]:
                h = _holder(street, d["holder"])
                unit, node = h.unit, (h.community or street)
            g = _attempt(form, lambda: services.group_save(
                user=request.user, kind=d["kind"], node=node, unit=unit, name=d["name"], established_on=d["established_on"],
                first_responsible=d["first_responsible"], office_at=d["office_at"], members=d["members"], group=group))
            if g:
                return redirect("supervision:groups")
    return render(request, "supervision/group_form.html", {"form": form, "group": group},
                  status=400 if request.method == "POST" else 200)


@area_view("supervision.points")
@require_http_methods(["GET", "POST"])
def points(request):
    from fanzha.supervision.models import ContactPoint

    user = request.user
    street = _street(request)
    leaders = [(str(u.pk), f"{u}（{label}）") for u, label in _leaders(street)]
    form = f.PointForm(holders=sel.holder_choices(street), leaders=leaders)
    status = 200
    if request.method == "POST":
        require(user, sel.is_office)
        if request.POST.get("delete"):
            p = ContactPoint.objects.filter(pk=request.POST["delete"], street=street).first()
            if p is None:
                raise Http404
            services.contact_point_delete(user=user, point=p)
            return redirect("supervision:points")
        form = f.PointForm(request.POST, holders=sel.holder_choices(street), leaders=leaders)
        if form.is_valid():
            d = form.cleaned_data
            leader = User.objects.get(pk=d["leader"])
            p = _attempt(form, lambda: services.contact_point_add(user=user, leader=leader, holder=_holder(street, d["holder"]),
                                                                  kind=d["kind"], since=d["since"]))
            if p:
                return redirect("supervision:points")
        status = 400
    rows = (ContactPoint.objects.filter(street=street).select_related("leader", "community", "unit")
            .order_by("leader__username", "id"))
    return render(request, "supervision/points.html", {"rows": rows, "form": form, "is_office": sel.is_office(user),
                                                       "panel": sel.leader_panel(user)}, status=status)


def _leaders(street):
    from fanzha.org.models import Assignment

    labels = dict(Role.choices)
    rows = (Assignment.objects.filter(node=street, role__in=[Role.LEADER, Role.OFFICER], user__is_active=True)
            .select_related("user").order_by("role", "user__username"))
    return [(a.user, labels[a.role]) for a in rows]


@area_view("supervision.settings")
@require_http_methods(["GET", "POST"])
def settings_page(request):
    street = _street(request)
    items = services.checklist_for(street)
    if request.method == "GET":
        form = f.SettingsForm(initial={"group_deadline": sel.group_deadline(street),
                                       "checklist": "\n".join(i.text for i in items)})
    else:
        form = f.SettingsForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            ok = _attempt(form, lambda: (services.setting_set(user=request.user, street=street, group_deadline=d["group_deadline"]),
                                         services.checklist_set(user=request.user, street=street, texts=d["checklist"].splitlines())))
            if ok:
                messages.success(request, _("已保存"))
                return redirect("supervision:settings")
    return render(request, "supervision/settings.html", {"form": form}, status=400 if request.method == "POST" else 200)

