"""Outreach in the JSON API (/api/v1/outreach/...): the same selectors, services
and scoping as the pages. Writes need `outreach.record_outreach` (targets:
`outreach.manage_install_targets`); anything outside the caller's part of the
tree answers 404. Evidence files are uploaded through the pages."""

from __future__ import annotations

import datetime as dt
from typing import Literal, Optional

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from fanzha.core.access import require
from fanzha.core.scoping import get_scoped_or_404, node_for, scoped
from fanzha.org import selectors as org_selectors
from fanzha.org.models import Level, Node, Resident, StaffMember
from fanzha.outreach import reports, services
from fanzha.outreach import selectors as sel
from fanzha.cases.fraud_types import FraudType
from fanzha.outreach.models import FLAGS, Activity, ActivityKind, Audience, InstallStatus, InstallTarget, Venue, VisitAction
from fanzha.outreach.periods import ReportPeriod, preset, year_start

router = Router(tags=["outreach"])
MAX_ID = 2**63 - 1


def _user(request):
    return request.auth


def _node(user, node_id: int | None) -> Node:
    node = node_for(user, node_id, first=True)
    if node is None:
        raise Http404
    return node


def _period(start: dt.date | None, end: dt.date | None) -> ReportPeriod:
    today = timezone.localdate()
    if start is None and end is None:
        return preset("semimonth", today)
    end = min(end or today, today)
    start = start or year_start(end)
    if start > end:
        raise ValidationError({"start": ["起始日期不能晚于截止日期"]})
    return ReportPeriod(start, end)


def _node_out(info) -> dict:
    return {"id": info.id, "name": info.name, "level": info.level, "parent_id": info.parent_id}


# --- roll-ups -----------------------------------------------------------------------------


@router.get("/outreach/rates", summary="Visit coverage and install rates of a node and the nodes under it")
def rates(request, node: Optional[int] = Query(None, ge=1, le=MAX_ID), start: Optional[dt.date] = None,
          end: Optional[dt.date] = None, since: Optional[dt.date] = None,
          depth: Literal["children", "all"] = "children"):
    """Coverage (households visited in the period / households) and app, call warning and
    jinzhongzhao rates (residents / residents) as of the period's end. `depth=all` returns
    every node down to grids (the whole county: ~1,660 nodes)."""
    user = _user(request)
    root = _node(user, node)
    period = _period(start, end)
    rolled = sel.rollup(user, root, period=period, since=since or year_start(period.end))
    nodes = rolled.children() if depth == "children" else [n for n in rolled.nodes.values() if n.id != root.id]
    return {
        "node": {"id": root.id, "name": root.name, "level": root.level},
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "since": (since or year_start(period.end)).isoformat(),
        "total": rolled.total.as_dict(),
        "nodes": [dict(_node_out(n), **rolled.of(n.id).as_dict()) for n in nodes],
    }


@router.get("/outreach/units/rates", summary="Staff install rates by unit type or by unit")
def unit_rates(request, node: Optional[int] = Query(None, ge=1, le=MAX_ID), unit: Optional[int] = Query(None, ge=1, le=MAX_ID),
               by: Literal["kind", "unit"] = "kind", as_of: Optional[dt.date] = None):
    user = _user(request)
    node_obj = org_selectors.node_get(user, node) if node else None
    unit_obj = org_selectors.unit_get(user, unit) if unit else None
    return {"by": by, "rows": sel.unit_rates(user, node=node_obj, unit=unit_obj, as_of=as_of or timezone.localdate(), by=by)}


# --- targets -------------------------------------------------------------------------------


class TargetIn(Schema):
    node_id: int = Field(..., ge=1, le=MAX_ID)
    group: Literal["residents", "street_staff", "industry_staff", "all", "departments"]
    rate: float
    deadline: dt.date
    note: str = Field("", max_length=200)


def _target_out(t: InstallTarget) -> dict:
    return {"id": t.id, "node": {"id": t.node_id, "name": t.node.name}, "group": t.group, "rate": float(t.rate),
            "deadline": t.deadline.isoformat(), "note": t.note, "historical": t.historical}


@router.get("/outreach/targets", summary="Install targets applying to a node (set on it or above)")
def list_targets(request, node: Optional[int] = Query(None, ge=1, le=MAX_ID)):
    user = _user(request)
    return [_target_out(t) for t in sel.targets_for(user, node=_node(user, node))]


