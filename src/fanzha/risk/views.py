"""Risk pages: key persons, premises and checks, monthly screening, Wednesday sweeps, figures.

Views stay thin: parse, call a service, redirect or re-render the bound form.
Key-person detail is shown only to the roles in `rules.DETAIL_ROLES`; grid workers get
the flag page. Every view of a file is written to the audit log.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fanzha.cases.periods import Period
from fanzha.core.access import area_view, require
from fanzha.core.versioning import Conflict, conflict_context
from fanzha.core.audit import audit
from fanzha.core.scoping import default_node, get_scoped_or_404, node_param, scoped
from fanzha.org import selectors as org_selectors
from fanzha.org.models import Level, Node, Resident, User
from fanzha.outreach import evidence as ev
from fanzha.risk import exports, forms, rules, selectors
from fanzha.risk.models import (
    Category,
    CheckPhoto,
    FileStatus,
    Finding,
    KeyPersonDocument,
    PremisesCheck,
    PremisesKind,
    SweepPerson,
)
from fanzha.risk.reports import figure_rows, risk_figures
from fanzha.risk.services import key_persons as kp_svc
from fanzha.risk.services import premises as pr_svc
from fanzha.risk.services import screening as sc_svc
from fanzha.risk.services import sweeps as sw_svc

PAGE = 50


def _today():
    return timezone.localdate()


def _errors_to_form(form, e: ValidationError) -> None:
    if hasattr(e, "error_dict"):
        for field, msgs in e.message_dict.items():
            form.add_error(field if field in form.fields else None, msgs)
    else:
        form.add_error(None, e.messages)


def _users_of(user, roles) -> list[User]:
    """Users with one of `roles` at nodes the user sees (for the officer / community worker pickers)."""
    from fanzha.org.models import Assignment

    nodes = scoped(Node.objects.filter(level__in=[Level.STREET, Level.COMMUNITY]), user).values("id")
    ids = Assignment.objects.filter(role__in=roles, node_id__in=nodes).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("display_name", "username")[:300])


def _scoped_user(user, raw, roles) -> User | None:
    if not raw:
        return None
    for u in _users_of(user, roles):
        if u.pk == raw:
            return u
    raise ValidationError({"officer": [_("所选人员不在您的范围内")]})


# --- home ---------------------------------------------------------------------------------


@area_view("risk")
@require_GET
def home(request):
    user, today = request.user, _today()
    node = node_param(request)
    detail = rules.sees_detail(user)
    mine = list(selectors.overdue_reviews(user, today=today, mine=True)[:20]) if detail else []
    overdue_n = selectors.overdue_reviews(user, node=node, today=today).count() if detail else 0
    flagged = selectors.premises_for(user, node=node, flagged=True).order_by("open_finding_since")[:10]
    sweeps = selectors.sweeps_for(user)[:5]
    status = selectors.screening_status(user, node=node, month=today.replace(day=1), today=today) \
        if rules.sees_detail(user) else []
    return render(request, "risk/home.html", {
        "node": node, "detail": detail, "mine": mine, "overdue_n": overdue_n, "flagged": flagged, "sweeps": sweeps,
        "missing": [s for s in status if not s["screening"]], "today": today,
        "can_field": rules.can_record_field(user), "can_files": rules.can_write_files(user),
    })


@area_view("risk")
@require_GET
def badge(request):
    """My overdue reviews, for the menu badge."""
    n = selectors.overdue_reviews(request.user, today=_today(), mine=True).count() if rules.sees_detail(request.user) else 0
    return HttpResponse(f' <span class="count" title="{_("逾期未回访")}">{n}</span>' if n else "")


@area_view("risk")
@require_GET
def my_overdue(request):
    """A card of the user's overdue reviews, for the home page (`hx-get`, empty when there are none)."""
    if not rules.sees_detail(request.user):
        return HttpResponse("")
    rows = list(selectors.overdue_reviews(request.user, today=_today(), mine=True)[:10])
    return render(request, "risk/_my_overdue.html", {"mine": rows}) if rows else HttpResponse("")


# --- key persons ---------------------------------------------------------------------------


