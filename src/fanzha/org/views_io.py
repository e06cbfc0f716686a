"""Spreadsheet import and export pages (/io/).

Importing needs `org.import_data` (the office); exporting `org.export_data`.
Full ID and phone numbers appear in an export only for users with
`org.reveal_pii` who ask for them (reveal=1). Every import and export is
written to the audit log by `run_import` / `run_export`.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from fanzha.core.access import allowed, area_view, scoped_view
from fanzha.core.exports import StreamedXlsx, write_import_template
from fanzha.core.imports import importer_for, kinds, run_import
from fanzha.core.scoping import node_param, scoped, streets_for
from fanzha.org import exporters
from fanzha.org.importers import import_context
from fanzha.org.models import Level, Node, Residency, UnitKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_TAGS = [
    ("elderly", gettext_lazy("老人")),
    ("elderly_alone", gettext_lazy("独居老人")),
    ("student", gettext_lazy("学生")),
    ("finance", gettext_lazy("财务人员")),
    ("floating", gettext_lazy("流动/暂住")),
]
REPORT_LIMIT = 1000  # rows of the error table shown on the page


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("文件（.xlsx 或 .csv）"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.xls,.ods,.csv,.txt"}))
    dry_run = forms.BooleanField(label=gettext_lazy("只检查，不写入（试导入）"), required=False)
    street = forms.ModelChoiceField(label=gettext_lazy("导入到街道"), queryset=Node.objects.none(), required=False)

    def __init__(self, *args, streets: list[Node], **kwargs):
        super().__init__(*args, **kwargs)
        self.streets = streets
        if len(streets) > 1:
            self.fields["street"].queryset = Node.objects.filter(pk__in=[s.pk for s in streets]).order_by("sort", "code")
            self.fields["street"].required = True
        else:
            del self.fields["street"]

    def clean_file(self):
        f = self.cleaned_data["file"]
        limit = settings.FANZHA_MAX_UPLOAD_MB
        if f.size > limit * 1024 * 1024:
            raise forms.ValidationError(_("文件超过%(mb)d MB，请拆分后再导入。") % {"mb": limit})
        if f.size == 0:
            raise forms.ValidationError(_("文件是空的。"))
        return f

    def target_street(self) -> Node | None:
        if "street" in self.fields:
            return self.cleaned_data["street"]
        return self.streets[0] if self.streets else None


def _kind_or_404(kind: str):
    try:
        return importer_for(kind)
    except KeyError:
        raise Http404("unknown kind") from None


def _kinds(streets, bound: dict | None = None) -> list[dict]:
    bound = bound or {}
    return [{"key": key, "label": cls.label, "description": cls.description, "columns": cls.columns,
             "form": bound.get(key) or ImportForm(prefix=key, streets=streets)} for key, cls in kinds().items()]


@area_view("io")
@require_safe
def io_index(request):
    """The kinds of import, each with its template and an upload form."""
    streets = streets_for(request.user)
    return render(request, "org/io/index.html", {"kinds": _kinds(streets), "streets": streets})


@area_view("io")
@require_safe
def io_template(request, kind: str):
    """The .xlsx template of one kind, with drop-down lists of this street's names."""
    cls = _kind_or_404(kind)
    streets = streets_for(request.user)
    if not streets:
        raise Http404("no street")
    street = streets[0]
    if request.GET.get("street"):
        street = next((s for s in streets if str(s.pk) == request.GET["street"]), None)
        if street is None:
            raise Http404("unknown street")
    data = write_import_template(cls(import_context(user=request.user, street=street, request=request)))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=\"{kind}-template.xlsx\"; filename*=UTF-8''{kind}-template.xlsx"
    return response


# --- a checked file waiting for "确认导入" ----------------------------------------------------
# After a passing check-only upload the file is kept under FANZHA_HOME/import-checked/ with a random
# token; "确认导入" imports that same file (no second upload). Only the user who checked it, for the
# same kind and street, within CHECKED_TTL seconds; the file is removed when imported or expired.

CHECKED_TTL = 30 * 60
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _checked_dir() -> Path:
    d = Path(settings.FANZHA_HOME) / "import-checked"
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    return d


def _sweep_checked(now: float) -> None:
    """Remove checked files older than CHECKED_TTL (any user's): nothing is kept longer than that."""
    for f in _checked_dir().iterdir():
        try:
            if now - f.stat().st_mtime > CHECKED_TTL:
                f.unlink(missing_ok=True)
        except OSError:
            pass


def keep_checked(*, user, kind: str, street: Node, filename: str, data: bytes) -> str:
    """Keep a file that passed a check; returns its token."""
    now = time.time()
    _sweep_checked(now)
    token = secrets.token_urlsafe(24)
    d = _checked_dir()
    (d / f"{token}.bin").write_bytes(data)
    (d / f"{token}.json").write_text(json.dumps({"user": user.pk, "kind": kind, "street": street.pk,
                                                 "filename": filename, "at": now}))
    return token


def take_checked(*, user, kind: str, token: str) -> tuple[dict, bytes] | None:
    """The checked file of this token if it is the user's, of this kind and not expired; removed from disk."""
    if not TOKEN_RE.match(token or ""):
        return None
    d = _checked_dir()
    meta_path, data_path = d / f"{token}.json", d / f"{token}.bin"
    try:
        meta = json.loads(meta_path.read_text())
        data = data_path.read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("user") != user.pk or meta.get("kind") != kind:
        return None
    meta_path.unlink(missing_ok=True)
    data_path.unlink(missing_ok=True)
    if time.time() - meta.get("at", 0) > CHECKED_TTL:
        return None
    return meta, data


