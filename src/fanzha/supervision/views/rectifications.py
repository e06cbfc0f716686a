"""Rectification notices (整改通知) from issue to acceptance, their notice document, and criticism."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fanzha.core.access import area_view, require
from fanzha.core.audit import audit
from fanzha.core.flash import flash_outcome
from fanzha.supervision import forms as f
from fanzha.supervision import reports, services
from fanzha.supervision import selectors as sel
from fanzha.supervision.models import Finding, RectificationStatus
from fanzha.supervision.views._common import DOCX, _attempt, _download, _holder, _is_street_wide, _street


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
    flash_outcome(request, lambda: services.rectification_accept(user=request.user, rectification=r),
                  done=_("已验收，整改通知销号"))
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