@area_view("risk.key_persons")
@require_GET
def key_person_list(request):
    user = request.user
    node = node_param(request)
    status = request.GET.get("status", FileStatus.OPEN)
    category = request.GET.get("category", "")
    qs = selectors.key_persons_for(user, node=node, status=status if status in FileStatus.values else "",
                                   category=category if category in Category.values else "",
                                   q=request.GET.get("q", "").strip()[:50])
    if request.GET.get("from") == "sweep":
        qs = qs.filter(source_sweep__isnull=False)
    page = Paginator(qs.order_by("-opened_on", "-id"), PAGE).get_page(request.GET.get("page"))
    return render(request, "risk/key_person_list.html", {
        "page": page, "node": node, "status": status, "category": category, "categories": Category.choices,
        "detail": rules.sees_detail(user), "can_write": rules.can_write_files(user), "today": _today(),
    })


@area_view("risk.overdue")
@require_GET
def overdue(request):
    user = request.user
    node = node_param(request)
    qs = selectors.overdue_reviews(user, node=node, today=_today(), mine=request.GET.get("mine") == "1")
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    today = _today()
    rows = list(page)
    for p in rows:  # computed here, not by template filters per cell: the list must stay fast at county scale
        p.days_overdue = (today - p.next_review_on).days
        p.due = p.next_review_on.isoformat()
    return render(request, "risk/overdue.html", {"page": page, "rows": rows, "node": node, "today": today,
                                                 "base": reverse("risk:key_persons")})


def _kp_form_context(request, form, person=None):
    user = request.user
    places = scoped(Node.objects.filter(level__in=[Level.COMMUNITY, Level.GRID]), user).order_by("sort", "code")[:2000]
    resident = None
    rid = form["resident"].value()
    if rid:
        try:
            resident = scoped(Resident.objects.all(), user).filter(pk=int(rid)).first()
        except (TypeError, ValueError):
            resident = None
    q = (request.GET.get("q") or request.POST.get("q") or "").strip()[:50]
    results = list(org_selectors.resident_search(user, q=q)[:10]) if q and resident is None else []
    return {"form": form, "person": person, "places": places, "resident": resident, "q": q, "results": results,
            "officers": _users_of(user, ["officer"]), "workers": _users_of(user, ["community"])}


def _person_data(request, d) -> kp_svc.PersonData:
    user = request.user
    officer = _scoped_user(user, d.get("officer"), ["officer"])
    worker = _scoped_user(user, d.get("community_worker"), ["community"])
    return kp_svc.PersonData(name=d.get("name") or "", id_number=d.get("id_number") or "", phone=d.get("phone") or "",
                             address=d.get("address") or "", contacts=d.get("contacts") or "",
                             watch_for=d.get("watch_for") or "", detail=d.get("detail") or "", officer=officer,
                             community_worker=worker)


@area_view("risk.key_persons")
@require_http_methods(["GET", "POST"])
def key_person_new(request):
    user = request.user
    require(user, rules.can_write_files)
    initial = {"opened_on": _today()}
    if request.GET.get("resident"):
        initial["resident"] = request.GET["resident"]
    form = forms.KeyPersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and not request.POST.get("_find") and form.is_valid():
        d = form.cleaned_data
        try:
            resident = get_scoped_or_404(Resident.objects.select_related("household"), user, pk=d["resident"]) \
                if d.get("resident") else None
            place = get_scoped_or_404(Node.objects.all(), user, pk=d["place"]) if d.get("place") else None
            person = kp_svc.key_person_open(user=user, categories=d["categories"], data=_person_data(request, d),
                                            resident=resident, place=place, opened_on=d.get("opened_on"))
        except ValidationError as e:
            _errors_to_form(form, e)
        else:
            messages.success(request, _("已建档"))
            return redirect("risk:key_person", pk=person.pk)
    elif request.method == "POST" and request.POST.get("_find"):
        form = forms.KeyPersonForm(initial={k: v for k, v in request.POST.items() if k in forms.KeyPersonForm.base_fields}
                                   | {"categories": request.POST.getlist("categories")})
    return render(request, "risk/key_person_form.html", _kp_form_context(request, form))


@area_view("risk.key_persons")
@require_GET
def key_person_detail(request, pk: int):
    user = request.user
    person = selectors.key_person_get(user, pk)
    detail = rules.sees_detail(user)
    audit(user=user, action="view", target=f"risk.key_person:{person.pk}",
          detail=("detail" if detail else "flag") + f" · {person.name}", request=request)
    ctx = {"person": person, "detail": detail, "categories": list(person.categories.all()), "today": _today()}
    if not detail:
        return render(request, "risk/key_person_flag.html", ctx)
    can_write = rules.can_write_files(user)
    ctx.update({
        "can_write": can_write,
        "follow_ups": list(person.follow_ups.select_related("by")[:100]),
        "documents": list(person.documents.all()),
        "changes": list(person.changes.select_related("user")[:100]),
        "follow_form": forms.FollowUpForm(initial={"on": _today()}),
        "all_categories": Category.choices,
        "held": {c.category for c in ctx["categories"]},
        "intervals": kp_svc.intervals_for(person.street_id),
    })
    return render(request, "risk/key_person_detail.html", ctx)


