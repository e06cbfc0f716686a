"""The leader's overview on the home page: figures off track, each linked to the list behind it.

Every figure comes from its own app's selector (cases: monthly `series`,
`child_ranking`, `targets_for`/`target_progress`; clues: `queue_counts`;
risk: `overdue_reviews`, `sweeps_for`; supervision: `rectifications_for`);
nothing is recomputed here. The figures the campaign tiles already show
(alerts, installs, visits) stay there; this panel adds the rest, the trend
sparkline of cases and the child nodes ranked worst first.

The whole panel is kept in the cache for FANZHA_FIGURES_TTL seconds per user
and node (like the campaign tiles), so a leader who comes back to the home
page does not wait for a county's counts again; `as_of` says when they were
counted.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.core.access import can_open


def home_overview(user, roots, *, today: dt.date | None = None, fresh: bool = False) -> dict | None:
    """The figures for the user's single top node (None for several nodes or none), cached per user and node."""
    if len(roots) != 1:
        return None
    from django.conf import settings
    from django.core.cache import cache

    ttl = int(getattr(settings, "FANZHA_FIGURES_TTL", 300))
    from django.utils.translation import get_language

    key = f"analysis:overview:{user.pk}:{roots[0].id}:{(today or timezone.localdate()).isoformat()}:{get_language()}"
    if not fresh and ttl > 0:
        found = cache.get(key)
        if found is not None:
            return found
    data = _overview(user, roots[0], today=today)
    if ttl > 0:
        cache.set(key, data, ttl)
    return data


def _overview(user, node, *, today: dt.date | None = None) -> dict:
    from fanzha.cases import selectors as cases
    from fanzha.cases.periods import Period

    today = today or timezone.localdate()
    q = f"?node={node.id}"
    figures = []
    this_month = Period.containing(today, "month")
    first = this_month
    for _i in range(11):
        first = first.previous()
    points = cases.series(cases.cases_for(user, node=node), first, this_month)
    trend = [p.now.count for p in points]
    loss_trend = [round(float(p.now.loss) / 10000, 2) for p in points]
    targets = [cases.target_progress(t, user=user, today=today) for t in cases.targets_for(user, node=node, year=today.year)]
    off = any(p.count_status in ("at_risk", "missed") for p in targets)
    loss_off = any(p.loss_status in ("at_risk", "missed") for p in targets)
    if can_open(user, "cases.stats"):
        stats_url = reverse("cases:stats") + q + f"&period={today.year}"
        figures.append({"key": "cases", "label": _("本年发案（按发案日期，起）"), "value": sum(trend[-today.month:]) if trend else 0,
                        "off": off, "url": stats_url, "trend": trend,
                        "note": _("压降目标有风险") if off else ""})
        figures.append({"key": "loss", "label": _("本年损失（万元）"), "value": round(sum(loss_trend[-today.month:]), 1),
                        "off": loss_off, "url": stats_url, "trend": loss_trend,
                        "note": _("损失压降目标有风险") if loss_off else ""})
    if can_open(user, "clues"):
        from fanzha.clues.selectors import queue_counts

        counts = queue_counts(user)
        n_open = sum(v for k, v in counts.items() if k != "overdue")
        figures.append({"key": "clues_open", "label": _("线索在办"), "value": n_open, "off": False,
                        "url": reverse("clues:queue") + "?tab=all"})
        n = counts.get("overdue", 0)
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
    if can_open(user, "assessment"):
        standing = fraud_free_standing(user, node)
        if standing is not None:
            figures.append(standing)
    ranking = []
    if can_open(user, "cases.stats"):
        ranking = cases.child_ranking(user, node, Period(today.year, "year", 1))[:5]
        for r in ranking:
            r["url"] = reverse("cases:stats") + f"?node={r['id']}&period={today.year}"
    return {"node": node, "figures": figures, "ranking": ranking, "analysis_url": reverse("analysis:home") + q,
            "as_of": f"{timezone.localtime():%H:%M}"}


def fraud_free_standing(user, node) -> dict | None:
    """无诈创建 standing under `node`: of the communities and units in each street's latest assessment run, how
    many stand as fraud-free (达标); off track when any does not (未达标). None when no street has a run yet.

    A street's latest run is the one of its latest period (a re-run of that period replaces the earlier one);
    the outcome is the office's review where there is one, else the computed one, as on the run's page.
    """
    from django.db.models import Count, Q

    from fanzha.assessment.models import Assessment, Outcome, Verdict
    from fanzha.cases.periods import Period
    from fanzha.core.scoping import scoped
    from fanzha.org.models import Level

    runs = scoped(Assessment.objects.all(), user)
    if node.level in (Level.COUNTY, Level.STREET):
        runs = runs.filter(**{f"{node.level}_id": node.id})
    else:
        runs = runs.filter(street_id=node.street_id)
    latest: dict[int, tuple] = {}
    for pk, street_id, period in runs.values_list("id", "street_id", "period"):
        try:
            end = Period.parse(period).end
        except ValueError:
            continue
        if street_id not in latest or (end, pk) > latest[street_id]:
            latest[street_id] = (end, pk)
    if not latest:
        return None
    verdicts = Verdict.objects.filter(assessment_id__in=[pk for _end, pk in latest.values()])
    if node.level not in (Level.COUNTY, Level.STREET):
        verdicts = verdicts.filter(**{f"{node.level}_id": node.id})
    passed = Q(override=Outcome.PASS) | Q(override="", computed=Outcome.PASS)
    failed = Q(override=Outcome.FAIL) | Q(override="", computed=Outcome.FAIL)
    agg = verdicts.aggregate(total=Count("id"), passed=Count("id", filter=passed), failed=Count("id", filter=failed))
    if not agg["total"]:
        return None
    runs_list = [pk for _end, pk in latest.values()]
    url = (reverse("assessment:run", args=[runs_list[0]]) if len(runs_list) == 1 else reverse("assessment:home"))
    note = (_("%(n)d个未达标") % {"n": agg["failed"]}) if agg["failed"] else ""
    return {"key": "fraud_free", "label": _("无诈社区、单位达标"), "value": f"{agg['passed']}/{agg['total']}",
            "off": agg["failed"] > 0, "url": url, "note": note}
