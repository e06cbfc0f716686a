"""The campaign at a glance, for the home page: alerts, cases against target,
installs against target and deadline, visit coverage.

Nothing is counted here a second way: every figure comes from the selector
that the alerts, cases and outreach pages show it with (`alerts.selectors`,
`cases.selectors.target_progress`, `outreach.selectors.rollup` /
`install_progress`), so a figure on the home page and the page its link opens
are the same number. Each tile is shown only to a role that may open the
page behind it (`fanzha.core.access.can_open`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from fanzha.core.access import can_open
from fanzha.org.models import Node

ESCALATED_SHOWN = 5


@dataclass
class Campaign:
    roots: list[Node]
    today: dt.date
    alerts: dict | None = None
    cases: dict | None = None
    installs: dict | None = None
    visits: dict | None = None
    escalated: list = field(default_factory=list)  # alerts escalated to the street, latest first

    @property
    def empty(self) -> bool:
        return not any((self.alerts, self.cases, self.installs, self.visits))


def _node_query(roots: list[Node], **extra) -> str:
    params = [f"{k}={v}" for k, v in extra.items()]
    if len(roots) == 1:
        params.insert(0, f"node={roots[0].pk}")
    return ("?" + "&".join(params)) if params else ""


def alert_figures(user, now: dt.datetime) -> dict:
    """Open, overdue (a time limit passed and not met) and escalated alerts of the user's scope (one query).

    "Overdue" is the queue's own count-down (`alerts.selectors.NEXT_DUE`) gone
    below zero; "to the street" are the alerts the sweep has escalated to
    their street (its last level).
    """
    from fanzha.alerts.models import ACTIVE_STATUSES
    from fanzha.alerts.selectors import NEXT_DUE, alerts_for

    agg = (alerts_for(user).filter(status__in=ACTIVE_STATUSES).annotate(due_next=NEXT_DUE)
           .aggregate(open=Count("id"), overdue=Count("id", filter=Q(due_next__lt=now)),
                      escalated=Count("id", filter=Q(escalation_level__gt=0)),
                      to_street=Count("id", filter=Q(escalated_to_id=F("street_id")))))
    return agg


def escalated_to_street(user, limit: int = ESCALATED_SHOWN) -> list:
    """The latest active alerts escalated to their street, for the list under the badge."""
    from fanzha.alerts.models import ACTIVE_STATUSES
    from fanzha.alerts.selectors import alerts_for

    return list(alerts_for(user).filter(status__in=ACTIVE_STATUSES, escalated_to_id=F("street_id"))
                .select_related("community", "grid").order_by("-escalated_at", "-id")[:limit])


def case_figures(user, roots: list[Node], today: dt.date) -> dict:
    """This year's cases and each reduction target of the year set on the user's node(s)."""
    from fanzha.cases.models import TargetKind
    from fanzha.cases.selectors import cases_for, target_progress, targets_for

    year = today.year
    targets = []
    if len(roots) == 1:
        for t in targets_for(user, node=roots[0], year=year):
            p = target_progress(t, user=user, today=today)
            targets.append({"kind": t.kind, "kind_label": TargetKind(t.kind).label, "period": t.period,
                            "actual": p.actual, "allowed": p.allowed, "base": p.base, "status": p.status,
                            "change_pct": float(t.change_pct), "projected": p.projected})
    start = dt.date(year, 1, 1)
    qs = cases_for(user, node=roots[0] if len(roots) == 1 else None)
    count = qs.filter(reported_on__gte=start, reported_on__lte=today).count()
    return {"year": year, "count": count, "targets": targets,
            "url": reverse("cases:list") + _node_query(roots, period=year),
            "targets_url": reverse("cases:targets") + _node_query(roots, year=year)}


def outreach_figures(user, roots: list[Node], today: dt.date) -> tuple[dict, dict]:
    """App installs against the running target, and households visited this year.

    One roll-up per root (period: today; since 1 January) feeds both, and
    `install_progress` reuses it, as the outreach dashboard does. Only the
    root's totals are asked for: the roll-up reads the root's residents, installs
    and households visited this year as the writes keep them (`fanzha.org.counts`)
    and counts only today's visits and the pace window's installs, each a short
    range of an index.
    """
    from fanzha.outreach import selectors as sel
    from fanzha.outreach.periods import ReportPeriod, year_start

    total = sel.Figures()
    progress = None
    for root in roots:
        rolled = sel.rollup(user, root, period=ReportPeriod(today, today), since=year_start(today), totals_only=True)
        total.add(rolled.total)
        if len(roots) == 1:
            progress = sel.install_progress(user, root, as_of=today, rolled=rolled, level=root.level)["root"]
    target = progress.target if progress else None
    installs = {
        "rate": total.app_rate, "installed": total.app, "people": total.residents,
        "target_rate": float(target.rate) if target else None, "deadline": target.deadline if target else None,
        "status": progress.status if progress else "no_target", "gap": progress.gap if progress else 0,
        "projected_rate": progress.projected_rate if progress else None,
        "url": reverse("outreach:targets") + _node_query(roots),
    }
    visits = {
        "coverage": total.coverage_since, "visited": total.visited_since, "households": total.households,
        "url": reverse("outreach:dashboard") + _node_query(roots, p="year"),
        "ledger_url": reverse("outreach:visit_list") + _node_query(roots, p="year"),
    }
    return installs, visits


def campaign(user, roots: list[Node], *, today: dt.date | None = None, now: dt.datetime | None = None) -> Campaign:
    """The home page's campaign tiles for the user's top node(s); tiles the user may not open are left out."""
    now = now or timezone.now()
    today = today or timezone.localdate()
    c = Campaign(roots=roots, today=today)
    if not roots:
        return c
    if can_open(user, "alerts"):
        c.alerts = alert_figures(user, now)
        c.alerts["url"] = reverse("alerts:queue")
        c.alerts["escalated_url"] = reverse("alerts:queue") + "?tab=escalated"
        if c.alerts["to_street"]:
            c.escalated = escalated_to_street(user)
    if can_open(user, "cases"):
        c.cases = case_figures(user, roots, today)
        c.cases["can_targets"] = can_open(user, "cases.targets")
    show_installs, show_visits = can_open(user, "outreach.targets"), can_open(user, "outreach")
    if show_installs or show_visits:
        installs, visits = outreach_figures(user, roots, today)
        c.installs = installs if show_installs else None
        if show_visits:
            visits["can_ledger"] = can_open(user, "outreach.visits")
            c.visits = visits
    return c