def _writable_person(request, pk):
    require(request.user, rules.can_write_files)
    return selectors.key_person_get(request.user, pk)


@area_view("risk.key_persons")
@require_http_methods(["GET", "POST"])
def key_person_edit(request, pk: int):
    user = request.user
    person = _writable_person(request, pk)
    initial = {k: getattr(person, k) for k in ("name", "address", "contacts", "watch_for", "detail", "opened_on")}
    initial |= {"officer": person.officer_id, "community_worker": person.community_worker_id, "resident": person.resident_id,
                "categories": [c.category for c in person.categories.all()], "place": person.deepest_node_id,
                "version": person.version}
    form = forms.KeyPersonForm(request.POST or None, initial=initial)
    conflict: dict = {}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            place = get_scoped_or_404(Node.objects.all(), user, pk=d["place"]) if d.get("place") else None
            with transaction.atomic():
                kp_svc.key_person_update(user=user, person=person, data=_person_data(request, d), place=place,
                                         version=d.get("version"))
                kp_svc.categories_set(user=user, person=person, categories=d["categories"])
        except Conflict as e:  # saved by someone else since the form was opened: show theirs, keep what was typed
            person = selectors.key_person_get(user, pk)
            conflict = conflict_context(form, e, discard_url=reverse("risk:key_person", args=[pk]))
            form.add_error(None, e.message)
        except ValidationError as e:
            _errors_to_form(form, e)
        else:
            messages.success(request, _("已保存"))
            return redirect("risk:key_person", pk=person.pk)
    return render(request, "risk/key_person_form.html", {**_kp_form_context(request, form, person), "conflict": conflict},
                  status=409 if conflict else 200)


@area_view("risk.key_persons")
@require_POST
def key_person_follow_up(request, pk: int):
    person = _writable_person(request, pk)
    form = forms.FollowUpForm(request.POST)
    if form.is_valid():
        try:
            kp_svc.follow_up_add(user=request.user, person=person, **form.cleaned_data)
        except ValidationError as e:
            _errors_to_form(form, e)
        else:
            messages.success(request, _("已记录帮教"))
            return redirect("risk:key_person", pk=person.pk)
    for field, errs in form.errors.items():
        for m in errs:
            messages.error(request, m)
    return redirect(reverse("risk:key_person", args=[person.pk]) + "#follow-up")


@area_view("risk.key_persons")
@require_POST
def key_person_review(request, pk: int):
    person = _writable_person(request, pk)
    try:
        on = dt.date.fromisoformat(request.POST.get("on", ""))
        kp_svc.review_date_set(user=request.user, person=person, category=request.POST.get("category", ""), on=on)
    except ValueError:
        messages.error(request, _("请填写日期"))
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("已调整回访日期"))
    return redirect("risk:key_person", pk=person.pk)


@area_view("risk.key_persons")
@require_POST
def key_person_close(request, pk: int):
    person = _writable_person(request, pk)
    try:
        if request.POST.get("reopen"):
            kp_svc.key_person_reopen(user=request.user, person=person)
        else:
            kp_svc.key_person_close(user=request.user, person=person, reason=request.POST.get("reason", ""))
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("已恢复档案") if request.POST.get("reopen") else _("已销档"))
    return redirect("risk:key_person", pk=person.pk)


@area_view("risk.key_persons")
@require_POST
def key_person_link(request, pk: int):
    person = _writable_person(request, pk)
    resident = get_scoped_or_404(Resident.objects.all(), request.user, pk=request.POST.get("resident") or 0)
    try:
        kp_svc.key_person_link(user=request.user, person=person, resident=resident)
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    return redirect("risk:key_person", pk=person.pk)


