"""Supervision visits (督导检查), their findings and the visit report."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fanzha.core.access import area_view
from fanzha.core.audit import audit
from fanzha.supervision import forms as f
from fanzha.supervision import reports, services
from fanzha.supervision import selectors as sel
from fanzha.supervision.views._common import DOCX, _attempt, _download, _holder, _street


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
