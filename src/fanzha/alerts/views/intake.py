"""What came in: batch upload of alerts, and repeated alert ids with different content to review."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from fanzha.alerts import selectors, services
from fanzha.alerts.forms import UploadForm
from fanzha.alerts.models import ConflictStatus
from fanzha.core.access import area_view, require
from fanzha.core.scoping import scope_of, streets_for
from fanzha.org.models import Node
from fanzha.alerts.views.response import _message
from fanzha.core.sheets import XLSX_TYPE as XLSX

REPORT_LIMIT = 1000


# --- batch upload ------------------------------------------------------------------------------


def _upload_areas(user) -> list[Node]:
    """Where a batch may go: the user's streets, and a whole county for a county-level user."""
    from fanzha.org.models import Level

    scope = scope_of(user)
    counties = Node.objects.filter(level=Level.COUNTY)
    if not scope.everything:
        counties = counties.filter(pk__in=sorted(scope.nodes.get(Level.COUNTY, ())))
    return list(counties.order_by("sort", "code")) + streets_for(user)


@area_view("alerts.upload")
@require_http_methods(["GET", "HEAD", "POST"])
def upload(request):
    """Upload a spreadsheet of alerts: row report (nothing kept unless every row is good), then where they went."""
    require(request.user, "alerts.upload_alerts")
    from fanzha.alerts.importers import AlertImporter
    from fanzha.core.imports import run_import
    from fanzha.org.importers import import_context

    streets = _upload_areas(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, streets=streets)
    result = batch = None
    if request.method == "POST" and form.is_valid():
        street = form.target_street()
        if street is None:
            raise Http404("no street")
        upload_file = form.cleaned_data["file"]
        ctx = import_context(user=request.user, street=street, request=request)
        ctx.filename = upload_file.name
        result = run_import(AlertImporter, ctx, upload_file, filename=upload_file.name, dry_run=form.cleaned_data["dry_run"])
        batch = getattr(ctx, "batch", None)
        if result.applied:
            form = UploadForm(streets=streets)
    return render(request, "alerts/upload.html", {
        "form": form, "result": result, "batch": batch, "columns": AlertImporter.columns,
        "errors_shown": result.errors[:REPORT_LIMIT] if result else [], "report_limit": REPORT_LIMIT,
        "description": AlertImporter.description,
    })


@area_view("alerts.upload")
@require_safe
def upload_template(request):
    require(request.user, "alerts.upload_alerts")
    from fanzha.alerts.importers import AlertImporter
    from fanzha.core.exports import write_import_template
    from fanzha.org.importers import import_context

    streets = streets_for(request.user)
    if not streets:
        raise Http404("no street")
    data = write_import_template(AlertImporter(import_context(user=request.user, street=streets[0], request=request)))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename=\"alerts-template.xlsx\""
    return response


# --- conflicts ---------------------------------------------------------------------------------


@area_view("alerts.settings")
@require_safe
def conflicts(request):
    require(request.user, "alerts.configure_alerts")
    status = request.GET.get("status", ConflictStatus.OPEN)
    if status not in ConflictStatus.values and status != "all":
        status = ConflictStatus.OPEN
    items = selectors.conflicts_for(request.user, status="" if status == "all" else status)[:200]
    return render(request, "alerts/conflicts.html", {"items": items, "status": status, "statuses": ConflictStatus.choices})


@area_view("alerts.settings")
@require_POST
def conflict_resolve(request, pk: int):
    require(request.user, "alerts.configure_alerts")
    conflict = selectors.conflict_get(request.user, pk)
    action = request.POST.get("action")
    if action not in ("keep", "apply"):
        messages.error(request, _("请选择保留原预警或按新内容更正"))
        return redirect("alerts:conflicts")
    try:
        services.alert_conflict_resolve(user=request.user, conflict=conflict, apply=action == "apply")
    except ValidationError as e:
        messages.error(request, _message(e))
    else:
        messages.success(request, _("已处理编号冲突#%(id)d") % {"id": conflict.pk})
    return redirect("alerts:conflicts")
