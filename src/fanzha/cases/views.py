from __future__ import annotations


from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.urls import reverse

from fanzha.core.versioning import PageSave, save_from_form
from fanzha.cases import selectors, services
from fanzha.cases.classifier import classify
from fanzha.cases.forms import CaseForm, TargetForm
from fanzha.cases.models import DateBasis
from fanzha.cases.fraud_types import FraudType
from fanzha.cases.periods import GRANULARITIES, Period
from fanzha.core.access import allowed, area_view, can_open, require
from fanzha.core.audit import audit
from fanzha.core.models import AuditAction
from fanzha.core.scoping import crumbs_in_scope, get_scoped_or_404, node_param, scoped
from fanzha.org import selectors as org_selectors
from fanzha.org.models import Level, Node, Resident, Unit


def _period_param(request, default_kind: str = "year") -> Period:
    raw = request.GET.get("period") or ""
    if raw:
        try:
            return Period.parse(raw)
        except ValueError:
            messages.error(request, _("期间格式不正确，已显示本年度"))
    return Period.containing(timezone.localdate(), default_kind)


@area_view("cases")
@require_GET
def case_list(request):
    node = node_param(request)
    period = None
    if request.GET.get("period"):
        period = _period_param(request)
    fraud_type = request.GET.get("type", "")
    qs = selectors.case_list(request.user, node=node, fraud_type=fraud_type if fraud_type in FraudType.values else "",
                             period=period, major=request.GET.get("major") == "1",
                             staff=request.GET.get("staff") == "1", q=request.GET.get("q", "").strip()[:50])
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "cases/case_list.html", {
        "page": page, "node": node, "period": period, "types": FraudType.choices, "type": fraud_type,
        "can_manage": allowed(request.user, "cases.manage_cases"),
        "can_targets": can_open(request.user, "cases.targets"),
    })


def _case_from_form(request, form: CaseForm) -> dict:
    d = form.cleaned_data
    user = request.user
    victim = community = unit = None
    if d.get("victim"):
        victim = get_scoped_or_404(Resident.objects.all(), user, pk=d["victim"])
    elif d.get("community"):
        community = get_scoped_or_404(Node.objects.filter(level__in=[Level.COMMUNITY, Level.GRID]), user, pk=d["community"])
    if d.get("unit"):
        unit = get_scoped_or_404(Unit.objects.all(), user, pk=d["unit"])
    return dict(
        number=d["number"], reported_on=d["reported_on"], loss_on=d["loss_on"], loss=d["loss"],
        stopped=d.get("stopped") or 0, fraud_type=d["fraud_type"], channel=d["channel"], narrative=d["narrative"],
        victim=victim, community=community, victim_name=d["victim_name"], victim_age=d["victim_age"],
        victim_gender=d["victim_gender"], victim_occupation=d["victim_occupation"],
        victim_student=d["victim_student"], victim_floating=d["victim_floating"],
        staff_link=d["staff_link"], unit=unit, outcome=d.get("outcome") or "completed",
    )


def _form_context(request, form, case=None):
    communities = scoped(Node.objects.filter(level=Level.COMMUNITY), request.user).order_by("sort", "code")
    units = scoped(Unit.objects.all(), request.user).order_by("name")[:500]
    victim = None
    vid = form["victim"].value()
    if vid:
        try:
            victim = scoped(Resident.objects.select_related("community", "grid"), request.user).filter(pk=int(vid)).first()
        except (TypeError, ValueError):
            victim = None
    suggestion = classify(form["narrative"].value() or "") if form["narrative"].value() else None
    victim_q = (request.POST.get("victim_q") or "").strip()[:50] if request.method == "POST" else ""
    victim_results = (list(org_selectors.resident_search(request.user, q=victim_q)[:10])
                      if victim_q and victim is None else [])
    return {"form": form, "case": case, "communities": communities, "units": units, "victim": victim,
            "suggestion": suggestion, "victim_q": victim_q, "victim_results": victim_results,
            "victim_fields": [form[n] for n in VICTIM_FIELDS], "case_fields": [form[n] for n in CASE_FIELDS]}


