"""The risk endpoints of the JSON API (/api/v1/risk/...): same services, rules and scoping as the pages.

Key-person detail is returned only to the roles that see it on the pages; grid workers get
the flag (name, categories, what to watch for). Every read of one file is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from django.utils.translation import gettext as _
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from fanzha.cases.periods import Period
from fanzha.core.access import require
from fanzha.core.audit import audit
from fanzha.core.scoping import get_scoped_or_404, node_for
from fanzha.org.models import Resident
from fanzha.risk import rules, selectors
from fanzha.risk.models import FollowUpMethod, PersonState
from fanzha.risk.reports import risk_figures
from fanzha.risk.services import key_persons as kp_svc
from fanzha.risk.services import sweeps as sw_svc

router = Router(tags=["risk"])
MAX_ID = 2**63 - 1


class CategoryOut(Schema):
    category: str
    next_review_on: Optional[dt.date] = None


class KeyPersonFlagOut(Schema):
    id: int
    name: str
    community_id: Optional[int]
    grid_id: Optional[int]
    categories: list[str]
    watch_for: str


class KeyPersonOut(KeyPersonFlagOut):
    resident_id: Optional[int]
    id_number_masked: str
    phone_masked: str
    address: str
    contacts: str
    detail: str
    officer_id: Optional[int]
    community_worker_id: Optional[int]
    status: str
    opened_on: dt.date
    next_review_on: Optional[dt.date]
    last_follow_up_on: Optional[dt.date]
    reviews: list[CategoryOut]


def _flag(p) -> dict:
    return {"id": p.id, "name": p.name, "community_id": p.community_id, "grid_id": p.grid_id,
            "categories": [c.category for c in p.categories.all()], "watch_for": p.watch_for}


def _full(p) -> dict:
    d = _flag(p)
    d.update({k: getattr(p, k) for k in ("resident_id", "id_number_masked", "phone_masked", "address", "contacts", "detail",
                                         "officer_id", "community_worker_id", "status", "opened_on", "next_review_on",
                                         "last_follow_up_on")})
    d["reviews"] = [{"category": c.category, "next_review_on": c.next_review_on} for c in p.categories.all()]
    return d


class KeyPersonPage(Schema):
    count: int
    detail: bool = Field(..., description="false: the caller sees flags only (grid workers)")
    items: list[dict]


@router.get("/risk/key-persons", response=KeyPersonPage, summary="Key-person files in scope")
def key_person_list(request, node: Optional[int] = Query(None, ge=1, le=MAX_ID), category: str = "",
                    status: str = "open", limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0)):
    """Open files (or `status=closed`/empty for all) at or below `node`; flags only for grid workers."""
    user = request.auth
    qs = selectors.key_persons_for(user, node=node_for(user, node), status=status, category=category).order_by("-opened_on", "-id")
    detail = rules.sees_detail(user)
    rows = list(qs[offset:offset + limit])
    return {"count": qs.count(), "detail": detail, "items": [_full(p) if detail else _flag(p) for p in rows]}


@router.get("/risk/key-persons/overdue", response=KeyPersonPage, summary="Files whose review is overdue")
def key_person_overdue(request, node: Optional[int] = Query(None, ge=1, le=MAX_ID), mine: bool = False,
                       limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0)):
    """Open files whose next review date is before today, most overdue first."""
    user = request.auth
    require(user, rules.sees_detail, _("只有民警、反诈办、领导和社区可查看回访情况"))
    qs = selectors.overdue_reviews(user, node=node_for(user, node), today=timezone.localdate(), mine=mine).prefetch_related("categories")
    rows = list(qs[offset:offset + limit])
    return {"count": qs.count(), "detail": True, "items": [_full(p) for p in rows]}


@router.get("/risk/key-persons/{pk}", response=dict, summary="One key-person file (audited)")
def key_person_get(request, pk: int):
    """The file; flags only for grid workers. The read is written to the audit log."""
    user = request.auth
    p = selectors.key_person_get(user, pk)
    detail = rules.sees_detail(user)
    audit(user=user, action="view", target=f"risk.key_person:{p.pk}", detail=("detail" if detail else "flag") + " · api",
          request=request)
    return _full(p) if detail else _flag(p)


class FollowUpIn(Schema):
    on: dt.date
    method: str = Field(FollowUpMethod.VISIT, description=" / ".join(FollowUpMethod.values))
    content: str = Field(..., max_length=5000)
    state: str = Field(PersonState.STABLE, description=" / ".join(PersonState.values))
    by_names: str = Field("", max_length=200)


@router.post("/risk/key-persons/{pk}/follow-ups", response={201: dict}, summary="Record a follow-up (帮教)")
def follow_up_create(request, pk: int, payload: FollowUpIn):
    """Every category of the file is then due one interval after the follow-up's date."""
    user = request.auth
    require(user, rules.can_write_files, _("您的角色不能记录帮教"))
    p = selectors.key_person_get(user, pk)
    f = kp_svc.follow_up_add(user=user, person=p, **payload.dict())
    p.refresh_from_db()
    return 201, {"id": f.id, "next_review_on": p.next_review_on}


