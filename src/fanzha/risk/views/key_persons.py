"""Key persons (重点人员): the list, overdue reviews, the record and its follow-ups, reviews, links, documents; review intervals."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fanzha.core.access import area_view, require
from fanzha.core.flash import flash_outcome
from fanzha.core.versioning import PageSave, save_from_form
from fanzha.core.audit import audit
from fanzha.core.files import stored_file_response
from fanzha.core.scoping import default_node, get_scoped_or_404, node_param, scoped
from fanzha.org import selectors as org_selectors
from fanzha.org.models import Level, Node, Resident
from fanzha.risk import forms, rules, selectors
from fanzha.risk.models import Category, FileStatus, KeyPersonDocument
from fanzha.risk.services import key_persons as kp_svc
from fanzha.risk.views._common import PAGE, _errors_to_form, _scoped_user, _today, _users_of


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
    outcome = PageSave()
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def save():
            place = get_scoped_or_404(Node.objects.all(), user, pk=d["place"]) if d.get("place") else None
            with transaction.atomic():
                kp_svc.key_person_update(user=user, person=person, data=_person_data(request, d), place=place,
                                         version=d.get("version"))
                kp_svc.categories_set(user=user, person=person, categories=d["categories"])

        outcome = save_from_form(form, save, discard_url=reverse("risk:key_person", args=[pk]),
                                 form_errors=lambda e: _errors_to_form(form, e))
        if outcome.saved:
            messages.success(request, _("已保存"))
            return redirect("risk:key_person", pk=person.pk)
        if outcome.conflict:  # the page shows the file as saved now, beside the form
            person = selectors.key_person_get(user, pk)
    return render(request, "risk/key_person_form.html",
                  {**_kp_form_context(request, form, person), "conflict": outcome.conflict}, status=outcome.status)


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
    flash_outcome(request, lambda: kp_svc.key_person_link(user=request.user, person=person, resident=resident))
    return redirect("risk:key_person", pk=person.pk)


@area_view("risk.key_persons")
@require_POST
def key_person_document(request, pk: int):
    person = _writable_person(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择文件"))
    else:
        flash_outcome(request, lambda: kp_svc.document_add(user=request.user, person=person, upload=upload),
                      done=_("已上传"))
    return redirect("risk:key_person", pk=person.pk)


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
    return stored_file_response(doc.file, doc.content_type, doc.original_name)


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
