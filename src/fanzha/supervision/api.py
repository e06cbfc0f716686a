"""The supervision endpoints of the JSON API (/api/v1/): the same services, selectors and scoping as the pages.

- GET  /supervision/overdue                          measures, tasks, rectifications past their deadline, most days first
- GET  /supervision/plans                            the street's plans
- GET  /supervision/plans/{id}                       one plan with its measures and each holder's progress
- GET  /supervision/my-measures                      the caller's own parts of measures (a department, liaison, community)
- POST /supervision/responsibilities/{id}/progress   report progress (% ≤ 100; photos through the page)
- GET  /supervision/rectifications                   rectification notices (a unit: its own)
- GET  /supervision/rectifications/{id}              one notice
- POST /supervision/rectifications/{id}/accept       the office accepts a reported fix
- GET  /supervision/units/{id}/criticism?year=       criticism of a unit in a year (the unit assessment's criterion)

Errors follow fanzha/api.py: 400 with field messages (a report over 100%, accepting a notice with no
reported fix), 403 for a role that may not act, 404 outside the caller's scope — a unit reporting on
another unit's measure gets 404, as if it did not exist.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Router, Schema

from fanzha.core.access import require
from fanzha.core.scoping import get_scoped_or_404
from fanzha.org.models import Unit
from fanzha.supervision import selectors as sel
from fanzha.supervision import services
from fanzha.supervision.models import Rectification, RectificationStatus

router = Router(tags=["supervision"])


DENIED = gettext_lazy("您的角色不能使用督导功能")


class OverdueOut(Schema):
    kind: str
    kind_label: str
    id: int
    title: str
    deadline: dt.date
    days_overdue: int
    holders: str
    url: str
    percent: int | None
    status: str


class OverdueList(Schema):
    total: int
    items: list[OverdueOut]


class PlanOut(Schema):
    id: int
    year: int
    title: str
    start_on: dt.date
    is_example: bool
    copied_from: int | None
    measures: int


class HolderOut(Schema):
    responsibility: int
    holder: str
    unit: int | None
    community: int | None
    is_lead: bool
    percent: int
    last_reported_on: dt.date | None
    completed_on: dt.date | None


class MeasureOut(Schema):
    id: int
    kind: str
    number: int
    title: str
    start_on: dt.date
    deadline: dt.date
    completed_on: dt.date | None
    holders: list[HolderOut]


class PlanDetail(PlanOut):
    items: list[MeasureOut]


class MyMeasureOut(Schema):
    responsibility: int
    measure: int
    title: str
    deadline: dt.date
    is_lead: bool
    holder: str
    percent: int
    completed_on: dt.date | None
    days_overdue: int


class ProgressIn(Schema):
    percent: int
    text: str


class ProgressOut(Schema):
    id: int
    reported_on: dt.date
    percent: int
    measure_completed_on: dt.date | None


class RectificationOut(Schema):
    id: int
    number: str
    to: str
    unit: int | None
    community: int | None
    problem: str
    requirement: str
    issued_on: dt.date
    deadline: dt.date
    status: str
    fix_note: str
    submitted_on: dt.date | None
    accepted_on: dt.date | None
    days_overdue: int
    photos: int


class CriticismOut(Schema):
    id: int
    kind: str
    issuer: str
    issued_on: dt.date
    reason: str


def _holder_out(r) -> dict:
    return {"responsibility": r.pk, "holder": r.holder_name, "unit": r.unit_id,
            "community": None if r.unit_id else r.community_id, "is_lead": r.is_lead, "percent": r.percent,
            "last_reported_on": r.last_reported_on, "completed_on": r.completed_on}


def _plan_out(p) -> dict:
    return {"id": p.pk, "year": p.year, "title": p.title, "start_on": p.start_on, "is_example": p.is_example,
            "copied_from": p.copied_from_id, "measures": getattr(p, "n_measures", None) or p.measures.count()}


def _rect_out(r: Rectification, today: dt.date) -> dict:
    return {"id": r.pk, "number": r.number, "to": r.target.name if r.target else "", "unit": r.unit_id,
            "community": None if r.unit_id else r.community_id, "problem": r.problem, "requirement": r.requirement,
            "issued_on": r.issued_on, "deadline": r.deadline, "status": r.status, "fix_note": r.fix_note,
            "submitted_on": r.submitted_on, "accepted_on": r.accepted_on,
            "days_overdue": sel.days_overdue(r.deadline, today) if r.status != RectificationStatus.ACCEPTED else 0,
            "photos": r.photos.count()}


@router.get("/supervision/overdue", response=OverdueList, summary="Overdue measures, tasks and rectifications")
def overdue(request, limit: int = 100):
    require(request.user, "supervision", DENIED)
    items, total = sel.overdue_items(request.user, limit=max(1, min(limit, sel.OVERDUE_LIMIT)))
    return {"total": total, "items": [i.as_dict() for i in items]}


@router.get("/supervision/plans", response=list[PlanOut], summary="The street's plans")
def plan_list(request):
    require(request.user, "supervision.plans", DENIED)
    return [_plan_out(p) for p in sel.plans_for(request.user).order_by("-year", "title")]


@router.get("/supervision/plans/{int:plan_id}", response=PlanDetail, summary="One plan with its measures")
def plan_detail(request, plan_id: int):
    require(request.user, "supervision.plans", DENIED)
    p = sel.plan_get(request.user, plan_id)
    measures = sel.plan_measures(p)
    return {**_plan_out(p), "items": [
        {"id": m.pk, "kind": m.kind, "number": m.number, "title": m.title, "start_on": m.start_on, "deadline": m.deadline,
         "completed_on": m.completed_on, "holders": [_holder_out(r) for r in m.responsibilities.all()]} for m in measures]}


@router.get("/supervision/my-measures", response=list[MyMeasureOut], summary="The caller's own parts of measures")
def my_measures(request):
    require(request.user, "supervision", DENIED)
    today = timezone.localdate()
    return [{"responsibility": r.pk, "measure": r.measure_id, "title": r.measure.title, "deadline": r.measure.deadline,
             "is_lead": r.is_lead, "holder": r.holder_name, "percent": r.percent, "completed_on": r.completed_on,
             "days_overdue": 0 if r.completed_on else sel.days_overdue(r.measure.deadline, today)}
            for r in sel.my_responsibilities(request.user)]


@router.post("/supervision/responsibilities/{int:responsibility_id}/progress", response={201: ProgressOut},
             summary="Report progress on one's part of a measure")
def progress(request, responsibility_id: int, data: ProgressIn):
    require(request.user, "supervision", DENIED)
    r = sel.responsibility_for_action(request.user, responsibility_id)
    rep = services.progress_report(user=request.user, responsibility=r, percent=data.percent, text=data.text)
    r.measure.refresh_from_db()
    return 201, {"id": rep.pk, "reported_on": rep.reported_on, "percent": rep.percent,
                 "measure_completed_on": r.measure.completed_on}


@router.get("/supervision/rectifications", response=list[RectificationOut], summary="Rectification notices")
def rectification_list(request, status: str = ""):
    require(request.user, "supervision.rectifications", DENIED)
    today = timezone.localdate()
    status = status if status in RectificationStatus.values else ""
    qs = sel.rectifications_for(request.user, status=status).order_by("deadline", "id").prefetch_related("photos")[:500]
    return [_rect_out(r, today) for r in qs]


@router.get("/supervision/rectifications/{int:rect_id}", response=RectificationOut, summary="One rectification notice")
def rectification_detail(request, rect_id: int):
    require(request.user, "supervision.rectifications", DENIED)
    return _rect_out(sel.rectification_get(request.user, rect_id), timezone.localdate())


@router.post("/supervision/rectifications/{int:rect_id}/accept", response=RectificationOut,
             summary="Accept a reported fix (office)")
def rectification_accept(request, rect_id: int):
    require(request.user, "supervision.rectifications", DENIED)
    r = sel.rectification_get(request.user, rect_id)
    require(request.user, "supervision.manage", _("只有反诈办可以验收整改"))
    services.rectification_accept(user=request.user, rectification=r)
    return _rect_out(r, timezone.localdate())


@router.get("/supervision/units/{int:unit_id}/criticism", response=list[CriticismOut],
            summary="Criticism, summons and orders to rectify of a unit in a year")
def unit_criticism(request, unit_id: int, year: int | None = None, county_only: bool = False):
    require(request.user, "supervision", DENIED)
    unit = get_scoped_or_404(Unit.objects.all(), request.user, pk=unit_id)
    rows = sel.unit_criticised_in(unit, year or timezone.localdate().year, county_only=county_only)
    return [{"id": c.pk, "kind": c.kind, "issuer": c.issuer, "issued_on": c.issued_on, "reason": c.reason} for c in rows]


