"""Cases, classification and case statistics in the JSON API (/api/v1/cases...)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal, Optional

from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from fanzha.cases import selectors, services
from fanzha.cases.classifier import classify
from fanzha.cases.models import Case
from fanzha.cases.periods import Period
from fanzha.cases.fraud_types import FraudType
from fanzha.cases.models import Channel
from fanzha.core.access import require
from fanzha.core.api_types import PERIOD_PATTERN, Money
from fanzha.core.scoping import get_scoped_or_404, node_for
from fanzha.org import selectors as org_selectors
from fanzha.org.models import Level, Node, Resident, Unit

router = Router(tags=["cases"])
PERIOD_DOC = "'' or 2024, 2024H1, 2024Q3, 2024-07"
MAX_ID = 2**63 - 1


class ClassifyIn(Schema):
    text: str = Field(..., max_length=20000)


class EvidenceOut(Schema):
    type: str
    matched: str
    pattern: str = ""
    weight: float
    start: int
    end: int


class ClassifyOut(Schema):
    type: str
    label: str
    confidence: float
    evidence: list[EvidenceOut]
    alternatives: list[dict]
    explanation: str


def _suggestion_out(text: str) -> dict:
    from fanzha.cases.classifier import explain

    s = classify(text)
    evidence = []
    for e in s.evidence:
        e = dict(e)
        evidence.append({"type": str(e.get("type", s.type)), "matched": e.get("matched", ""),
                         "pattern": str(e.get("pattern") or e.get("words") or ""), "weight": float(e.get("weight", 0)),
                         "start": int(e.get("start", 0)), "end": int(e.get("end", 0))})
    return {"type": str(s.type), "label": str(s.label), "confidence": float(s.confidence), "evidence": evidence,
            "alternatives": [dict(a) for a in s.alternatives], "explanation": explain(s)}


@router.post("/cases/classify", response=ClassifyOut, summary="Suggest the fraud type of a narrative")
def classify_text(request, payload: ClassifyIn):
    """The suggested fraud type, its confidence and the words or patterns that decided it."""
    return _suggestion_out(payload.text)


class CaseOut(Schema):
    id: int
    number: str
    reported_on: dt.date
    loss_on: dt.date
    outcome: str = Field(description="completed (既遂) or attempted (未遂)")
    victim_id: Optional[int]
    victim_name: str
    victim_age: Optional[int]
    victim_gender: str
    community_id: Optional[int]
    grid_id: Optional[int]
    staff_link: str
    unit_id: Optional[int]
    loss: Decimal
    stopped: Decimal
    fraud_type: str
    fraud_type_label: str
    suggested_type: str
    channel: str
    narrative: str
    is_major: bool
    version: int = Field(description="send it back with an edit: a case saved by someone else since answers 409")

    @staticmethod
    def resolve_fraud_type_label(obj: Case) -> str:
        return str(obj.get_fraud_type_display())


class CaseIn(Schema):
    number: str = Field("", max_length=40)
    reported_on: dt.date
    loss_on: dt.date
    outcome: Literal["completed", "attempted"] = Field("completed", description="既遂 (completed) or 未遂 (attempted)")
    victim_id: Optional[int] = Field(None, ge=1, le=MAX_ID)
    community_id: Optional[int] = Field(None, ge=1, le=MAX_ID)
    victim_name: str = Field("", max_length=50)
    victim_age: Optional[int] = Field(None, ge=0, le=120)
    victim_gender: Literal["", "M", "F"] = ""
    victim_occupation: str = Field("", max_length=50)
    victim_student: bool = False
    victim_floating: bool = False
    staff_link: Literal["", "staff", "family"] = ""
    unit_id: Optional[int] = Field(None, ge=1, le=MAX_ID)
    loss: Money
    stopped: Money = Decimal("0")
    fraud_type: Literal[tuple(FraudType.values)]  # type: ignore[valid-type]
    channel: Literal[tuple(Channel.values)] = "phone"  # type: ignore[valid-type]
    narrative: str = Field("", max_length=20000)
    version: Optional[int] = Field(None, ge=1, le=2**31 - 1,
                                   description="edits: the version read; a case saved by someone else since answers 409")


class CasePage(Schema):
    total: int
    items: list[CaseOut]


def _resolve(request, payload: CaseIn) -> dict:
    user = request.auth
    victim = community = unit = None
    if payload.victim_id:
        victim = get_scoped_or_404(Resident.objects.all(), user, pk=payload.victim_id)
    elif payload.community_id:
        community = get_scoped_or_404(Node.objects.filter(level__in=[Level.COMMUNITY, Level.GRID]), user, pk=payload.community_id)
    if payload.unit_id:
        unit = get_scoped_or_404(Unit.objects.all(), user, pk=payload.unit_id)
    data = payload.dict(exclude={"victim_id", "community_id", "unit_id", "version"})
    return dict(data, victim=victim, community=community, unit=unit)


def _user(request):
    """The authenticated caller (session user or token owner), set by the API's auth."""
    return request.auth