@area_view("io")
@require_http_methods(["GET", "HEAD", "POST"])
def io_import(request, kind: str):
    """GET: the upload form of one kind. POST: validate the file, apply it when every row is good
    (unless a check only), and show the row report or the counts. A passing check offers 确认导入,
    which imports the same (kept) file; POST with `confirm=<token>`."""
    cls = _kind_or_404(kind)
    streets = streets_for(request.user)
    bound = request.method == "POST"
    result = None
    checked_token = ""
    if bound and request.POST.get("confirm"):
        form = ImportForm(prefix=kind, streets=streets)
        taken = take_checked(user=request.user, kind=kind, token=request.POST["confirm"])
        street = next((s for s in streets if taken and s.pk == taken[0]["street"]), None)
        if taken is None or street is None:
            messages.error(request, _("检查结果已过期或无效（保留%(m)d分钟），请重新上传文件。") % {"m": CHECKED_TTL // 60})
        else:
            meta, data = taken
            ctx = import_context(user=request.user, street=street, request=request)
            result = run_import(cls, ctx, io.BytesIO(data), filename=meta["filename"], dry_run=False)
    else:
        form = ImportForm(request.POST if bound else None, request.FILES if bound else None, prefix=kind, streets=streets)
    if bound and result is None and not request.POST.get("confirm") and form.is_valid():
        street = form.target_street()
        if street is None:
            raise Http404("no street")
        upload = form.cleaned_data["file"]
        dry_run = form.cleaned_data["dry_run"]
        ctx = import_context(user=request.user, street=street, request=request)
        data = upload.read()
        result = run_import(cls, ctx, io.BytesIO(data), filename=upload.name, dry_run=dry_run)
        if dry_run and result.ok and not result.applied:
            checked_token = keep_checked(user=request.user, kind=kind, street=street, filename=upload.name, data=data)
        del data
        form = ImportForm(prefix=kind, streets=streets)  # the file is read: a fresh form, "只检查" not ticked
    return render(request, "org/io/import.html", {
        "kind": kind, "label": cls.label, "description": cls.description, "columns": cls.columns,
        "form": form, "result": result, "checked_token": checked_token, "checked_minutes": CHECKED_TTL // 60,
        "errors_shown": result.errors[:REPORT_LIMIT] if result else [],
        "report_limit": REPORT_LIMIT,
    })


# --- export -------------------------------------------------------------------------


def _filters(request) -> exporters.Filters:
    residency = request.GET.get("residency", "")
    tag = request.GET.get("tag", "")
    kind = request.GET.get("kind", "")
    node = node_param(request, default=False)
    return exporters.Filters(
        q=request.GET.get("q", "")[:100],
        node=node,
        residency=residency if residency in Residency.values else "",
        tag=tag if tag in dict(EXPORT_TAGS) else "",
        kind=kind if kind in UnitKind.values else "",
    )


@scoped_view("org.export_data")
@require_safe
def io_export_page(request):
    """Links to every export, with the resident list's filters for residents."""
    nodes = scoped(Node.objects.filter(level__in=[Level.COMMUNITY, Level.GRID]), request.user).order_by("sort", "code")
    return render(request, "org/io/export.html", {
        "exports": [(k, e.label, e.has_pii) for k, e in exporters.EXPORTS.items()],
        "nodes": nodes[:2000], "residencies": Residency.choices, "tags": EXPORT_TAGS,
        "can_reveal": allowed(request.user, "org.reveal_pii"),
    })


@scoped_view("org.export_data")
@require_safe
def io_export(request, kind: str):
    """The user's rows of one list as .xlsx, masked unless revealed (and permitted), streamed while it is
    written (the first bytes leave at once, memory stays flat); audited with the row count when done
    (or when the download is broken off, with the rows sent so far)."""
    if kind not in exporters.EXPORTS:
        raise Http404("unknown export")
    spec = exporters.EXPORTS[kind]
    reveal = request.GET.get("reveal") == "1" and allowed(request.user, "org.reveal_pii") and spec.has_pii
    filters = _filters(request)
    user = request.user
    book = StreamedXlsx(spec.headers, spec.rows(user, filters, reveal), sheet_name=str(spec.label),
                        text_columns=spec.text_columns)

    def body():
        try:
            yield from book.chunks()
        finally:
            _audit_export(user, spec, filters, reveal, book, request)

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(body(), content_type=XLSX)
    name = f"{kind}-{stamp}.xlsx"
    response["Content-Disposition"] = f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    response["Cache-Control"] = "private, no-store"
    response["X-Accel-Buffering"] = "no"  # let a proxy pass the chunks on as they come
    return response


def _audit_export(user, spec, filters, reveal: bool, book: StreamedXlsx, request) -> None:
    from fanzha.core.audit import audit
    from fanzha.core.models import AuditAction

    numbers = _("含完整身份证号和手机号") if reveal else (_("号码已脱敏") if spec.has_pii else _("不含个人号码"))
    detail = _("导出%(label)s %(n)d行；筛选：%(f)s；%(numbers)s") % {
        "label": spec.label, "n": book.count, "f": filters.describe(), "numbers": numbers}
    if not book.finished:
        detail += _("（下载中断）")
    audit(user=user, action=AuditAction.EXPORT, target=f"export:{spec.key}", detail=detail, request=request)
    if reveal:
        audit(user=user, action=AuditAction.REVEAL, target=f"export:{spec.key}",
              detail=_("在导出中查看完整身份证号和手机号：%(label)s %(n)d行") % {"label": spec.label, "n": book.count},
              request=request)