@router.post("/outreach/targets", response={201: dict}, summary="Set an install target (rate ≤ 100%, deadline ahead)")
def set_target(request, payload: TargetIn):
    user = _user(request)
    target_node = org_selectors.node_get(user, payload.node_id)
    require(user, "outreach.manage_install_targets")
    t = services.install_target_set(user=user, node=target_node, group=payload.group, rate=payload.rate,
                                    deadline=payload.deadline, note=payload.note)
    return 201, _target_out(t)


@router.delete("/outreach/targets/{int:target_id}", response={204: None})
def delete_target(request, target_id: int):
    user = _user(request)
    t = InstallTarget.objects.filter(pk=target_id, node__in=scoped(Node.objects.all(), user)).first()
    if t is None:
        raise Http404
    require(user, "outreach.manage_install_targets")
    services.install_target_delete(target=t)
    return 204, None


@router.get("/outreach/targets/progress", summary="Rate, target, deadline, gap and projection per node")
def target_progress(request, node: Optional[int] = Query(None, ge=1, le=MAX_ID),
                    group: Literal["residents", "street_staff", "industry_staff", "all", "departments"] = "residents",
                    level: Optional[Literal["street", "community", "grid"]] = None, as_of: Optional[dt.date] = None):
    user = _user(request)
    root = _node(user, node)
    data = sel.install_progress(user, root, level=level, group=group, as_of=min(as_of or timezone.localdate(), timezone.localdate()))
    return {"as_of": data["as_of"].isoformat(), "level": data["level"], "group": group, "pace_weeks": data["pace_weeks"],
            "root": data["root"].as_dict() if data["root"] else None, "rows": [p.as_dict() for p in data["rows"]],
            "behind": [p.as_dict() for p in data["behind"]]}


@router.get("/outreach/visit-coverage", summary="Home-visit publicity rate (入户宣传率) against its 100% target")
def visit_coverage(request, node: Optional[int] = Query(None, ge=1, le=MAX_ID), start: Optional[dt.date] = None,
                   end: Optional[dt.date] = None):
    """Households reached (visited at least once from `start` to `end`, default this month to date) of the node and
    each node one level down, with status (met / in_progress / missed / no_households) and households not reached."""
    user = _user(request)
    root = _node(user, node)
    today = timezone.localdate()
    end = min(end or today, today)
    start = start or end.replace(day=1)
    if start > end:
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext

        raise ValidationError({"start": [gettext("开始日期不能晚于结束日期")]})
    return sel.visit_coverage(user, root, period=ReportPeriod(start, end), today=today)


# --- activities -----------------------------------------------------------------------------


class ActivityIn(Schema):
    node_id: Optional[int] = Field(None, ge=1, le=MAX_ID)
    unit_id: Optional[int] = Field(None, ge=1, le=MAX_ID)
    held_on: dt.date
    place: str = Field(..., max_length=200)
    organiser: str = Field(..., max_length=100)
    kind: Literal[tuple(ActivityKind.values)]  # type: ignore[valid-type]
    venue: Literal[tuple(Venue.values)]  # type: ignore[valid-type]
    audiences: list[Literal[tuple(Audience.values)]] = Field(default_factory=list, max_length=20)  # type: ignore[valid-type]
    participants: int = Field(0, ge=0, le=1_000_000)
    materials: int = Field(0, ge=0, le=1_000_000)
    fraud_types: list[Literal[tuple(FraudType.values)]] = Field(default_factory=list, max_length=20)  # type: ignore[valid-type]
    summary: str = Field("", max_length=5000)


def _activity_out(a: Activity) -> dict:
    return {"id": a.id, "held_on": a.held_on.isoformat(), "node_id": a.node_id, "unit_id": a.unit_id, "place": a.place,
            "organiser": a.organiser, "kind": a.kind, "kind_label": str(a.get_kind_display()), "venue": a.venue,
            "audiences": a.audiences, "participants": a.participants, "materials": a.materials,
            "fraud_types": a.fraud_types, "summary": a.summary,
            "evidence": [{"id": e.id, "kind": e.kind, "taken_at": e.taken_at.isoformat() if e.taken_at else None}
                         for e in a.evidence.all()]}


@router.get("/outreach/activities", summary="Activities in the caller's scope")
def list_activities(request, node: Optional[int] = Query(None, ge=1, le=MAX_ID), start: Optional[dt.date] = None,
                    end: Optional[dt.date] = None, kind: str = Query("", max_length=20),
                    limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=10**9)):
    user = _user(request)
    node_obj = org_selectors.node_get(user, node) if node else None
    qs = sel.activities_for(user, node=node_obj, start=start, end=end, kind=kind).order_by("-held_on", "-id")
    return {"total": qs.count(), "totals": sel.activity_totals(qs),
            "items": [_activity_out(a) for a in qs.prefetch_related("evidence")[offset:offset + limit]]}


