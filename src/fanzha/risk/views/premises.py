"""Premises (场所) and their checks, with photos."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from fanzha.core.files import stored_file_response
from fanzha.core.access import area_view, require
from fanzha.core.scoping import get_scoped_or_404, node_param
from fanzha.org.models import Level, Node
from fanzha.risk import forms, rules, selectors
from fanzha.risk.models import CheckPhoto, PremisesCheck, PremisesKind
from fanzha.risk.services import premises as pr_svc
from fanzha.risk.views._common import PAGE, _errors_to_form, _grids, _today


@area_view("risk.premises")
@require_GET
def premises_list(request):
    user = request.user
    node = node_param(request)
    kind = request.GET.get("kind", "")
    qs = selectors.premises_for(user, node=node, kind=kind if kind in PremisesKind.values else "",
                                flagged=request.GET.get("flagged") == "1", q=request.GET.get("q", "").strip()[:50])
    page = Paginator(qs.order_by("-open_finding", "name", "id"), PAGE).get_page(request.GET.get("page"))
    return render(request, "risk/premises_list.html", {
        "page": page, "node": node, "kind": kind, "kinds": PremisesKind.choices,
        "can_field": rules.can_record_field(user),
    })


@area_view("risk.premises")
@require_http_methods(["GET", "POST"])
def premises_new(request, pk: int | None = None):
    user = request.user
    require(user, rules.can_record_field)
    p = selectors.premises_get(user, pk) if pk else None
    initial = {}
    if p:
        initial = {k: getattr(p, k) for k in ("name", "kind", "building", "address", "manager_name")} | {"grid": p.grid_id}
    form = forms.PremisesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        grid = get_scoped_or_404(Node.objects.filter(level=Level.GRID), user, pk=d.pop("grid"))
        data = pr_svc.PremisesData(**{k: v or "" for k, v in d.items()})
        try:
            p = pr_svc.premises_update(user=user, premises=p, grid=grid, data=data) if p else \
                pr_svc.premises_create(user=user, grid=grid, data=data)
        except ValidationError as e:
            _errors_to_form(form, e)
        else:
            messages.success(request, _("已保存"))
            return redirect("risk:premises_detail", pk=p.pk)
    return render(request, "risk/premises_form.html", {"form": form, "premises": p, "grids": _grids(user)})


@area_view("risk.premises")
@require_http_methods(["GET", "POST"])
def premises_detail(request, pk: int):
    user = request.user
    p = selectors.premises_get(user, pk)
    form = forms.CheckForm(request.POST or None, initial={"checked_on": _today()})
    if request.method == "POST":
        require(user, rules.can_record_field)
        if form.is_valid():
            try:
                pr_svc.check_record(user=user, premises=p, files=request.FILES.getlist("photos"), **form.cleaned_data)
            except ValidationError as e:
                _errors_to_form(form, e)
            else:
                messages.success(request, _("已记录检查"))
                return redirect("risk:premises_detail", pk=p.pk)
    checks = list(p.checks.select_related("sweep").prefetch_related("photos")[:100])
    return render(request, "risk/premises_detail.html", {
        "premises": p, "checks": checks, "form": form, "can_field": rules.can_record_field(user),
    })


@area_view("risk.premises")
@require_GET
def photo_file(request, pk: int, thumb: bool = False):
    photo = CheckPhoto.objects.filter(pk=pk).first()
    if photo is None:
        raise Http404
    get_scoped_or_404(PremisesCheck.objects.all(), request.user, pk=photo.check_record_id)
    if thumb:
        if not photo.thumb:
            raise Http404
        return stored_file_response(photo.thumb, "image/jpeg")
    return stored_file_response(photo.file, photo.content_type, photo.original_name)
