"""The analysis endpoints of the JSON API (/api/v1/): the same report dicts as the pages."""

from __future__ import annotations

from typing import Literal, Optional

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from fanzha.analysis import selectors
from fanzha.cases.periods import Period
from fanzha.core.access import require
from fanzha.core.api_types import PERIOD_PATTERN
from fanzha.core.scoping import node_for

router = Router(tags=["analysis"])
MAX_ID = 2**63 - 1


@router.get("/analysis/where", summary="Where and to whom fraud happens, for a node and period")
def where(request, node: Optional[int] = Query(None, ge=1, le=MAX_ID),
          period: str = Query("", max_length=8, pattern=PERIOD_PATTERN, description="'' or 2024, 2024H1, 2024Q3, 2024-07"),
          basis: Literal["occurred", "reported"] = "occurred"):
    """Cases by type, channel, victim group and age band; the weekday × hour heat map (`cells`: [weekday 0=Mon,
    hour 0–23 or 24 = not stated, count]); compounds and grids with count, registered population, rate per 1,000
    and `small` (fewer than `min_cases` cases or `min_population` residents: not ranked); `hot_spots`. A node outside
    the caller's scope is 404; a period not yet begun is 400 (with the message)."""
    user = request.auth
    require(user, "analysis")
    node_obj = node_for(user, node)
    try:
        p = Period.parse(period) if period else Period.containing(timezone.localdate(), "year")
    except ValueError as e:
        raise ValidationError({"period": [str(e)]}) from None
    if p.start > timezone.localdate():
        raise ValidationError({"period": [_("期间尚未开始")]})
    return selectors.where_report(user, node=node_obj, period=p, basis=basis)
