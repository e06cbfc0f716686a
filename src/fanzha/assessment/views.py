"""Pages of the fraud-free assessment: runs, the list, each subject's evidence, and a subject's own standing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fanzha.assessment import exports, selectors, services
from fanzha.assessment.forms import AttestForm, OpenForm, OverrideForm
from fanzha.assessment.models import Status
from fanzha.core.access import STREET_WIDE, area_view, require
from fanzha.core.audit import audit
from fanzha.core.documents import DOCX_TYPE
from fanzha.core.scoping import scope_of


def _errors(e: ValidationError) -> list[str]:
    return list(e.messages)


def _office_only(request):
    require(request.user, selectors.is_office)


@area_view("assessment")
@require_http_methods(["GET", "POST"])
def home(request):
    """Street-wide roles: the runs (office opens one). Community / liaison: their own standing."""
    user = request.user
    if not (user.is_superuser or scope_of(user).roles & STREET_WIDE):
        return render(request, "assessment/standing.html", {"standing": selectors.my_standing(user)})
    form = OpenForm(request.POST or None)
    errors = []
    if request.method == "POST":
        _office_only(request)
        street = selectors.street_of(user)
        if street is None:
            errors = [_("考核按街道进行：您的账号不属于某个街道")]
        elif form.is_valid():
            try:
                run = services.assessment_open(street=street, period=form.cleaned_data["period"], user=user)
            except ValidationError as e:
                errors = _errors(e)
            else:
                return redirect("assessment:run", pk=run.pk)
    return render(request, "assessment/home.html", {"runs": selectors.runs_for(user), "form": form, "errors": errors,
                                                    "is_office": selectors.is_office(user)})


@area_view("assessment")
def run_detail(request, pk):
    run = selectors.run_get(request.user, pk)
    kind = request.GET.get("kind", "")
    data = selectors.list_report(run)
    rows = [r for r in data["rows"] if not kind or r["kind"] == kind]
    missing = services.missing_attestations(run) if run.status == Status.DRAFT else []
    return render(request, "assessment/run.html", {"run": run, "data": data, "rows": rows, "kind": kind,
                                                   "missing": missing, "is_office": selectors.is_office(request.user)})


@area_view("assessment")
@require_POST
def run_action(request, pk, action):
    _office_only(request)
    run = selectors.run_get(request.user, pk)
    try:
        if action == "refresh":
            services.assessment_refresh(run=run, user=request.user)
            messages.success(request, _("已按最新台账重新计算"))
        elif action == "publish":
            services.assessment_publish(run=run, user=request.user)
            messages.success(request, _("已公布，结论已固定"))
        elif action == "reassess":
            run = services.assessment_reassess(run=run, user=request.user)
            messages.success(request, _("已新建一轮考核，原公布结果保留"))
        else:
            raise PermissionDenied
    except ValidationError as e:
        for m in _errors(e):
            messages.error(request, m)
    return redirect("assessment:run", pk=run.pk)


@area_view("assessment")
def run_export(request, pk, fmt):
    run = selectors.run_get(request.user, pk)
    data = selectors.list_report(run)
    name = f"assessment-{run.street.code}-{run.period}"
    if fmt not in ("docx", "xlsx"):
        raise Http404
    if fmt == "docx":
        body, ctype = exports.list_docx(data), DOCX_TYPE
    else:
        body, ctype = exports.list_xlsx(data), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    audit(user=request.user, action="export", target=f"assessment:{run.pk}", detail=f"{fmt} {run.period}", request=request)
    resp = HttpResponse(body, content_type=ctype)
    resp["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return resp


@area_view("assessment")
@require_http_methods(["GET", "POST"])
def verdict_detail(request, pk):
    """One community's or unit's criteria with the evidence behind each; the office attests and overrides here."""
    verdict = selectors.verdict_get(request.user, pk)
    office = selectors.is_office(request.user)
    attest_form, override_form, errors = AttestForm(), OverrideForm(initial={"outcome": verdict.override,
                                                                             "reason": verdict.override_reason}), []
    if request.method == "POST":
        _office_only(request)
        what = request.POST.get("what")
        try:
            if what == "attest":
                attest_form = AttestForm(request.POST)
                if attest_form.is_valid():
                    services.criterion_attest(verdict=verdict, key=attest_form.cleaned_data["key"],
                                              ok=attest_form.cleaned_data["ok"], note=attest_form.cleaned_data["note"],
                                              user=request.user)
                    messages.success(request, _("已认定"))
                    return redirect("assessment:verdict", pk=verdict.pk)
            elif what == "override":
                override_form = OverrideForm(request.POST)
                if override_form.is_valid():
                    services.verdict_override(verdict=verdict, outcome=override_form.cleaned_data["outcome"],
                                              reason=override_form.cleaned_data["reason"], user=request.user)
                    messages.success(request, _("已保存复核结论"))
                    return redirect("assessment:verdict", pk=verdict.pk)
        except ValidationError as e:
            errors = _errors(e)
    criteria = selectors.live_criteria(verdict) if not office else verdict.criteria
    return render(request, "assessment/verdict.html", {
        "v": verdict, "run": verdict.assessment, "criteria": criteria, "is_office": office,
        "editable": office and verdict.assessment.status == Status.DRAFT, "attest_form": attest_form,
        "override_form": override_form, "errors": errors, "what": request.POST.get("what", ""),
        "posted_key": request.POST.get("key", ""), "back": reverse("assessment:run", args=[verdict.assessment_id])})