# The fields drawn by name in the form's two cards (never by substring: "victim" is in "victim_name").
VICTIM_FIELDS = ("victim_name", "victim_age", "victim_gender", "victim_occupation")
CASE_FIELDS = ("number", "reported_on", "loss_on", "outcome", "loss", "stopped", "channel")


def _bound_form(request, initial: dict) -> CaseForm:
    """The posted form; for a "查找" (JS-off search) the typed values come back unvalidated, without errors."""
    if request.method == "POST" and request.POST.get("_find"):
        return CaseForm(initial={**initial, **{k: v for k, v in request.POST.items() if k in CaseForm.base_fields}})
    return CaseForm(request.POST or None, initial=initial)


def _saving(request) -> bool:
    """A POST that saves: not the "查找" button of the victim search (its JS-off fallback)."""
    return request.method == "POST" and not request.POST.get("_find")


def _apply_errors(form, e: ValidationError) -> None:
    for field, msgs in e.message_dict.items():
        form.add_error(field if field in form.fields else None, msgs)


@area_view("cases")
@require_http_methods(["GET", "POST"])
def case_new(request):
    require(request.user, "cases.manage_cases")
    initial = {"reported_on": timezone.localdate(), "loss_on": timezone.localdate(), "channel": "phone"}
    if request.GET.get("victim"):
        initial["victim"] = request.GET["victim"]
    form = _bound_form(request, initial)
    if _saving(request) and form.is_valid():
        try:
            kwargs = _case_from_form(request, form)
            s = classify(kwargs["narrative"]) if kwargs["narrative"] else None
            case = services.case_register(user=request.user, suggested_type=s.type if s else "",
                                          suggested_confidence=s.confidence if s else None, **kwargs)
        except ValidationError as e:
            _apply_errors(form, e)
        else:
            messages.success(request, _("案件已登记"))
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/case_form.html", _form_context(request, form))


@area_view("cases")
@require_http_methods(["GET", "POST"])
def case_edit(request, pk: int):
    case = selectors.case_get(request.user, pk)
    require(request.user, "cases.manage_cases")
    initial = {
        "number": case.number, "reported_on": case.reported_on, "loss_on": case.loss_on, "victim": case.victim_id,
        "community": case.community_id, "victim_name": case.victim_name, "victim_age": case.victim_age,
        "victim_gender": case.victim_gender, "victim_occupation": case.victim_occupation,
        "victim_student": case.victim_student, "victim_floating": case.victim_floating,
        "staff_link": case.staff_link, "unit": case.unit_id, "loss": case.loss, "stopped": case.stopped,
        "channel": case.channel, "narrative": case.narrative, "fraud_type": case.fraud_type, "outcome": case.outcome,
        "version": case.version,
    }
    form = _bound_form(request, initial)
    outcome = PageSave()
    if _saving(request) and form.is_valid():
        outcome = save_from_form(
            form, lambda: services.case_update(user=request.user, case=case, version=form.cleaned_data.get("version"),
                                               **_case_from_form(request, form)),
            discard_url=reverse("cases:detail", args=[case.pk]), form_errors=lambda e: _apply_errors(form, e))
        if outcome.saved:
            messages.success(request, _("案件已保存"))
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/case_form.html", {**_form_context(request, form, case), "conflict": outcome.conflict},
                  status=outcome.status)


@area_view("cases")
@require_GET
def case_detail(request, pk: int):
    case = selectors.case_get(request.user, pk)
    changes = case.changes.select_related("user")[:100]
    suggestion = classify(case.narrative) if case.narrative else None
    return render(request, "cases/case_detail.html", {
        "case": case, "changes": changes, "suggestion": suggestion,
        "can_manage": allowed(request.user, "cases.manage_cases"),
    })


