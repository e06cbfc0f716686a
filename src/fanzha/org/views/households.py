"""Households: the record with its outreach panel, creating and editing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from fanzha.core.access import allowed, area_view, can_open
from fanzha.core.versioning import PageSave, save_from_form
from fanzha.core.scoping import crumbs
from fanzha.org import selectors, services
from fanzha.org.forms import HouseholdEditForm, HouseholdForm
from fanzha.org.models import Household
from fanzha.org.views._common import _int_or_none, _staff_resident_ids, can_change, require_form_methods


HOUSEHOLD_VISITS_SHOWN = 10
OUTREACH_PANEL = "outreach/_household_outreach.html"  # the outreach app's own panel, used once it exists


def _household_outreach(request, household) -> dict | None:
    """The household's app installs per person and its visit history, with the 走访 button.

    The outreach app's own panel (`outreach/_household_outreach.html`, fed by
    `outreach.selectors.household_outreach`) is used when present; until then
    this app's fallback panel reads the same outreach selectors. Only for
    roles that may open the visit ledger; the button only for those who may
    record a visit.
    """
    from django.template import TemplateDoesNotExist
    from django.template.loader import get_template

    from fanzha.core.access import BY_KEY
    from fanzha.outreach import selectors as osel

    user = request.user
    if not can_open(user, "outreach.visits"):
        return None
    try:
        get_template(OUTREACH_PANEL)
    except TemplateDoesNotExist:
        pass
    else:
        if hasattr(osel, "household_outreach"):
            return {"template": OUTREACH_PANEL, "ho": osel.household_outreach(user, household), "visit_url": ""}
    from fanzha.outreach.models import VisitAction

    people = osel.household_residents(user, household)
    visits = list(osel.visits_for(user).filter(household=household).order_by("-visited_on", "-id")[:HOUSEHOLD_VISITS_SHOWN + 1])
    labels = dict(VisitAction.choices)
    for v in visits:
        v.action_labels = [str(labels.get(a, a)) for a in (v.actions or [])]
    may_visit = can_open(user, "outreach.visit") if "outreach.visit" in BY_KEY else allowed(user, "outreach.record_outreach")
    return {
        "template": "org/_household_outreach.html", "ho": None, "household": household, "people": people,
        "installed": sum(1 for p in people if p.install_row and p.install_row.app_installed_on),
        "visits": visits[:HOUSEHOLD_VISITS_SHOWN], "more_visits": len(visits) > HOUSEHOLD_VISITS_SHOWN,
        "visit_url": reverse("outreach:household_visit", args=[household.pk]) if may_visit else "",
        "ledger_url": f"{reverse('outreach:visit_list')}?node={household.deepest_node_id}&p=year"
        if household.deepest_node_id else "",
    }


@area_view("residents")
@require_safe
def household_detail(request, pk: int):
    household = selectors.household_get(request.user, pk)
    residents = list(selectors.residents_for(request.user).filter(household=household).order_by("id"))
    return render(request, "org/household_detail.html", {
        "h": household, "rows": residents, "staff_ids": _staff_resident_ids(residents),
        "crumbs": crumbs(request.user, household),
        "outreach": _household_outreach(request, household),
    })


@area_view("residents")
@require_form_methods
@can_change
def household_create(request):
    node = selectors.node_get(request.user, _int_or_none(request.GET.get("node")))
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            h = services.household_create(node=node, **form.cleaned_data)
        except ValidationError as e:
            form.apply_errors(e)
        else:
            messages.success(request, _("已添加户：%(address)s") % {"address": h.address})
            return redirect("household_detail", pk=h.pk)
    new = Household()
    new.place_at(node)  # the path of a household placed at the node
    return render(request, "org/household_form.html", {"form": form, "node": node, "h": None,
                                                       "crumbs": crumbs(request.user, new)})


@area_view("residents")
@require_form_methods
@can_change
def household_edit(request, pk: int):
    household = selectors.household_get(request.user, pk)
    form = HouseholdEditForm(request.POST or None, initial={
        "address": household.address, "head_name": household.head_name, "note": household.note,
        "version": household.version})
    outcome = PageSave()
    if request.method == "POST" and form.is_valid():
        outcome = save_from_form(form, lambda: services.household_update(household=household, **form.cleaned_data),
                                 discard_url=reverse("household_detail", args=[household.pk]),
                                 form_errors=form.apply_errors)
        if outcome.saved:
            messages.success(request, _("已保存"))
            return redirect("household_detail", pk=household.pk)
    return render(request, "org/household_form.html", {"form": form, "node": None, "h": household,
                                                       "crumbs": crumbs(request.user, household),
                                                       "conflict": outcome.conflict}, status=outcome.status)