@area_view("risk.key_persons")
@require_POST
def key_person_document(request, pk: int):
    person = _writable_person(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择文件"))
    else:
        try:
            kp_svc.document_add(user=request.user, person=person, upload=upload)
        except ValidationError as e:
            for m in e.messages:
                messages.error(request, m)
        else:
            messages.success(request, _("已上传"))
    return redirect("risk:key_person", pk=person.pk)


def _serve(rel: str, content_type: str, name: str = "") -> FileResponse:
    try:
        fh = open(ev.path_of(rel), "rb")
    except (OSError, ValueError):
        raise Http404 from None
    resp = FileResponse(fh, content_type=content_type, filename=name or None)
    resp["Cache-Control"] = "private, max-age=3600"
    resp["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@area_view("risk.key_persons")
@require_GET
def document_file(request, pk: int):
    require(request.user, rules.sees_detail)
    doc = KeyPersonDocument.objects.filter(pk=pk).select_related("person").first()
    if doc is None:
        raise Http404
    selectors.key_person_get(request.user, doc.person_id)
    audit(user=request.user, action="view", target=f"risk.key_person:{doc.person_id}", detail=f"document {doc.pk}",
          request=request)
    return _serve(doc.file, doc.content_type, doc.original_name)


@area_view("risk.intervals")
@require_http_methods(["GET", "POST"])
def intervals(request):
    user = request.user
    top = default_node(user, first=True)
    street = Node.objects.filter(pk=top.street_id).first() if top else None
    if street is None:
        raise Http404
    if request.method == "POST":
        try:
            for c in Category.values:
                raw = request.POST.get(c, "").strip()
                if raw:
                    kp_svc.interval_set(user=user, street=street, category=c, days=int(raw))
        except (ValueError, ValidationError) as e:
            messages.error(request, "；".join(getattr(e, "messages", [_("请填写整数天数")])))
        else:
            messages.success(request, _("已保存回访间隔"))
            return redirect("risk:intervals")
    current = kp_svc.intervals_for(street.id)
    rows = [(c, label, current[c]) for c, label in Category.choices]
    return render(request, "risk/intervals.html", {"rows": rows, "street": street})


# --- premises --------------------------------------------------------------------------------


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


def _grids(user):
    return scoped(Node.objects.filter(level=Level.GRID), user).order_by("sort", "code")[:3000]


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
        return _serve(photo.thumb, "image/jpeg")
    return _serve(photo.file, photo.content_type, photo.original_name)


# --- monthly screening -------------------------------------------------------------------------


def _month_param(request) -> dt.date:
    raw = request.GET.get("month") or ""
    try:
        y, m = raw.split("-")
        return dt.date(int(y), int(m), 1)
    except ValueError:
        return _today().replace(day=1)


@area_view("risk.screening")
@require_GET
def screening(request):
    user = request.user
    node = node_param(request)
    month = _month_param(request)
    rows = selectors.screening_status(user, node=node, month=month, today=_today())
    prev = (month - dt.timedelta(days=1)).replace(day=1)
    nxt = (month + dt.timedelta(days=32)).replace(day=1)
    return render(request, "risk/screening.html", {
        "rows": rows, "month": month, "prev": prev, "next": nxt if nxt <= _today() else None, "node": node,
        "can_file": rules.can_file_screening(user),
    })


@area_view("risk.screening")
@require_http_methods(["GET", "POST"])
def screening_form(request, community: int):
    user = request.user
    node = get_scoped_or_404(Node.objects.filter(level=Level.COMMUNITY), user, pk=community)
    month = _month_param(request)
    existing = selectors.screenings_for(user, node=node, month=month).first()
    figures = selectors.screening_prefill(node, month)
    if existing:
        initial = {k: getattr(existing, k) for k in ("dens_found", "offenders", "likely_victims", "causes", "measures")}
    else:
        initial = {"dens_found": figures["dens_found"], "offenders": figures["offenders"], "likely_victims": 0}
    form = forms.ScreeningForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require(user, rules.can_file_screening)
        if form.is_valid():
            try:
                sc_svc.screening_file(user=user, community=node, month=month, **form.cleaned_data)
            except ValidationError as e:
                _errors_to_form(form, e)
            else:
                messages.success(request, _("已填报"))
                return redirect(reverse("risk:screening") + f"?month={month:%Y-%m}")
    return render(request, "risk/screening_form.html", {
        "form": form, "community": node, "month": month, "figures": figures, "existing": existing,
        "can_file": rules.can_file_screening(user),
        "figure_labels": SCREENING_LABELS,
    })


SCREENING_LABELS = [
    ("key_persons_open", "在管重点人员"), ("key_persons_new", "本月新建档"), ("offenders", "其中涉诈前科"),
    ("follow_ups", "帮教次数"), ("checks", "场所检查次数"), ("premises_checked", "检查场所数"),
    ("dens_found", "发现疑似窝点"), ("findings", "检查有发现"), ("sweeps", "周三打卡次数"),
    ("people_checked", "打卡核查人员"), ("cases", "发案数"),
]


# --- sweeps --------------------------------------------------------------------------------------


@area_view("risk.sweeps")
@require_GET
def sweep_list(request):
    user = request.user
    node = node_param(request)
    page = Paginator(selectors.sweeps_for(user, node=node), PAGE).get_page(request.GET.get("page"))
    return render(request, "risk/sweep_list.html", {"page": page, "node": node, "can_field": rules.can_record_field(user)})


def _street_users(user) -> list[User]:
    from fanzha.org.models import Assignment

    top = default_node(user, first=True)
    street_id = top.street_id if top else None
    ids = Assignment.objects.filter(node__street_id=street_id, role__in=["office", "officer", "community", "grid_leader",
                                                                        "grid_worker", "safety_staff"]).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("display_name", "username")[:500])


@area_view("risk.sweeps")
@require_http_methods(["GET", "POST"])
def sweep_new(request):
    user = request.user
    require(user, rules.can_record_field)
    grids = list(_grids(user))
    team = _street_users(user)
    form = forms.SweepForm(request.POST or None, initial={"held_on": _today(), "starts_at": "19:00", "ends_at": "22:00",
                                                          "volunteer_count": 0, "grids": [g.id for g in grids[:1]]})
    form.fields["grids"].choices = [(g.id, g.name) for g in grids]
    form.fields["members"].choices = [(u.id, str(u)) for u in team]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        chosen = [g for g in grids if g.id in set(d["grids"])]
        members = list(User.objects.filter(pk__in=d["members"] or []))
        try:
            s = sw_svc.sweep_create(user=user, held_on=d["held_on"], starts_at=d["starts_at"], ends_at=d["ends_at"],
                                    grids=chosen, members=members, volunteer_names=d["volunteer_names"] or "",
                                    volunteer_count=d["volunteer_count"] or 0, note=d["note"] or "")
        except ValidationError as e:
            _errors_to_form(form, e)
        else:
            if s.off_window:
                messages.warning(request, _("本次打卡不在周三19:00–22:00，已标注"))
            return redirect("risk:sweep", pk=s.pk)
    return render(request, "risk/sweep_form.html", {"form": form})


def _sweep_context(request, sweep, person_form=None, check_form=None):
    user = request.user
    people = list(SweepPerson.objects.filter(sweep=sweep).select_related("key_person", "grid").order_by("-checked_at", "-id"))
    checks = list(sweep.premises_checks.select_related("premises").order_by("-id"))
    grids = selectors.sweep_grids(sweep)
    q = (request.GET.get("q") or "").strip()[:50]
    results = []
    if q:
        results = list(org_selectors.resident_search(user, q=q).filter(grid_id__in=[g.id for g in grids])[:10]) \
            or list(org_selectors.resident_search(user, q=q)[:10])
    pq = (request.GET.get("pq") or "").strip()[:50]
    premises = list(selectors.premises_for(user, q=pq).filter(grid_id__in=[g.id for g in grids])[:10]) if pq else []
    flags = selectors.files_of_residents([r.id for r in results])
    return {
        "sweep": sweep, "people": people, "checks": checks, "grids": grids, "q": q, "results": results, "pq": pq,
        "premises_results": premises, "flags": flags,
        "is_member": sweep.members.filter(pk=user.pk).exists(), "members": list(sweep.members.all()),
        "person_form": person_form or forms.SweepPersonForm(), "findings": Finding.choices,
        "can_field": rules.can_record_field(user), "check_form": check_form,
    }


@area_view("risk.sweeps")
@require_GET
def sweep_detail(request, pk: int):
    sweep = selectors.sweep_get(request.user, pk)
    return render(request, "risk/sweep_detail.html", _sweep_context(request, sweep))


@area_view("risk.sweeps")
@require_POST
def sweep_join(request, pk: int):
    sweep = selectors.sweep_get(request.user, pk)
    require(request.user, rules.can_record_field)
    try:
        sw_svc.sweep_join(user=request.user, sweep=sweep)
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("已加入本次打卡"))
    return redirect("risk:sweep", pk=sweep.pk)


