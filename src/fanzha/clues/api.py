"""The clues endpoints of the JSON API (/api/v1/): the same services, scoping and roles as the pages.

- GET  /clues                      the caller's queue (a department: the clues handed to it)
- POST /clues                      add a clue (staff intake; photos through the page)
- GET  /clues/{id}                 one clue with its hand-offs and timeline
- POST /clues/{id}/check           real / duplicate (with `duplicate_of` receipt code) / no substance
- POST /clues/{id}/hand-off        to the police station (`to: "police"`) or a department (`to: "unit:ID"`)
- POST /clues/{id}/answer          the department's answer (报到)
- POST /clues/{id}/close           the outcome and the public answer
- GET  /clues/figures              the figures of a node and period (the page's report dict)
- POST /public/clues/lookup        a receipt code's public progress (no login; rate limited; 404 when unknown)

Errors follow fanzha/api.py: 400 with field messages, 403 for a role that may
not act, 404 outside the caller's scope (a department acting on a clue not
handed to it gets 404, as if it did not exist).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from fanzha.clues import public, selectors, services
from fanzha.clues.figures import clue_figures
from fanzha.clues.models import Clue, Kind, Outcome, Source, Verdict
from fanzha.clues.services.intake import department_units
from fanzha.clues.services.workflow import may_answer
from fanzha.clues.subjects import pairs_from_texts
from fanzha.core.access import public_view, require
from fanzha.org.models import Node

router = Router(tags=["clues"])


class SubjectOut(Schema):
    kind: str
    shown: str


class HandoffOut(Schema):
    id: int
    to: str
    target: str
    status: str
    handed_at: dt.datetime
    due_at: dt.datetime
    answered_at: dt.datetime | None
    accepted: bool | None
    action: str
    result: str
    within_deadline: bool | None
    escalated_at: dt.datetime | None


class EventOut(Schema):
    at: dt.datetime
    kind: str
    text: str
    user: str


class ClueOut(Schema):
    id: int
    receipt_code: str
    source: str
    kind: str
    status: str
    status_label: str
    verdict: str
    outcome: str
    summary: str
    place_text: str
    node_id: int | None
    received_at: dt.datetime
    handed_to: str
    due_at: dt.datetime | None
    overdue: bool
    merged_into: int | None
    public_outcome: str
    subjects: list[SubjectOut]


class ClueDetailOut(ClueOut):
    handoffs: list[HandoffOut]
    events: list[EventOut]
    duplicates: list[int]


def _out(c: Clue, subjects=None) -> dict:
    from django.utils import timezone

    return {
        "id": c.pk, "receipt_code": c.receipt_code, "source": c.source, "kind": c.kind, "status": c.status,
        "status_label": str(c.get_status_display()), "verdict": c.verdict, "outcome": c.outcome, "summary": c.summary,
        "place_text": c.place_text, "node_id": c.deepest_node_id, "received_at": c.received_at,
        "handed_to": c.handed_to_label if c.status == "handed" else "", "due_at": c.due_at,
        "overdue": bool(c.status == "handed" and c.due_at and c.due_at < timezone.now()),
        "merged_into": c.merged_into_id, "public_outcome": c.public_outcome,
        "subjects": [{"kind": s.kind, "shown": s.shown} for s in (subjects if subjects is not None else c.subjects.all())],
    }


DENIED = gettext_lazy("您的角色不能查看线索")


class QueueFilters(Schema):
    tab: Literal["new", "checked", "handed", "overdue", "answered", "closed", "all"] = "all"
    source: str = ""
    kind: str = ""
    q: str = ""
    limit: int = 100
    offset: int = 0


@router.get("/clues", response=list[ClueOut], summary="The caller's clues (a department: those handed to it)")
def clue_list(request, filters: Query[QueueFilters]):
    """Newest first (handed and overdue: earliest deadline first); at most 500 per call (`limit`, `offset`)."""
    require(request.user, "clues", DENIED)
    limit = max(1, min(filters.limit, 500))
    qs = selectors.clue_queue(request.user, filters.tab, source=filters.source if filters.source in Source.values else "",
                              kind=filters.kind if filters.kind in Kind.values else "", q=filters.q[:50])
    rows = list(qs.prefetch_related("subjects")[max(0, filters.offset):max(0, filters.offset) + limit])
    return [_out(c) for c in rows]


class ClueIn(Schema):
    summary: str
    source: Literal["staff", "sweep", "premises", "wechat", "p12337", "other"] = "staff"
    kind: str = Kind.OTHER
    node_id: int
    place_text: str = ""
    occurred_on: dt.date | None = None
    phones: str = ""
    accounts: str = ""
    urls: str = ""
    apps: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""


@router.post("/clues", response={201: ClueOut}, summary="Add a clue (staff intake)")
def clue_create(request, data: ClueIn):
    require(request.user, "clues.new", DENIED)
    node = Node.objects.filter(pk=data.node_id).first()
    if node is None:  # a reference to a missing record answers 404, as in a path
        raise Http404
    clue = services.clue_create_from(
        source=data.source, node=node, summary=data.summary, kind=data.kind, place_text=data.place_text,
        occurred_on=data.occurred_on, reporter_name=data.reporter_name, reporter_phone=data.reporter_phone,
        subjects=pairs_from_texts(phones=data.phones, accounts=data.accounts, urls=data.urls, apps=data.apps),
        user=request.user)
    return 201, _out(clue)


def _detail(request, clue: Clue) -> dict:
    out = _out(clue)
    out["handoffs"] = [{
        "id": h.pk, "to": h.target_key, "target": h.target_label, "status": h.status, "handed_at": h.handed_at,
        "due_at": h.due_at, "answered_at": h.answered_at, "accepted": h.accepted, "action": h.action,
        "result": h.result, "within_deadline": h.within_deadline, "escalated_at": h.escalated_at,
    } for h in selectors.handoffs_of(clue)]
    out["events"] = [{"at": e.at, "kind": e.kind, "text": e.text, "user": str(e.user) if e.user else ""}
                     for e in clue.events.select_related("user").order_by("at", "id")]
    out["duplicates"] = [c.pk for c, _what in selectors.duplicates_of(request.user, clue)]
    return out


@router.get("/clues/figures", summary="Clue figures of a node and period")
def clue_figures_api(request, node: int | None = None, start: dt.date | None = None, end: dt.date | None = None,
                     period: str = ""):
    """The report dict of the figures page: totals, by source / kind / status, outcomes, mean times
    (hours), per-department answers within the deadline, monthly trend, children of the node."""
    from fanzha.alerts.figures import Window
    from fanzha.core.scoping import node_for

    require(request.user, "clues.figures", DENIED)
    n = node_for(request.user, node)
    try:
        window = Window.between(start, end) if start and end else Window.parse(period)
    except ValueError as e:
        raise ValidationError({"period": str(e)}) from None
    return clue_figures(request.user, node=n, window=window)


@router.get("/clues/{int:clue_id}", response=ClueDetailOut, summary="One clue")
def clue_detail(request, clue_id: int):
    require(request.user, "clues", DENIED)
    return _detail(request, selectors.clue_get(request.user, clue_id))


class CheckIn(Schema):
    verdict: Literal["real", "duplicate", "no_substance"]
    duplicate_of: str = ""
    kind: str = ""
    note: str = ""


@router.post("/clues/{int:clue_id}/check", response=ClueDetailOut, summary="Check a new clue")
def clue_check(request, clue_id: int, data: CheckIn):
    require(request.user, "clues", DENIED)
    clue = selectors.clue_get(request.user, clue_id)
    dup = None
    if data.verdict == Verdict.DUPLICATE:
        code = "".join(ch for ch in data.duplicate_of if ch.isdigit())
        dup = selectors.clues_for(request.user).filter(receipt_code=code).first() if code else None
        if dup is None:
            raise ValidationError({"duplicate_of": _("找不到该回执码的线索")})
    c = services.clue_check(clue=clue, user=request.user, verdict=data.verdict, duplicate_of=dup, note=data.note,
                            kind=data.kind if data.kind in Kind.values else None)
    return _detail(request, c)


class HandoffIn(Schema):
    to: str  # "police" or "unit:<id>"
    days: int = 3
    instructions: str = ""


@router.post("/clues/{int:clue_id}/hand-off", response=ClueDetailOut, summary="Hand a clue to the police station or a department")
def clue_hand_off(request, clue_id: int, data: HandoffIn):
    require(request.user, "clues", DENIED)
    clue = selectors.clue_get(request.user, clue_id)
    unit = None
    if data.to != "police":
        unit = next((u for u in department_units(clue.street_id) if f"unit:{u.pk}" == data.to), None)
        if unit is None:
            raise ValidationError({"to": _("交办对象应为 police 或本街道职能部门 unit:ID")})
    services.clue_hand_off(clue=clue, user=request.user, to_police=data.to == "police", unit=unit, days=data.days,
                           instructions=data.instructions)
    return _detail(request, selectors.clue_get(request.user, clue_id))


class AnswerIn(Schema):
    accepted: bool = True
    action: str = ""
    result: str = ""


@router.post("/clues/{int:clue_id}/answer", response=ClueDetailOut, summary="The department's answer (报到)")
def clue_answer(request, clue_id: int, data: AnswerIn):
    """404 for a clue not handed to the caller (a department sees only its own)."""
    require(request.user, "clues", DENIED)
    clue = selectors.clue_get(request.user, clue_id)
    if not may_answer(request.user, clue):
        if selectors.is_department_only(request.user):
            raise Http404
        raise PermissionDenied(_("这条线索没有交办给您"))
    services.clue_answer(clue=clue, user=request.user, accepted=data.accepted, action=data.action, result=data.result)
    clue = Clue.objects.get(pk=clue.pk)
    return _detail(request, clue) if selectors.clues_for(request.user).filter(pk=clue.pk).exists() else \
        {**_detail(request, clue), "events": [], "duplicates": []}


class CloseIn(Schema):
    outcome: Literal[tuple(Outcome.values)]  # type: ignore[valid-type]
    public_outcome: str = ""
    note: str = ""


@router.post("/clues/{int:clue_id}/close", response=ClueDetailOut, summary="Close a clue with its outcome")
def clue_close(request, clue_id: int, data: CloseIn):
    require(request.user, "clues", DENIED)
    clue = selectors.clue_get(request.user, clue_id)
    c = services.clue_close(clue=clue, user=request.user, outcome=data.outcome, public_outcome=data.public_outcome,
                            note=data.note)
    return _detail(request, c)


class LookupIn(Schema):
    code: str


class LookupOut(Schema):
    receipt: str
    status: str
    status_label: str
    public_outcome: str
    received_on: dt.date
    updated_on: dt.date
    merged: bool


@router.post("/public/clues/lookup", auth=None, response={200: LookupOut, 404: dict, 429: dict},
             summary="A receipt code's public progress (no login)")
@public_view
def clue_lookup(request, data: LookupIn):
    """Only public fields. Unknown, malformed and guessed codes all answer 404; rate limited per address (429)."""
    if not public.lookup_allowed(public.client_address(request) or ""):
        raise HttpError(429, _("查询次数太多，请稍后再试"))
    found = public.lookup(data.code[:40])
    if found is None:
        raise HttpError(404, _("没有查到这个回执码"))
    return 200, found
