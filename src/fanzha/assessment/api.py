"""The assessment endpoints of the JSON API (/api/v1/assessment/...): same selectors and scoping as the pages.

- GET runs: the runs the user can see.
- GET runs/{id}: the year-end list (the dict behind the page, the .xlsx and the Word file).
- GET verdicts/{id}: one community's or unit's criteria with their evidence (frozen once published;
  for a draft run, what is stored from the last computation).
"""

from __future__ import annotations

from typing import Any, Optional

from ninja import Path, Router, Schema

from fanzha.assessment import selectors

router = Router(tags=["assessment"])
MAX_ID = 2**63 - 1


class RunOut(Schema):
    id: int
    street: str
    period: str
    base_period: str
    status: str
    published_at: Optional[str] = None
    supersedes_id: Optional[int] = None


class ListRowOut(Schema):
    id: int
    kind: str
    kind_label: str
    name: str
    computed: str
    outcome: str
    outcome_label: str
    overridden: bool
    reason: str


class ListOut(Schema):
    id: int
    title: str
    street: str
    period: str
    base_period: str
    status: str
    published_at: Optional[str] = None
    counts: dict[str, dict[str, int]]
    rows: list[ListRowOut]


class VerdictOut(Schema):
    id: int
    assessment_id: int
    kind: str
    name: str
    computed: str
    outcome: str
    override: str
    override_reason: str
    criteria: list[dict[str, Any]]


@router.get("/assessment/runs", response=list[RunOut], summary="Assessment runs in the user's scope")
def runs(request):
    return [RunOut(id=r.id, street=r.street.name, period=r.period, base_period=r.base_period, status=r.status,
                   published_at=r.published_at.isoformat() if r.published_at else None, supersedes_id=r.supersedes_id)
            for r in selectors.runs_for(request.user)]


@router.get("/assessment/runs/{run_id}", response=ListOut, summary="The year-end list (创建名单) of one run")
def run_list(request, run_id: int = Path(..., ge=1, le=MAX_ID)):
    return selectors.list_report(selectors.run_get(request.user, run_id))


@router.get("/assessment/verdicts/{verdict_id}", response=VerdictOut, summary="One community's or unit's criteria and evidence")
def verdict(request, verdict_id: int = Path(..., ge=1, le=MAX_ID)):
    v = selectors.verdict_get(request.user, verdict_id)
    return VerdictOut(id=v.id, assessment_id=v.assessment_id, kind=v.kind, name=v.name, computed=v.computed,
                      outcome=v.outcome, override=v.override, override_reason=v.override_reason, criteria=v.criteria)
