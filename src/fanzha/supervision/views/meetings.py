"""Meetings, their decisions turned into tasks, and the task list."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from fanzha.core.access import area_view
from fanzha.supervision import forms as f
from fanzha.supervision import services
from fanzha.supervision import selectors as sel
from fanzha.supervision.models import Decision
from fanzha.supervision.views._common import _attempt, _holder, _street


@area_view("supervision.meetings")
@require_safe
def meetings(request):
    return render(request, "supervision/meetings.html", {"meetings": sel.meetings_for(request.user)[:200],
                                                         "is_office": sel.is_office(request.user)})


@area_view("supervision.manage")
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    street = _street(request)
    if request.method == "GET":
        form = f.MeetingForm(initial={"held_on": timezone.localdate()})
    else:
        form = f.MeetingForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            m = _attempt(form, lambda: services.meeting_record(
                user=request.user, street=street, held_on=d["held_on"], kind=d["kind"], title=d["title"], chair=d["chair"],
                attendees=d["attendees"], place=d["place"], decisions=d["decisions"].splitlines()))
            if m:
                return redirect("supervision:meeting_detail", pk=m.pk)
    return render(request, "supervision/meeting_form.html", {"form": form}, status=400 if request.method == "POST" else 200)


@area_view("supervision.meetings")
@require_safe
def meeting_detail(request, pk: int):
    m = sel.meeting_get(request.user, pk)
    decisions = list(m.decisions.select_related("task"))
    street = sel.street_of(request.user)
    task_form = f.TaskForm(holders=sel.holder_choices(street), initial={"deadline": f.default_deadline(m.held_on)}) if street else None
    return render(request, "supervision/meeting_detail.html", {"m": m, "decisions": decisions, "task_form": task_form,
                                                               "is_office": sel.is_office(request.user)})


@area_view("supervision.manage")
@require_POST
def decision_task(request, pk: int):
    decision = Decision.objects.select_related("meeting").filter(pk=pk).first()
    if decision is None:
        raise Http404
    sel.meeting_get(request.user, decision.meeting_id)  # 404 outside the scope
    street = _street(request)
    form = f.TaskForm(request.POST, holders=sel.holder_choices(street))
    if form.is_valid():
        task = _attempt(form, lambda: services.decision_to_task(user=request.user, decision=decision,
                                                                holders=[_holder(street, form.cleaned_data["holder"])],
                                                                deadline=form.cleaned_data["deadline"]))
        if task:
            messages.success(request, _("已转为交办任务"))
            return redirect("supervision:meeting_detail", pk=decision.meeting_id)
    for m in [*form.non_field_errors(), *[e for errs in form.errors.values() for e in errs]]:
        messages.error(request, m)
    return redirect("supervision:meeting_detail", pk=decision.meeting_id)


@area_view("supervision.meetings")
@require_safe
def tasks(request):
    today = timezone.localdate()
    return render(request, "supervision/tasks.html", {"tasks": sel.tasks_for(request.user)[:300], "today": today})