@router.get("/outreach/activities/{int:activity_id}")
def get_activity(request, activity_id: int):
    return _activity_out(sel.activity_get(_user(request), activity_id))


@router.post("/outreach/activities", response={201: dict}, summary="Record an activity (evidence through the page)")
def create_activity(request, payload: ActivityIn):
    user = _user(request)
    node = org_selectors.node_get(user, payload.node_id) if payload.node_id else None
    unit = org_selectors.unit_get(user, payload.unit_id) if payload.unit_id else None
    require(user, "outreach.record_outreach")
    data = services.ActivityData(**payload.dict(exclude={"node_id", "unit_id"}))
    a = services.activity_record(user=user, node=node, unit=unit, data=data)
    return 201, _activity_out(a)


@router.put("/outreach/activities/{int:activity_id}", summary="Correct an activity")
def update_activity(request, activity_id: int, payload: ActivityIn):
    """Changes what was recorded; the organising node or unit stays as recorded."""
    user = _user(request)
    a = sel.activity_get(user, activity_id)
    require(user, "outreach.record_outreach")
    if not services.can_change_activity(user, a):
        raise PermissionDenied("只有登记人和街道办可以修改")
    data = services.ActivityData(**payload.dict(exclude={"node_id", "unit_id"}))
    return _activity_out(services.activity_update(user=user, activity=a, data=data, request=request))


# --- visits and installs ----------------------------------------------------------------------


class InstallTick(Schema):
    resident_id: int = Field(..., ge=1, le=MAX_ID)
    app: Optional[bool] = None
    call_warning: Optional[bool] = None
    jinzhongzhao: Optional[bool] = None


class VisitIn(Schema):
    household_id: int = Field(..., ge=1, le=MAX_ID)
    visited_on: dt.date
    visitors: str = Field(..., max_length=100)
    actions: list[Literal[tuple(VisitAction.values)]] = Field(default_factory=list, max_length=20)  # type: ignore[valid-type]
    materials: int = Field(0, ge=0, le=1_000_000)
    note: str = Field("", max_length=2000)
    verifier: str = Field("", max_length=50)
    installs: list[InstallTick] = Field(default_factory=list, max_length=50)


@router.post("/outreach/visits", response={201: dict}, summary="Record a home visit with the residents' install ticks")
def create_visit(request, payload: VisitIn):
    """Each tick sets (true) or clears (false) a flag; a flag left out is not touched.
    Flags set here are dated with the visit date."""
    user = _user(request)
    household = org_selectors.household_get(user, payload.household_id)
    require(user, "outreach.record_outreach")
    residents = {r.id: r for r in scoped(Resident.objects.filter(household=household), user)}
    changes = []
    for tick in payload.installs:
        r = residents.get(tick.resident_id)
        if r is None:
            raise ValidationError({"installs": [f"居民{tick.resident_id}不是本户成员"]})
        for flag in FLAGS:
            value = getattr(tick, flag)
            if value is not None:
                changes.append(services.InstallChange(person=r, flag=flag, done=value))
    v = services.home_visit_record(user=user, household=household, visited_on=payload.visited_on, visitors=payload.visitors,
                                   actions=payload.actions, materials=payload.materials, note=payload.note,
                                   installs=changes, verifier=payload.verifier)
    return 201, {"id": v.id, "household_id": v.household_id, "visited_on": v.visited_on.isoformat(), "visitors": v.visitors,
                 "actions": v.actions, "installs_changed": len(changes)}


@router.get("/outreach/visits", summary="Home visits in the caller's scope")
def list_visits(request, node: Optional[int] = Query(None, ge=1, le=MAX_ID), start: Optional[dt.date] = None,
                end: Optional[dt.date] = None, limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=10**9)):
    user = _user(request)
    node_obj = org_selectors.node_get(user, node) if node else None
    qs = sel.visits_for(user, node=node_obj, start=start, end=end).order_by("-visited_on", "-id")
    return {"total": qs.count(), "totals": sel.visit_totals(qs),
            "items": [{"id": v.id, "household_id": v.household_id, "visited_on": v.visited_on.isoformat(),
                       "visitors": v.visitors, "actions": v.actions, "materials": v.materials}
                      for v in qs[offset:offset + limit]]}


