"""Analysis pages: where and to whom fraud happens (研判)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from fanzha.analysis import selectors
from fanzha.cases.models import DateBasis
from fanzha.cases.periods import Period
from fanzha.cases.selectors import basis_of
from fanzha.core.access import area_view, require
from fanzha.core.audit import audit
from fanzha.core.models import AuditAction
from fanzha.core.scoping import node_for, node_param


def period_param(request) -> Period:
    """The period of ?period= (2025, 2025H1, 2025Q3, 2025-07); a malformed or future one falls back to this year, saying so."""
    today = timezone.localdate()
    raw = request.GET.get("period") or ""
    if raw:
        try:
            p = Period.parse(raw)
        except ValueError:
            messages.error(request, _("期间格式不正确，已显示本年度"))
        else:
            if p.start > today:
                messages.error(request, _("期间尚未开始，已显示本年度"))
            else:
                return p
    return Period.containing(today, "year")


def _params(request):
    return node_param(request), period_param(request), basis_of(request.GET.get("basis"))


@area_view("analysis")
@require_GET
def home(request):
    node, period, basis = _params(request)
    data = selectors.where_report(request.user, node=node, period=period, basis=basis)
    return render(request, "analysis/home.html", {
        "data": data, "node": node, "period": period, "basis": basis, "bases": DateBasis.choices,
        "query": f"node={node.id if node else ''}&period={period}&basis={basis}",
        "can_task": True, "audiences": _audiences(), "friday": _next_friday(),
    })


def _audiences():
    from fanzha.analysis.models import Audience

    return Audience.choices


def _next_friday():
    import datetime as dt

    today = timezone.localdate()
    return today + dt.timedelta(days=(4 - today.weekday()) % 7 or 7)


@area_view("analysis")
@require_GET
def drill(request):
    node, period, basis = _params(request)
    dim, key = request.GET.get("dim", ""), request.GET.get("key", "")
    if dim not in selectors.DIMENSIONS:
        raise Http404
    qs = selectors.drill(request.user, node=node, period=period, basis=basis, dim=dim, key=key)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "analysis/drill.html", {
        "page": page, "node": node, "period": period, "basis": basis, "dim": dim, "key": key,
        "title": request.GET.get("label", "") or key,
        "query": f"node={node.id if node else ''}&period={period}&basis={basis}",
    })


@area_view("analysis")
@require_GET
def export(request):
    require(request.user, "org.export_data")
    node, period, basis = _params(request)
    data = selectors.where_report(request.user, node=node, period=period, basis=basis)
    from fanzha.analysis.exports import where_workbook

    content = where_workbook(data)
    audit(user=request.user, action=AuditAction.EXPORT, target=f"analysis:{node.id if node else 'all'}:{period}", request=request)
    resp = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="analysis-{period}.xlsx"'
    return resp


# --- briefings ------------------------------------------------------------------------------------------------------

from django.core.exceptions import ValidationError  # noqa: E402
from django.shortcuts import redirect  # noqa: E402
from django.views.decorators.http import require_http_methods, require_POST  # noqa: E402

from fanzha.analysis import services  # noqa: E402
from fanzha.analysis.briefing import briefing_document  # noqa: E402
from fanzha.analysis.models import Briefing  # noqa: E402
from fanzha.core.access import OFFICE, roles_of  # noqa: E402
from fanzha.core.scoping import get_scoped_or_404, scoped  # noqa: E402


def _is_office(user) -> bool:
    return OFFICE in roles_of(user) or user.is_superuser


def _require_office(user) -> None:
    require(user, _is_office, _("只有办公室可以生成、修改和发布简报"))


@area_view("analysis.briefings")
@require_http_methods(["GET", "POST"])
def briefings(request):
    node = node_param(request)
    error = ""
    if request.method == "POST":
        _require_office(request.user)
        if request.POST.get("node"):
            node = node_for(request.user, request.POST["node"])
        raw = request.POST.get("period", "")
        try:
            period = Period.parse(raw)
        except ValueError:
            error = _("期间格式不正确（例如 2025-07、2025Q3、2025）")
        else:
            if node is None:
                error = _("请选择范围")
            else:
                try:
                    b = services.briefing_generate(user=request.user, node=node, period=period)
                except ValidationError as e:
                    error = "；".join(e.messages)
                else:
                    return redirect("analysis:briefing", pk=b.pk)
    qs = scoped(Briefing.objects.select_related("node"), request.user)
    if node is not None:
        qs = qs.filter(node=node)
    last_month = (timezone.localdate().replace(day=1) - __import__("datetime").timedelta(days=1))
    return render(request, "analysis/briefings.html", {
        "briefings": qs[:100], "node": node, "error": error, "is_office": _is_office(request.user),
        "period_value": request.POST.get("period", "") or f"{last_month:%Y-%m}",
    }, status=422 if error else 200)


@area_view("analysis.briefings")
@require_http_methods(["GET", "POST"])
def briefing(request, pk: int):
    b = get_scoped_or_404(Briefing.objects.select_related("node"), request.user, pk=pk)
    error = ""
    if request.method == "POST":
        _require_office(request.user)
        try:
            if request.POST.get("action") == "publish":
                services.briefing_edit(briefing=b, text=request.POST.get("text", b.text),
                                       title=request.POST.get("title", b.title))
                services.briefing_publish(briefing=b, user=request.user)
                audit(user=request.user, action=AuditAction.CHANGE, target=f"briefing:{b.pk}", detail="publish",
                      request=request)
            else:
                services.briefing_edit(briefing=b, text=request.POST.get("text", ""), title=request.POST.get("title", ""))
            messages.success(request, _("已保存"))
            return redirect("analysis:briefing", pk=b.pk)
        except ValidationError as e:
            error = "；".join(e.messages)
            b.text = request.POST.get("text", b.text)
            b.title = request.POST.get("title", b.title)
    return render(request, "analysis/briefing.html", {
        "b": b, "n": b.numbers, "error": error, "is_office": _is_office(request.user),
        "paragraphs": [p for p in b.text.splitlines() if p.strip()],
    }, status=422 if error else 200)


@area_view("analysis.briefings")
@require_GET
def briefing_docx(request, pk: int):
    b = get_scoped_or_404(Briefing.objects.select_related("node"), request.user, pk=pk)
    audit(user=request.user, action=AuditAction.EXPORT, target=f"briefing:{b.pk}", request=request)
    resp = HttpResponse(briefing_document(b),
                        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    resp["Content-Disposition"] = f'attachment; filename="briefing-{b.period}-{b.pk}.docx"'
    return resp


# --- targeted tasks from a hot spot ---------------------------------------------------------------------------------

from fanzha.analysis.models import Audience, TargetedTask  # noqa: E402
from fanzha.core.access import can_open  # noqa: E402


@area_view("analysis")
@require_POST
def task_new(request):
    from django.utils.dateparse import parse_date

    try:
        due = parse_date(request.POST.get("due_on", "") or "")
    except ValueError:
        due = None
    try:
        made = services.targeted_task_create(user=request.user, kind=request.POST.get("kind", ""),
                                             key=request.POST.get("key", ""), audience=request.POST.get("audience", ""),
                                             due_on=due)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
        return redirect(request.POST.get("back") if (request.POST.get("back") or "").startswith("/analysis/") else "analysis:home")
    messages.success(request, _("已下发 %(n)d 个网格任务") % {"n": len(made)})
    return redirect("analysis:task", pk=made[0].pk) if len(made) == 1 else redirect("analysis:tasks")


@area_view("analysis.tasks")
@require_GET
def tasks(request):
    qs = scoped(TargetedTask.objects.select_related("grid"), request.user)[:200]
    return render(request, "analysis/tasks.html", {"rows": selectors.task_progress(request.user, qs),
                                                   "today": timezone.localdate()})


@area_view("analysis.tasks")
@require_GET
def task(request, pk: int):
    from fanzha.org.models import Household

    t = get_scoped_or_404(TargetedTask.objects.select_related("grid"), request.user, pk=pk)
    row = selectors.task_progress(request.user, [t])[0]
    households = list(Household.objects.filter(id__in=t.household_ids).order_by("address"))
    return render(request, "analysis/task.html", {
        "row": row, "t": t, "households": households, "today": timezone.localdate(),
        "targeted_url": reverse("outreach:targeted", args=[t.grid_id]) if can_open(request.user, "outreach.visits") else "",
    })
