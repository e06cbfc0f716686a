"""Residents: search (with why nothing matched), the record, revealing numbers, creating and editing."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from fanzha.core.access import allowed, area_view, requires
from fanzha.core.audit import audit
from fanzha.core.idnumbers import normalise_digits, parse_id_number, parse_phone
from fanzha.core.models import AuditAction
from fanzha.core.paging import CappedPaginator
from fanzha.core import ratelimit
from fanzha.core.versioning import PageSave, save_from_form
from fanzha.core.scoping import crumbs, node_param, scoped
from fanzha.org import selectors, services
from fanzha.org.forms import ResidentForm
from fanzha.org.models import FamilyMember, Residency, Resident, StaffMember, Unit
from fanzha.org.views._common import (
    PAGE_SIZE, _int_or_none, _is_fragment, _staff_resident_ids, can_change, require_form_methods,
)
from fanzha.org.views.home import _switch
from fanzha.org.views.households import _household_outreach


TAGS = [
    ("elderly", gettext_lazy("老人")),
    ("elderly_alone", gettext_lazy("独居老人")),
    ("student", gettext_lazy("学生")),
    ("finance", gettext_lazy("财务人员")),
    ("floating", gettext_lazy("流动/暂住")),
]


def _invalid_number_message(q: str) -> str:
    """What is wrong with a search text that looks like a number but is not one."""
    text = normalise_digits(q).strip()
    compact = "".join(c for c in text if c.isalnum())
    looks_like_id = len(compact) >= 15 or compact[-1:].upper() == "X"
    try:
        if looks_like_id:
            parse_id_number(q)
        else:
            parse_phone(q)
    except ValueError as e:
        return _("“%(q)s”不是有效的号码：%(why)s。手机号和身份证号须完整、准确。") % {"q": q.strip(), "why": e}
    return _("“%(q)s”不是有效的手机号或身份证号。") % {"q": q.strip()}


def _why_nothing(user, *, kind: str, value: str, node, roots, residency: str, tag: str) -> list[str]:
    """Why a resident search found nobody, in words the user can act on.

    It names what was searched for (a whole number, the last four digits, a
    name) and where (the user's own nodes, or the one picked): a search never
    looks outside the user's part of the tree, and does not say whether
    anything exists there.
    """
    where = node.name if node else "、".join(r.name for r in roots) or _("您负责的范围")
    reasons = []
    if kind == "tail":
        reasons.append(_("在%(where)s没有手机号或备用电话尾号为%(tail)s的居民。") % {"where": where, "tail": value})
    elif kind == "phone":
        reasons.append(_("在%(where)s没有登记手机号（含备用电话）%(phone)s的居民。") % {"where": where, "phone": value})
    elif kind == "id":
        reasons.append(_("在%(where)s没有登记身份证号%(id)s的居民。") % {"where": where, "id": value})
    elif kind == "name":
        reasons.append(_("在%(where)s没有姓名、名字或拼音首字母以“%(name)s”开头的居民。") % {"where": where, "name": value})
        digits = sum(c.isdigit() for c in value)
        if digits and digits == len(value.replace(" ", "")):
            reasons.append(_("按号码查找请输入完整的11位手机号、18位身份证号，或手机号后四位。"))
    elif kind == "empty" and not (residency or tag):
        reasons.append(_("%(where)s还没有登记居民。") % {"where": where})
    if residency or tag:
        picked = [str(dict(Residency.choices)[residency])] if residency else []
        picked += [str(dict(TAGS)[tag])] if tag else []
        reasons.append(_("同时按“%(filters)s”筛选了，可以取消筛选再查。") % {"filters": "、".join(picked)})
    if node is not None and len(roots) > 0 and kind in ("tail", "phone", "id", "name"):
        reasons.append(_("只查了%(node)s，可以取消范围在全部负责范围内查。") % {"node": node.name})
    if kind in ("tail", "phone", "id", "name"):
        reasons.append(_("只能查到您负责范围内的居民；不在范围内的，请联系其所在社区或反诈办。"))
    return reasons


@area_view("residents")
@require_safe
def resident_list(request):
    user = request.user
    q = request.GET.get("q", "")[:100]
    residency = request.GET.get("residency", "")
    residency = residency if residency in Residency.values else ""
    tag = request.GET.get("tag", "")
    tag = tag if tag in dict(TAGS) else ""
    node = node_param(request, default=False)
    kind, value = selectors.classify_query(q)
    limited = ""
    try:
        qs = selectors.resident_search(user, q=q, node=node, residency=residency, tag=tag, request=request)
    except ratelimit.SearchLimited as exc:  # the typed query stays in the box; nothing is looked up
        limited, qs = exc.message, Resident.objects.none()
    page = CappedPaginator(qs if qs.ordered else qs.order_by("id"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    roots = selectors.scope_roots(user)
    keep = "&".join(f"{k}={v}" for k, v in (("q", q), ("residency", residency), ("tag", tag)) if v)
    ctx = {
        "q": q, "value": value, "residency": residency, "tag": tag, "node": node, "kind": kind,
        "invalid_message": limited or (_invalid_number_message(q) if kind == "invalid" else ""),
        "page": page, "rows": rows, "staff_ids": _staff_resident_ids(rows),
        "residencies": Residency.choices, "tags": TAGS,
        "filtered": bool(q or residency or tag or node),
        "switch": _switch(user, roots, node, lambda n: f"{reverse('resident_list')}?node={n.pk}" + (f"&{keep}" if keep else ""),
                          reverse("resident_list") + (f"?{keep}" if keep else "")),
    }
    if not rows and page.number == 1 and not limited:
        ctx["empty_reasons"] = _why_nothing(user, kind=kind, value=value, node=node, roots=roots,
                                            residency=residency, tag=tag)
    template = "org/_resident_results.html" if _is_fragment(request) else "org/resident_list.html"
    # 429 for the whole page; an htmx swap of the results keeps 200 so the message replaces the old results.
    response = render(request, template, ctx, status=429 if limited and not _is_fragment(request) else 200)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _hide_id_derived(user, resident) -> bool:
    """A role that cannot reveal a resident's ID number is not shown its birth date either: with the
    seven digits the mask shows, the birth date leaves about a hundred checksum-valid candidates."""
    return bool(resident.id_number_hash) and not allowed(user, "org.reveal_pii")


def _resident_context(request, resident, *, revealed=False):
    user = request.user
    staff_roles = list(StaffMember.objects.filter(resident=resident).select_related("unit"))
    family_roles = list(FamilyMember.objects.filter(resident=resident).select_related("staff__unit"))
    visible_units = set(scoped(Unit.objects.filter(
        id__in={s.unit_id for s in staff_roles} | {f.staff.unit_id for f in family_roles}), user).values_list("id", flat=True)) \
        if (staff_roles or family_roles) else set()
    return {
        "r": resident,
        "crumbs": crumbs(user, resident),
        "revealed": revealed,
        "hide_birth": _hide_id_derived(user, resident),
        "staff_roles": staff_roles,
        "family_roles": family_roles,
        "visible_units": visible_units,
        "staff_ids": {resident.id} if staff_roles else set(),
        "outreach": _household_outreach(request, resident.household),
    }


@area_view("residents")
@require_safe
def resident_detail(request, pk: int):
    resident = selectors.resident_get(request.user, pk)
    return render(request, "org/resident_detail.html", _resident_context(request, resident))


@area_view("residents")
@require_POST
@requires("org.reveal_pii")
def resident_reveal(request, pk: int):
    """Show the full ID and phone numbers of one resident, and write it to the audit log."""
    resident = selectors.resident_get(request.user, pk)
    audit(user=request.user, action=AuditAction.REVEAL, target=f"resident:{resident.pk}",
          detail=_("查看居民%(name)s的完整身份证号和手机号") % {"name": resident.name}, request=request)
    if _is_fragment(request):
        return render(request, "org/_resident_pii.html", {"r": resident, "revealed": True})
    return render(request, "org/resident_detail.html", _resident_context(request, resident, revealed=True))


def _save_resident(request, form, *, household=None, resident=None) -> PageSave:
    """Call the service by the edit pages' rule (`save_from_form`): a ValidationError goes on the form's fields,
    a stale version fills the merge panel and keeps what the user typed; a number search past the user's
    allowance puts its message on the form, keeping what was typed too."""
    def save():
        if resident is None:
            return services.resident_create(household=household, **form.service_kwargs(),
                                            user=request.user, request=request)
        return services.resident_update(resident=resident, **form.service_kwargs(), user=request.user, request=request)

    discard_url = reverse("resident_detail", args=[resident.pk]) if resident is not None else ""
    try:
        return save_from_form(form, save, discard_url=discard_url, form_errors=form.apply_errors)
    except ratelimit.SearchLimited as e:  # what was typed stays on the form
        form.add_error(None, e.message)
        return PageSave()


@area_view("residents")
@require_form_methods
@can_change
def resident_create(request):
    household = selectors.household_get(request.user, _int_or_none(request.GET.get("household")))
    form = ResidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = _save_resident(request, form, household=household)
        if outcome.saved:
            resident = outcome.value
            messages.success(request, _("已添加居民%(name)s") % {"name": resident.name})
            return redirect("resident_detail", pk=resident.pk)
    return render(request, "org/resident_form.html", {"form": form, "household": household, "resident": None,
                                                      "crumbs": crumbs(request.user, household)})


@area_view("residents")
@require_form_methods
@can_change
def resident_edit(request, pk: int):
    resident = selectors.resident_get(request.user, pk)
    initial = {f: getattr(resident, f) for f in ("name", "gender", "birth_date", "residency", "relation",
                                                  "occupation", "is_student", "is_finance_staff", "lives_alone", "note",
                                                  "version")}
    form = ResidentForm(request.POST or None, initial=initial, resident=resident,
                        hide_id_derived=_hide_id_derived(request.user, resident))
    outcome = PageSave()
    if request.method == "POST" and form.is_valid():
        outcome = _save_resident(request, form, resident=resident)
        if outcome.saved:
            messages.success(request, _("已保存居民%(name)s") % {"name": outcome.value.name})
            return redirect("resident_detail", pk=outcome.value.pk)
        resident.refresh_from_db()  # the failed service call may have touched the instance
    return render(request, "org/resident_form.html", {"form": form, "household": resident.household, "resident": resident,
                                                      "crumbs": crumbs(request.user, resident),
                                                      "conflict": outcome.conflict}, status=outcome.status)