@area_view("risk.sweeps")
@require_POST
def sweep_person(request, pk: int):
    user = request.user
    sweep = selectors.sweep_get(user, pk)
    require(user, rules.can_record_field)
    form = forms.SweepPersonForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            resident = get_scoped_or_404(Resident.objects.all(), user, pk=d["resident"]) if d.get("resident") else None
            grid = next((g for g in selectors.sweep_grids(sweep) if g.id == d.get("grid")), None)
            sw_svc.person_check(user=user, sweep=sweep, resident=resident, name=d["name"] or "", id_number=d["id_number"] or "",
                                address=d["address"] or "", grid=grid, no_regular_job=d["no_regular_job"],
                                frequent_moves=d["frequent_moves"], hotspot_ties=d["hotspot_ties"], note=d["note"] or "")
        except ValidationError as e:
            _errors_to_form(form, e)
        else:
            messages.success(request, _("已记录核查人员"))
            return redirect("risk:sweep", pk=sweep.pk)
    return render(request, "risk/sweep_detail.html", _sweep_context(request, sweep, person_form=form), status=200)


@area_view("risk.sweeps")
@require_POST
def sweep_person_file(request, pk: int, person: int):
    """One tap: a key-person file from a sweep finding."""
    user = request.user
    sweep = selectors.sweep_get(user, pk)
    require(user, rules.can_record_field)
    checked = SweepPerson.objects.filter(pk=person, sweep=sweep).select_related("resident", "sweep", "key_person").first()
    if checked is None:
        raise Http404
    try:
        sw_svc.person_open_file(user=user, checked=checked)
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("已建立重点人员档案，民警将核查"))
    return redirect("risk:sweep", pk=sweep.pk)