@area_view("cases")
@require_POST
def classify_fragment(request):
    """htmx: the suggested type and its evidence while the narrative is typed."""
    text = request.POST.get("narrative", "")[:20000]
    return render(request, "cases/_suggestion.html", {"suggestion": classify(text) if text.strip() else None})


@area_view("cases")
@require_GET
def victim_search(request):
    """htmx: residents in scope matching the query, to pick as the victim."""
    q = request.GET.get("victim_q", "").strip()
    results = list(org_selectors.resident_search(request.user, q=q)[:10]) if q else []
    return render(request, "cases/_victim_results.html", {"results": results, "q": q})


@area_view("cases.stats")
@require_GET
def stats(request):
    node = node_param(request)
    period = _period_param(request)
    granularity = request.GET.get("by", "month")
    if granularity not in GRANULARITIES:
        granularity = "month"
    basis = selectors.basis_of(request.GET.get("basis"))
    data = selectors.dashboard(request.user, node=node, period=period, granularity=granularity, basis=basis)
    ancestors = crumbs_in_scope(request.user, node)
    return render(request, "cases/stats.html", {
        "data": data, "node": node, "period": period, "granularity": granularity, "ancestors": ancestors,
        "granularities": [("month", _("月")), ("quarter", _("季度")), ("half", _("半年")), ("year", _("年"))],
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 6, -1)),
        "basis": basis, "bases": DateBasis.choices,
    })


@area_view("cases.stats")
@require_GET
def stats_export(request):
    require(request.user, "org.export_data")
    node = node_param(request)
    period = _period_param(request)
    granularity = request.GET.get("by", "month")
    if granularity not in GRANULARITIES:
        granularity = "month"
    data = selectors.dashboard(request.user, node=node, period=period, granularity=granularity,
                               basis=selectors.basis_of(request.GET.get("basis")))
    from fanzha.cases.exports import stats_workbook

    content = stats_workbook(data, node_name=node.name if node else _("全部"))
    audit(user=request.user, action=AuditAction.EXPORT, target=f"case-stats:{node.id if node else 'all'}:{period}", request=request)
    resp = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="case-stats-{period}.xlsx"'
    return resp


@area_view("cases.targets")
@require_http_methods(["GET", "POST"])
def targets(request):
    node = node_param(request)
    year = request.GET.get("year")
    try:
        year = int(year) if year else timezone.localdate().year
    except ValueError:
        year = timezone.localdate().year
    form = TargetForm(request.POST or None, initial={"node": node.id if node else None, "period": str(year),
                                                    "base_period": str(year - 1), "change_pct": -5})
    if request.method == "POST":
        require(request.user, "cases.manage_targets")
        if form.is_valid():
            d = form.cleaned_data
            target_node = get_scoped_or_404(Node.objects.all(), request.user, pk=d["node"])
            try:
                services.reduction_target_set(node=target_node, kind=d["kind"], period=d["period"],
                                              base_period=d["base_period"], change_pct=d["change_pct"], note=d["note"])
            except ValidationError as e:
                _apply_errors(form, e)
            else:
                messages.success(request, _("压降目标已保存"))
                return redirect(f"{request.path}?year={year}" + (f"&node={node.id}" if node else ""))
    basis = selectors.basis_of(request.GET.get("basis"))
    progress = [selectors.target_progress(t, user=request.user, basis=basis)
                for t in selectors.targets_for(request.user, year=year)]
    nodes = scoped(Node.objects.filter(level__in=[Level.COUNTY, Level.STREET, Level.COMMUNITY]), request.user).order_by("level", "sort", "code")
    return render(request, "cases/targets.html", {
        "progress": progress, "form": form, "year": year, "node": node, "nodes": nodes,
        "years": list(range(timezone.localdate().year + 1, 2020, -1)),
        "can_manage": allowed(request.user, "cases.manage_targets"),
        "basis": basis, "basis_label": selectors.basis_label(basis), "bases": DateBasis.choices,
    })