class InstallIn(Schema):
    app_installed_on: Optional[dt.date] = None
    call_warning_on: Optional[dt.date] = None
    jinzhongzhao_on: Optional[dt.date] = None
    verifier: str = Field("", max_length=50)


def _install_out(row: InstallStatus | None) -> dict:
    def d(v):
        return v.isoformat() if v else None

    if row is None:
        return {"app_installed_on": None, "call_warning_on": None, "jinzhongzhao_on": None}
    return {"app_installed_on": d(row.app_installed_on), "app_verifier": row.app_verifier,
            "call_warning_on": d(row.call_warning_on), "call_warning_verifier": row.call_warning_verifier,
            "jinzhongzhao_on": d(row.jinzhongzhao_on), "jinzhongzhao_verifier": row.jinzhongzhao_verifier}


def _person(user, kind: str, pk: int):
    if kind == "residents":
        return get_scoped_or_404(Resident.objects.all(), user, pk=pk)
    if kind == "staff":
        return get_scoped_or_404(StaffMember.objects.all(), user, pk=pk)
    raise Http404


@router.get("/outreach/installs/{kind}/{int:person_id}", summary="A resident's or staff member's install state")
def get_install(request, kind: Literal["residents", "staff"], person_id: int):
    p = _person(_user(request), kind, person_id)
    return _install_out(InstallStatus.objects.filter(**{"resident" if kind == "residents" else "staff": p}).first())


@router.put("/outreach/installs/{kind}/{int:person_id}", summary="Set a person's three dates (null clears; no future dates)")
def put_install(request, kind: Literal["residents", "staff"], person_id: int, payload: InstallIn):
    user = _user(request)
    p = _person(user, kind, person_id)
    require(user, "outreach.record_outreach")
    row = services.install_set(user=user, person=p, app_installed_on=payload.app_installed_on,
                               call_warning_on=payload.call_warning_on, jinzhongzhao_on=payload.jinzhongzhao_on,
                               verifier=payload.verifier)
    return _install_out(row)


# --- WeChat pushes and school letters ---------------------------------------------------------


class PushIn(Schema):
    node_id: int = Field(..., ge=1, le=MAX_ID)
    group_name: str = Field(..., max_length=100)
    pushed_on: dt.date
    title: str = Field(..., max_length=200)
    content_kind: Literal["text", "image", "video", "link"] = "text"


@router.post("/outreach/wechat-pushes", response={201: dict}, summary="Record a WeChat-group push")
def create_push(request, payload: PushIn):
    user = _user(request)
    node = org_selectors.node_get(user, payload.node_id)
    require(user, "outreach.record_outreach")
    p = services.wechat_push_record(user=user, node=node, group_name=payload.group_name, pushed_on=payload.pushed_on,
                                    title=payload.title, content_kind=payload.content_kind)
    return 201, {"id": p.id, "node_id": p.node_id, "pushed_on": p.pushed_on.isoformat(), "group_name": p.group_name}


@router.get("/outreach/wechat/weeks", summary="Pushes per community and week; community-weeks below two")
def push_weeks(request, node: Optional[int] = Query(None, ge=1, le=MAX_ID), start: Optional[dt.date] = None,
               end: Optional[dt.date] = None):
    user = _user(request)
    root = _node(user, node)
    end = min(end or timezone.localdate(), timezone.localdate())
    start = start or end - dt.timedelta(weeks=6)
    data = sel.push_weeks(user, root, start=start, end=end)
    return {"weeks": [w.isoformat() for w in data["weeks"]],
            "rows": [{"id": r["id"], "name": r["name"], "total": r["total"], "short_weeks": r["short_weeks"],
                      "counts": [c["count"] for c in r["cells"]]} for r in data["rows"]],
            "short": [dict(s, week=s["week"].isoformat()) for s in data["short"]]}


class ClassRow(Schema):
    class_name: str = Field(..., max_length=50)
    letters_sent: int = Field(..., ge=0, le=100000)
    receipts_returned: int = Field(0, ge=0, le=100000)


class LetterIn(Schema):
    unit_id: int = Field(..., ge=1, le=MAX_ID)
    title: str = Field(..., max_length=200)
    sent_on: dt.date
    classes: list[ClassRow] = Field(..., max_length=500)
    note: str = Field("", max_length=500)


def _letter_out(letter) -> dict:
    rows = list(letter.receipts.order_by("class_name"))
    sent, returned = sum(r.letters_sent for r in rows), sum(r.receipts_returned for r in rows)
    return {"id": letter.id, "unit_id": letter.unit_id, "title": letter.title, "sent_on": letter.sent_on.isoformat(),
            "sent": sent, "returned": returned, "rate": sel.pct(returned, sent),
            "classes": [{"class_name": r.class_name, "letters_sent": r.letters_sent, "receipts_returned": r.receipts_returned}
                        for r in rows]}