class CheckedPersonIn(Schema):
    resident_id: Optional[int] = Field(None, ge=1, le=MAX_ID)
    name: str = Field("", max_length=50)
    id_number: str = Field("", max_length=30)
    address: str = Field("", max_length=200)
    grid_id: Optional[int] = Field(None, ge=1, le=MAX_ID)
    no_regular_job: bool = False
    frequent_moves: bool = False
    hotspot_ties: bool = False
    note: str = Field("", max_length=300)


class CheckedPersonOut(Schema):
    id: int
    resident_id: Optional[int]
    name: str
    finding: bool
    people_checked: int


@router.post("/risk/sweeps/{pk}/people", response={200: CheckedPersonOut}, summary="Record a person checked in a sweep")
def sweep_person(request, pk: int, payload: CheckedPersonIn):
    """A resident, or a floating person added on the spot; the same person again updates the record."""
    user = request.auth
    require(user, rules.can_record_field, _("您的角色不能记录打卡"))
    sweep = selectors.sweep_get(user, pk)
    resident = get_scoped_or_404(Resident.objects.all(), user, pk=payload.resident_id) if payload.resident_id else None
    grid = next((g for g in selectors.sweep_grids(sweep) if g.id == payload.grid_id), None) if payload.grid_id else None
    sp = sw_svc.person_check(user=user, sweep=sweep, resident=resident, name=payload.name, id_number=payload.id_number,
                             address=payload.address, grid=grid, no_regular_job=payload.no_regular_job,
                             frequent_moves=payload.frequent_moves, hotspot_ties=payload.hotspot_ties, note=payload.note)
    return {"id": sp.id, "resident_id": sp.resident_id, "name": sp.name, "finding": sp.is_finding,
            "people_checked": sweep.people_checked}


@router.get("/risk/sweeps", response=list[dict], summary="Sweeps in scope")
def sweep_list(request, node: Optional[int] = Query(None, ge=1, le=MAX_ID), limit: int = Query(100, ge=1, le=500)):
    user = request.auth
    rows = selectors.sweeps_for(user, node=node_for(user, node))[:limit]
    return [{"id": s.id, "held_on": s.held_on, "starts_at": s.starts_at, "ends_at": s.ends_at, "off_window": s.off_window,
             "people_checked": s.people_checked, "premises_checked": s.premises_checked, "findings": s.findings} for s in rows]


@router.get("/risk/premises", response=list[dict], summary="Premises in scope")
def premises_list(request, node: Optional[int] = Query(None, ge=1, le=MAX_ID), flagged: bool = False,
                  limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0)):
    user = request.auth
    rows = selectors.premises_for(user, node=node_for(user, node), flagged=flagged).order_by("id")[offset:offset + limit]
    return [{"id": p.id, "name": p.name, "kind": p.kind, "address": p.address, "building": p.building, "grid_id": p.grid_id,
             "open_finding": p.open_finding or None, "open_finding_since": p.open_finding_since,
             "last_checked_on": p.last_checked_on} for p in rows]


PERIOD_PATTERN = r"^((199\d|20\d\d|2100)(H[12]|Q[1-4]|-(0?[1-9]|1[0-2]))?)?$"
MONTH_PATTERN = r"^((199\d|20\d\d|2100)-(0[1-9]|1[0-2]))?$"


@router.get("/risk/figures", response=dict, summary="Risk figures of a node and period")
def figures(request, node: Optional[int] = Query(None, ge=1, le=MAX_ID),
            period: str = Query("", pattern=PERIOD_PATTERN, description="2026, 2026H1, 2026Q3 or 2026-07; empty: this year")):
    """The same dict as the figures page and its .xlsx (see fanzha.risk.reports)."""
    user = request.auth
    require(user, rules.sees_detail, _("只有民警、反诈办、领导和社区可查看风险统计"))
    today = timezone.localdate()
    try:
        p = Period.parse(period) if period else Period.containing(today, "year")
    except ValueError as e:
        from django.core.exceptions import ValidationError

        raise ValidationError({"period": [str(e)]}) from None
    return risk_figures(user, node=node_for(user, node), period=p, today=today)


@router.get("/risk/screening", response=list[dict], summary="Monthly screening status per community")
def screening_status(request, month: str = Query("", pattern=MONTH_PATTERN, description="2026-07; empty: this month"),
                     node: Optional[int] = Query(None, ge=1, le=MAX_ID)):
    """Every community in scope: filed (on time or not) or missing; `overdue` once the month has ended."""
    user = request.auth
    today = timezone.localdate()
    try:
        m = dt.date(int(month[:4]), int(month[5:7]), 1) if month else today.replace(day=1)
    except ValueError:
        from django.core.exceptions import ValidationError

        raise ValidationError({"month": ["月份应写成 2026-07"]}) from None
    rows = selectors.screening_status(user, node=node_for(user, node), month=m, today=today)
    return [{"community_id": r["community"].id, "community": r["community"].name, "filed": r["screening"] is not None,
             "on_time": bool(r["screening"] and r["screening"].on_time), "overdue": r["overdue"]} for r in rows]



