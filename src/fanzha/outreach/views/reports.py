"""Semimonthly and monthly reports (preview, make, download) and the outreach settings."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from fanzha.core.access import area_view
from fanzha.core.audit import audit
from fanzha.core.models import AuditAction
from fanzha.core.scoping import default_node, get_scoped_or_404, node_param, scoped
from fanzha.org import selectors as org_selectors
from fanzha.org.models import Level, Node, Unit
from fanzha.outreach import evidence as ev
from fanzha.outreach import reports, services
from fanzha.outreach import selectors as sel
from fanzha.outreach.forms import SettingForm
from fanzha.outreach.models import OutreachSetting, PeriodicReport, ReportKind, ReportStatus
from fanzha.outreach.periods import (
    ReportPeriod,
    last_semimonthly_day,
    last_unit_monthly_day,
    semimonthly,
    unit_monthly,
)
from fanzha.outreach.views._common import _int, _serve, require_form_methods
from fanzha.outreach.views.targets import _target_node_choices


# --- reports --------------------------------------------------------------------------------


@area_view("outreach.reports")
@require_safe
def reports_page(request):
    user = request.user
    today = timezone.localdate()
    nodes = _target_node_choices(user) if sel.scope_has_tree(user) else []
    units = [(str(u.id), u.name) for u in scoped(Unit.objects.all(), user).order_by("name")[:300]]
    stored = Paginator(sel.reports_for(user), 30).get_page(request.GET.get("page"))
    default = default_node(user, first=True)
    return render(request, "outreach/reports.html", {
        "nodes": nodes, "units": units, "stored": stored, "default_node": str(default.id) if default else "",
        "semimonthly_day": last_semimonthly_day(today), "unit_day": last_unit_monthly_day(today),
        "kinds": ReportKind.choices, "pdf_available": _pdf_available(),
    })


def _pdf_available() -> bool:
    """PDF downloads are offered where the server has LibreOffice (fanzha.core.pdf)."""
    from fanzha.core import pdf

    return pdf.available()


def _report_data(request) -> dict:
    kind = request.GET.get("kind", "semimonthly")
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = None
    if day is None:
        raise ValidationError(_("请填写报送日期（YYYY-MM-DD）"))
    today = timezone.localdate()
    period = None
    if day > today:  # a preview of a report not due yet: its period so far, said on the report
        period = semimonthly(day) if kind == "semimonthly" else unit_monthly(day)
        if period.start > today:
            raise ValidationError(_("报送日期%(d)s的统计时段自%(s)s开始，尚未开始，无法预览") % {
                "d": day.isoformat(), "s": period.start.isoformat()})
        period = ReportPeriod(period.start, today)
    data = _report_for(request, kind, day, period)
    if period is not None:
        data["preview"] = _("预览：报送日期%(d)s未到，数据截至%(t)s") % {"d": day.isoformat(), "t": today.isoformat()}
    return data


def _report_for(request, kind: str, day: dt.date, period: ReportPeriod | None) -> dict:
    user = request.user
    unit = None
    if request.GET.get("unit"):
        unit = get_scoped_or_404(Unit.objects.select_related("node"), user, pk=_int(request.GET.get("unit")))
    if kind == "semimonthly":
        node = node_param(request, first=True)
        if node is None:
            raise Http404
        return reports.semimonthly_data(user, node, day, period=period)
    if kind == "unit_monthly":
        if unit is not None:
            return reports.unit_monthly_data(user, unit=unit, report_date=day, period=period)
        node = node_param(request, first=True)
        if node is None:
            raise Http404
        return reports.unit_monthly_data(user, node=node, report_date=day, period=period)
    raise Http404


def _keep_on_demand(data: dict) -> PeriodicReport | None:
    """A node's report made on demand is kept and listed under 已生成的报表 (replacing that date's copy),
    once its day's records are complete: a past date, or the report day itself after the report hour.
    Previews (future dates) and single-unit reports are not kept."""
    from fanzha.outreach import jobs

    if data.get("preview") or data.get("unit") or not data.get("node"):
        return None
    day = dt.date.fromisoformat(data["report_date"])
    now = timezone.localtime()
    if day > now.date() or (day == now.date() and now.hour < jobs.report_hour()):
        return None
    period = dt.date.fromisoformat(data["period"]["start"]), dt.date.fromisoformat(data["period"]["end"])
    row, _created = PeriodicReport.objects.get_or_create(
        kind=data["kind"], node_id=data["node"]["id"], report_date=day,
        defaults={"period_start": period[0], "period_end": period[1]})
    row.place_at(row.node)
    old = (row.xlsx_file, row.docx_file)
    xlsx = ev.write_new(reports.to_xlsx(data), "xlsx", when=day, folder=jobs.REPORTS_DIR)
    try:
        docx = ev.write_new(reports.to_docx(data), "docx", when=day, folder=jobs.REPORTS_DIR)
    except BaseException:
        ev.remove_quietly(xlsx)
        raise
    row.xlsx_file, row.docx_file, row.figures = xlsx, docx, data["figures"]
    row.period_start, row.period_end = period
    row.status, row.generated_at, row.error = ReportStatus.DONE, timezone.now(), ""
    row.save()
    ev.remove_quietly(*(f for f in old if f), jobs.pdf_of(old[1]))
    return row


@area_view("outreach.reports")
@require_safe
def report_preview(request):
    """The report on the page (any date, a future one as a preview of its period so far), with its downloads."""
    try:
        data = _report_data(request)
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
        return redirect("outreach:reports")
    query = request.GET.copy()
    query.pop("fmt", None)
    return render(request, "outreach/report_preview.html", {"data": data, "query": query.urlencode(),
                                                            "pdf_available": _pdf_available()})


@area_view("outreach.reports")
@require_safe
def report_make(request):
    """The report made now from the records, as .xlsx, .docx or .pdf (download)."""
    fmt = request.GET.get("fmt", "xlsx")
    if fmt not in ("xlsx", "docx", "pdf") or (fmt == "pdf" and not _pdf_available()):
        raise Http404
    try:
        data = _report_data(request)
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
        return redirect("outreach:reports")
    from fanzha.core.pdf import PdfError

    try:
        content, ctype = reports.render(data, fmt)
    except PdfError:
        messages.error(request, _("PDF暂时无法生成，请下载Word或Excel文件"))
        return redirect("outreach:reports")
    if fmt in ("xlsx", "docx"):
        _keep_on_demand(data)
    audit(user=request.user, action=AuditAction.EXPORT, target=f"report:{data['kind']}:{(data.get('unit') or data['node'])['id']}:{data['report_date']}",
          detail=_("下载报表：%(t)s") % {"t": data["title"]}, request=request)
    resp = HttpResponse(content, content_type=ctype)
    from django.utils.encoding import escape_uri_path

    name = reports.filename(data, fmt)
    resp["Content-Disposition"] = f"attachment; filename=\"report.{fmt}\"; filename*=UTF-8''{escape_uri_path(name)}"
    resp["Cache-Control"] = "private, no-store"
    return resp


@area_view("outreach.reports")
@require_safe
def report_download(request, pk: int, fmt: str):
    report = sel.report_get(request.user, pk)
    rel = report.xlsx_file if fmt == "xlsx" else report.docx_file if fmt == "docx" else ""
    if fmt == "pdf" and report.docx_file and _pdf_available():
        from fanzha.outreach.jobs import make_pdf, pdf_of

        rel = pdf_of(report.docx_file)
        try:
            missing = not ev.path_of(rel).exists()
        except ValueError:
            raise Http404 from None
        if missing:  # the worker has not printed it yet: print it now
            rel = make_pdf(report.docx_file)
    if not rel:
        raise Http404
    try:
        path = ev.path_of(rel)
    except ValueError:
        raise Http404 from None
    audit(user=request.user, action=AuditAction.EXPORT, target=f"report:{report.kind}:{report.node_id}:{report.report_date}",
          detail=_("下载已生成的报表"), request=request)
    kind = _("半月报") if report.kind == ReportKind.SEMIMONTHLY else _("单位防范工作月报")
    resp = _serve(path, {"xlsx": reports.XLSX_TYPE, "docx": reports.DOCX_TYPE, "pdf": reports.PDF_TYPE}[fmt],
                  download_name=f"{report.node.name}{kind}{report.report_date}.{fmt}", inline=False)
    return resp


# --- settings -------------------------------------------------------------------------------


@area_view("outreach.settings")
@require_form_methods
def outreach_settings(request):
    user = request.user
    streets = list(scoped(Node.objects.filter(level=Level.STREET), user).order_by("sort", "code")[:200])
    if request.method == "POST":
        street = org_selectors.node_get(user, _int(request.POST.get("street")))
        form = SettingForm(request.POST)
        if form.is_valid():
            try:
                services.outreach_setting_set(user=user, street=street, keep_gps=form.cleaned_data["keep_gps"])
            except ValidationError as e:
                for m in e.messages:
                    messages.error(request, m)
            else:
                messages.success(request, _("%(s)s：已保存") % {"s": street.name})
            return redirect("outreach:settings")
    keep = dict(OutreachSetting.objects.filter(street__in=streets).values_list("street_id", "keep_gps"))
    rows = [{"street": s, "form": SettingForm(initial={"keep_gps": keep.get(s.id, False)}, auto_id=f"id_%s_{s.id}")}
            for s in streets]
    return render(request, "outreach/settings.html", {"rows": rows})