@router.get("/cases", response=CasePage, summary="Cases in the caller's scope")
def list_cases(request, node: Optional[int] = Query(None, ge=1, le=MAX_ID),
               period: str = Query("", max_length=8, pattern=PERIOD_PATTERN, description=PERIOD_DOC),
               type: str = Query("", max_length=32), major: bool = False, staff: bool = False,
               limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=10**9)):
    user = _user(request)
    node_obj = org_selectors.node_get(user, node) if node else None
    try:
        p = Period.parse(period) if period else None
    except ValueError as e:
        from django.core.exceptions import ValidationError

        raise ValidationError({"period": [str(e)]}) from None
    qs = selectors.case_list(user, node=node_obj, fraud_type=type, period=p, major=major, staff=staff)
    return {"total": qs.count(), "items": list(qs[offset:offset + limit])}


@router.get("/cases/{int:case_id}", response=CaseOut)
def get_case(request, case_id: int):
    if case_id > MAX_ID:
        raise Http404
    return selectors.case_get(_user(request), case_id)


@router.post("/cases", response={201: CaseOut}, summary="Register a case")
def create_case(request, payload: CaseIn):
    user = _user(request)
    require(user, "cases.manage_cases")
    kwargs = _resolve(request, payload)
    case = services.case_register(user=user, **kwargs)
    return 201, case


@router.put("/cases/{int:case_id}", response=CaseOut, summary="Edit a case (history kept)")
def update_case(request, case_id: int, payload: CaseIn):
    user = _user(request)
    case = selectors.case_get(user, case_id)
    require(user, "cases.manage_cases")
    kwargs = _resolve(request, payload)
    return services.case_update(user=user, case=case, source="api", version=payload.version, **kwargs)


@router.get("/stats/cases", summary="Case statistics for a node and period")
def case_stats(request, node: Optional[int] = Query(None, ge=1, le=MAX_ID),
               period: str = Query("", max_length=8, pattern=PERIOD_PATTERN, description=PERIOD_DOC),
               by: Literal["month", "quarter", "half", "year"] = "month",
               basis: Literal["occurred", "reported"] = "occurred"):
    """Count, loss and stopped amount with 环比/同比, by type, channel, outcome (既遂/未遂), victim group and child
    node; counted by the date the fraud happened (basis=occurred, default) or the report date (basis=reported),
    said in `basis` / `basis_label`."""
    user = _user(request)
    node_obj = node_for(user, node)
    try:
        p = Period.parse(period) if period else Period.containing(timezone.localdate(), "year")
    except ValueError as e:
        from django.core.exceptions import ValidationError

        raise ValidationError({"period": [str(e)]}) from None
    data = selectors.dashboard(user, node=node_obj, period=p, granularity=by, basis=basis)
    data["node"] = {"id": node_obj.id, "name": node_obj.name, "level": node_obj.level} if node_obj else None
    return data


@router.get("/targets/cases", summary="Reduction targets and progress")
def case_targets(request, year: Optional[int] = Query(None, ge=2000, le=2100),
                 basis: Literal["occurred", "reported"] = "occurred"):
    """Completed cases (既遂) only, judged on count and loss (双下降): `status` is the worse of `count_status` and
    `loss_status`; counted by the date the fraud happened unless basis=reported (said in `basis_label`)."""
    user = _user(request)
    out = []
    for t in selectors.targets_for(user, year=year):
        p = selectors.target_progress(t, user=user, basis=basis)
        out.append({"node": {"id": t.node_id, "name": t.node.name}, "kind": t.kind, "period": t.period,
                    "base_period": t.base_period, "change_pct": float(t.change_pct), **p.as_dict(),
                    "allowed": p.allowed, "change_actual_pct": p.change_pct, "projected": p.projected})
    return out
