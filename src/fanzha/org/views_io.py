"""Spreadsheet import and export pages (/io/).

Importing needs `org.import_data` (the office); exporting `org.export_data`.
Full ID and phone numbers appear in an export only for users with
`org.reveal_pii` who ask for them (reveal=1). Every import and export is
written to the audit log by `run_import` / `run_export`.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from fanzha.core.exports import write_import_template
from fanzha.core.imports import run_import
from fanzha.core.scoping import scoped
from fanzha.org import exporters, selectors
from fanzha.org.importers import KINDS, import_context, streets_for
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

can_import = permission_required("org.import_data", raise_exception=True)
can_export = permission_required("org.export_data", raise_exception=True)


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
        return KINDS[kind]
    except KeyError:
        raise Http404("unknown kind") from None


def _kinds(streets, bound: dict | None = None) -> list[dict]:
    bound = bound or {}
    return [{"key": key, "label": cls.label, "description": cls.description, "columns": cls.columns,
             "form": bound.get(key) or ImportForm(prefix=key, streets=streets)} for key, cls in KINDS.items()]


@login_required
@can_import
@require_safe
def io_index(request):
    """The kinds of import, each with its template and an upload form."""
    streets = streets_for(request.user)
    return render(request, "org/io/index.html", {"kinds": _kinds(streets), "streets": streets})


@login_required
@can_import
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


@login_required
@can_import
@require_http_methods(["GET", "HEAD", "POST"])
def io_import(request, kind: str):
    """GET: the upload form of one kind. POST: validate the file, apply it when every row is good
    (unless a dry run), and show the row report or the counts."""
    cls = _kind_or_404(kind)
    streets = streets_for(request.user)
    bound = request.method == "POST"
    form = ImportForm(request.POST if bound else None, request.FILES if bound else None, prefix=kind, streets=streets)
    result = None
    if bound and form.is_valid():
        street = form.target_street()
        if street is None:
            raise Http404("no street")
        upload = form.cleaned_data["file"]
        ctx = import_context(user=request.user, street=street, request=request)
        result = run_import(cls, ctx, upload, filename=upload.name, dry_run=form.cleaned_data["dry_run"])
        if result.applied:
            form = ImportForm(prefix=kind, streets=streets)  # a fresh form: the file is in
    return render(request, "org/io/import.html", {
        "kind": kind, "label": cls.label, "description": cls.description, "columns": cls.columns,
        "form": form, "result": result,
        "errors_shown": result.errors[:REPORT_LIMIT] if result else [],
        "report_limit": REPORT_LIMIT,
    })


# --- export -------------------------------------------------------------------------


def _filters(request) -> exporters.Filters:
    user = request.user
    residency = request.GET.get("residency", "")
    tag = request.GET.get("tag", "")
    kind = request.GET.get("kind", "")
    node = None
    node_id = request.GET.get("node", "")
    if node_id:
        try:
            node = selectors.node_get(user, int(node_id))
        except ValueError:
            raise Http404("bad node") from None
    return exporters.Filters(
        q=request.GET.get("q", "")[:100],
        node=node,
        residency=residency if residency in Residency.values else "",
        tag=tag if tag in dict(EXPORT_TAGS) else "",
        kind=kind if kind in UnitKind.values else "",
    )


@login_required
@can_export
@require_safe
def io_export_page(request):
    """Links to every export, with the resident list's filters for residents."""
    nodes = scoped(Node.objects.filter(level__in=[Level.COMMUNITY, Level.GRID]), request.user).order_by("sort", "code")
    return render(request, "org/io/export.html", {
        "exports": [(k, e.label, e.has_pii) for k, e in exporters.EXPORTS.items()],
        "nodes": nodes[:2000], "residencies": Residency.choices, "tags": EXPORT_TAGS,
        "can_reveal": request.user.has_perm("org.reveal_pii"),
    })


@login_required
@can_export
@require_safe
def io_export(request, kind: str):
    """The user's rows of one list as .xlsx, masked unless revealed (and permitted); audited."""
    if kind not in exporters.EXPORTS:
        raise Http404("unknown export")
    reveal = request.GET.get("reveal") == "1" and request.user.has_perm("org.reveal_pii")
    result = exporters.run_export(kind, request.user, _filters(request), reveal=reveal, request=request)
    return FileResponse(result.file, as_attachment=True, filename=result.filename, content_type=XLSX)
