"""The leader's overview on the home page: figures off track, each linked to the list behind it.

Every figure comes from its own app's selector (cases: monthly `series`,
`child_ranking`, `targets_for`/`target_progress`; clues: `queue_counts`;
risk: `overdue_reviews`, `sweeps_for`; supervision: `rectifications_for`);
nothing is recomputed here. The figures the campaign tiles already show
(alerts, installs, visits) stay there; this panel adds the rest, the trend
sparkline of cases and the child nodes ranked worst first.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.core.access import can_open


def home_overview(user, roots, *, today: dt.date | None = None) -> dict | None:
    """The figures for the user's single top node (None for several nodes or none)."""
    if len(roots) != 1:
        return None
    from fanzha.cases import selectors as cases
    from fanzha.cases.periods import Period

    node = roots[0]
    today = today or timezone.localdate()
    q = f"?node={node.id}"
    figures = []
    this_month = Period.containing(today, "month")
    first = this_month
    for _i in range(11):
        first = first.previous()
    trend = [p.now.count for p in cases.series(cases.cases_for(user, node=node), first, this_month)]
    targets = [cases.target_progress(t, user=user, today=today) for t in cases.targets_for(user, node=node, year=today.year)]
    off = any(p.status in ("at_risk", "missed") for p in targets)
    if can_open(user, "cases.stats"):
        figures.append({"key": "cases", "label": _("本年发案（按发案日期，起）"), "value": sum(trend[-today.month:]) if trend else 0,
                        "off": off, "url": reverse("cases:stats") + q + f"&period={today.year}", "trend": trend,
                        "note": _("压降目标有风险") if off else ""})
    if can_open(user, "clues"):
        from fanzha.clues.selectors import queue_counts

        n = queue_counts(user).get("overdue", 0)
        figures.append({"key": "clues", "label": _("线索逾期未反馈"), "value": n, "off": n > 0,
                        "url": reverse("clues:queue") + "?tab=overdue"})
    if can_open(user, "risk.overdue"):
        from fanzha.risk.selectors import overdue_reviews

        n = overdue_reviews(user, node=node, today=today).count()
        figures.append({"key": "reviews", "label": _("重点人员逾期回访"), "value": n, "off": n > 0,
                        "url": reverse("risk:overdue") + q})
    if can_open(user, "risk.sweeps"):
        from fanzha.risk.selectors import sweeps_for

        n = sweeps_for(user, node=node, start=this_month.start, end=today).count()
        figures.append({"key": "sweeps", "label": _("本月周三打卡（次）"), "value": n, "off": False,
                        "url": reverse("risk:sweeps") + q})
    if can_open(user, "supervision.rectifications"):
        from fanzha.supervision.models import RectificationStatus
        from fanzha.supervision.selectors import rectifications_for

        n = rectifications_for(user).filter(deadline__lt=today).exclude(status=RectificationStatus.ACCEPTED).count()
        figures.append({"key": "rectifications", "label": _("整改逾期"), "value": n, "off": n > 0,
                        "url": reverse("supervision:rectifications")})
    ranking = []
    if can_open(user, "cases.stats"):
        ranking = cases.child_ranking(user, node, Period(today.year, "year", 1))[:5]
        for r in ranking:
            r["url"] = reverse("cases:stats") + f"?node={r['id']}&period={today.year}"
    return {"node": node, "figures": figures, "ranking": ranking, "analysis_url": reverse("analysis:home") + q}