@router.post("/outreach/letters", response={201: dict}, summary="A school's letter home with letters per class")
def create_letter(request, payload: LetterIn):
    user = _user(request)
    unit = org_selectors.unit_get(user, payload.unit_id)
    require(user, "outreach.record_outreach")
    letter = services.school_letter_create(user=user, unit=unit, title=payload.title, sent_on=payload.sent_on,
                                           classes=[(c.class_name, c.letters_sent) for c in payload.classes], note=payload.note)
    if any(c.receipts_returned for c in payload.classes):
        services.receipts_update(user=user, letter=letter, rows=[(c.class_name, c.letters_sent, c.receipts_returned)
                                                                for c in payload.classes])
    return 201, _letter_out(letter)


class ReceiptsIn(Schema):
    classes: list[ClassRow] = Field(..., max_length=500)


@router.put("/outreach/letters/{int:letter_id}/receipts", summary="Receipts returned per class")
def put_receipts(request, letter_id: int, payload: ReceiptsIn):
    user = _user(request)
    letter = sel.letter_get(user, letter_id)
    require(user, "outreach.record_outreach")
    services.receipts_update(user=user, letter=letter, rows=[(c.class_name, c.letters_sent, c.receipts_returned)
                                                            for c in payload.classes])
    return _letter_out(letter)


@router.get("/outreach/letters/receipts", summary="Letters sent and receipts returned per school")
def receipts(request, node: Optional[int] = Query(None, ge=1, le=MAX_ID), start: Optional[dt.date] = None,
             end: Optional[dt.date] = None):
    user = _user(request)
    node_obj = org_selectors.node_get(user, node) if node else None
    letters = sel.letters_for(user, node=node_obj, start=start, end=end)
    return {"total": sel.receipt_totals(letters), "schools": sel.receipts_by_school(letters)}


# --- targeted list and reports -------------------------------------------------------------------


@router.get("/outreach/targeted", summary="A grid's households ranked for a visit, with reasons (点对点)")
def targeted(request, node: int = Query(..., ge=1, le=MAX_ID), limit: int = Query(100, ge=1, le=1000)):
    user = _user(request)
    grid = org_selectors.node_get(user, node)
    if grid.level not in (Level.GRID, Level.GROUP):
        raise ValidationError({"node": ["请指定网格或十联户"]})
    data = sel.targeted_list(user, grid, limit=limit)
    return dict(data, today=data["today"].isoformat(), items=[c.as_dict() for c in data["items"]])


@router.get("/outreach/reports/semimonthly", summary="The semimonthly report's figures and tables (as in the files)")
def report_semimonthly(request, date: dt.date, node: Optional[int] = Query(None, ge=1, le=MAX_ID)):
    user = _user(request)
    if date > timezone.localdate():
        raise ValidationError({"date": ["报送日期不能在未来"]})
    return reports.semimonthly_data(user, _node(user, node), date)


@router.get("/outreach/reports/unit-monthly", summary="The units' monthly report's figures and tables")
def report_unit_monthly(request, date: dt.date, node: Optional[int] = Query(None, ge=1, le=MAX_ID),
                        unit: Optional[int] = Query(None, ge=1, le=MAX_ID)):
    user = _user(request)
    if date > timezone.localdate():
        raise ValidationError({"date": ["报送日期不能在未来"]})
    if unit:
        return reports.unit_monthly_data(user, unit=org_selectors.unit_get(user, unit), report_date=date)
    return reports.unit_monthly_data(user, node=_node(user, node), report_date=date)


@router.get("/outreach/reports", summary="Reports the worker made and kept")
def stored_reports(request, node: Optional[int] = Query(None, ge=1, le=MAX_ID), limit: int = Query(50, ge=1, le=500)):
    user = _user(request)
    node_obj = org_selectors.node_get(user, node) if node else None
    return [{"id": r.id, "kind": r.kind, "node": {"id": r.node_id, "name": r.node.name}, "report_date": r.report_date.isoformat(),
             "period": {"start": r.period_start.isoformat(), "end": r.period_end.isoformat()}, "figures": r.figures,
             "xlsx": reverse("outreach:report_download", args=[r.id, "xlsx"]),
             "docx": reverse("outreach:report_download", args=[r.id, "docx"])}
            for r in sel.reports_for(user, node=node_obj)[:limit]]