@area_view("risk.sweeps")
@require_POST
def sweep_premises(request, pk: int):
    user = request.user
    sweep = selectors.sweep_get(user, pk)
    require(user, rules.can_record_field)
    premises = selectors.premises_get(user, request.POST.get("premises") or 0)
    finding = request.POST.get("finding", Finding.NONE)
    try:
        sw_svc.premises_check_in_sweep(user=user, sweep=sweep, premises=premises, finding=finding,
                                       note=request.POST.get("note", ""), files=request.FILES.getlist("photos"))
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("已记录场所检查"))
    return redirect("risk:sweep", pk=sweep.pk)


@area_view("risk.sweeps")
@require_GET
def calendar(request):
    user = request.user
    node = node_param(request)
    try:
        weeks = max(1, min(52, int(request.GET.get("weeks") or 4)))
    except ValueError:
        weeks = 4
    cal = selectors.sweep_calendar(user, node=node, today=_today(), weeks=12)
    gaps = selectors.sweep_calendar(user, node=node, today=_today(), weeks=weeks)["unswept"] if weeks != 12 else cal["unswept"]
    return render(request, "risk/calendar.html", {"cal": cal, "unswept": gaps, "weeks": weeks, "node": node})


# --- figures and ledgers ---------------------------------------------------------------------------


def _period_param(request) -> Period:
    raw = request.GET.get("period") or ""
    if raw:
        try:
            return Period.parse(raw)
        except ValueError:
            messages.error(request, _("期间格式不正确，已显示本年度"))
    return Period.containing(_today(), "year")


@area_view("risk.figures")
@require_GET
def figures(request):
    user = request.user
    node = node_param(request)
    period = _period_param(request)
    data = risk_figures(user, node=node, period=period, today=_today())
    return render(request, "risk/figures.html", {"data": data, "rows": figure_rows(data), "node": node, "period": period})


def _xlsx_response(fh, name: str) -> FileResponse:
    return FileResponse(fh, as_attachment=True, filename=name,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@area_view("risk.figures")
@require_GET
def export(request, what: str):
    """.xlsx: the figures, or one of the ledgers an office files (一人一档, 场所检查台账, 周三打卡台账)."""
    user = request.user
    require(user, "org.export_data")
    node = node_param(request)
    period = _period_param(request)
    if what == "figures":
        fh = exports.figures_xlsx(risk_figures(user, node=node, period=period, today=_today()))
    elif what == "key_persons":
        require(user, rules.sees_detail)
        fh = exports.key_persons_xlsx(user, node=node, today=_today())
    elif what == "checks":
        fh = exports.checks_xlsx(user, node=node, period=period)
    elif what == "sweeps":
        fh = exports.sweeps_xlsx(user, node=node, period=period)
    else:
        raise Http404
    audit(user=user, action="export", target=f"risk:{what}", detail=f"{node or '-'} · {period}", request=request)
    return _xlsx_response(fh, f"risk-{what}-{period}.xlsx")
