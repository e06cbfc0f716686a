"""The duties endpoints of the JSON API (/api/v1/): the same selectors, services and scoping as the pages.

- GET /duties/status?community=&behind=    done vs due of every subject in the caller's scope for the current
                                          period of each active duty (behind=1: only who is behind, worst first)
- GET /duties/mine                         the caller's own duties (their person, unit, node or groups)
- GET /duties/campaigns/{id}/report        a concentrated campaign's summary figures

Errors follow fanzha/api.py: 403 for a role without the duties area, 404 outside the caller's scope.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Router, Schema

from fanzha.core.access import require
from fanzha.core.scoping import get_scoped_or_404, scope_of
from fanzha.duties import reports, selectors
from fanzha.duties.models import Campaign

router = Router(tags=["duties"])


DENIED = gettext_lazy("您的角色不能使用职责功能")


class StatusOut(Schema):
    duty_id: int
    duty: str
    subject: str
    name: str
    community_id: int | None
    community: str
    period: str
    period_start: dt.date
    period_end: dt.date
    done: int
    due: int
    behind: bool
    days_left: int


class StatusList(Schema):
    total: int
    behind: int
    items: list[StatusOut]


@router.get("/duties/status", response=StatusList, summary="各对象本期职责完成情况")
def status(request, community: int | None = None, behind: bool = False):
    require(request.user, "duties", DENIED)
    rows = selectors.status_rows(scope=scope_of(request.user), community_id=community)
    s = selectors.summary(rows)
    items = selectors.ranked_behind(rows) if behind else rows
    return {"total": s["total"], "behind": s["behind"], "items": [r.as_dict() for r in items]}


@router.get("/duties/mine", response=list[StatusOut], summary="我的职责")
def mine(request):
    require(request.user, "duties", DENIED)
    rows = selectors.status_rows(scope=scope_of(request.user))
    return [r.as_dict() for r in selectors.own_rows(request.user, rows)]


class PhaseOut(Schema):
    name: str
    activities: int
    participants: int
    materials: int


class CampaignReportOut(Schema):
    campaign: str
    starts_on: dt.date
    ends_on: dt.date
    summary_due_on: dt.date
    text: str
    totals: dict
    phases: list[PhaseOut]
    communities: list[PhaseOut]


@router.get("/duties/campaigns/{campaign_id}/report", response=CampaignReportOut, summary="集中宣传活动总结")
def campaign_report(request, campaign_id: int):
    require(request.user, "duties.campaigns", DENIED)
    c = get_scoped_or_404(Campaign.objects.select_related("node"), request.user, pk=campaign_id)
    return reports.campaign_report(c)
