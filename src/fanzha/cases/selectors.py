"""Scoped reads and statistics of cases.

Statistics are computed from one grouped query of monthly buckets per
request (count, loss, stopped by year and month); quarters, halves, years,
环比 and 同比 are sums of those buckets, so every figure on the dashboard,
in the API and in the export comes from the same numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.utils import timezone

from fanzha.cases.fraud_types import FraudType
from fanzha.cases.models import Case, Channel, ReductionTarget, StaffLink
from fanzha.cases.periods import Period, pct_change, periods_between
from fanzha.core.scoping import get_scoped_or_404, scoped
from fanzha.org.models import LEVEL_ORDER, Node

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=16, decimal_places=2))


def cases_for(user, *, node: Node | None = None) -> QuerySet[Case]:
    qs = scoped(Case.objects.all(), user)
    if node is not None:
        qs = qs.filter(**{f"{node.level}_id": node.id})
    return qs


def case_get(user, pk) -> Case:
    return get_scoped_or_404(Case.objects.select_related("victim", "community", "grid", "unit", "created_by"), user, pk=pk)


def case_list(user, *, node: Node | None = None, fraud_type: str = "", period: Period | None = None,
              major: bool = False, staff: bool = False, q: str = "") -> QuerySet[Case]:
    qs = cases_for(user, node=node)
    if fraud_type:
        qs = qs.filter(fraud_type=fraud_type)
    if period is not None:
        qs = qs.filter(reported_on__gte=period.start, reported_on__lte=period.end)
    if major:
        qs = qs.filter(is_major=True)
    if staff:
        qs = qs.exclude(staff_link="")
    if q:
        qs = qs.filter(Q(number__contains=q) | Q(victim_name__contains=q) | Q(narrative__contains=q))
    return qs.select_related("community", "grid").order_by("-reported_on", "-id")


@dataclass
class Bucket:
    count: int = 0
    loss: Decimal = Decimal("0")
    stopped: Decimal = Decimal("0")

    def __iadd__(self, other: "Bucket") -> "Bucket":
        self.count += other.count
        self.loss += other.loss
        self.stopped += other.stopped
        return self

    def as_dict(self) -> dict:
        return {"count": self.count, "loss": float(self.loss), "stopped": float(self.stopped)}


def monthly(qs: QuerySet[Case], start: dt.date, end: dt.date) -> dict[tuple[int, int], Bucket]:
    """{(year, month): Bucket} for cases reported between start and end: one query."""
    rows = (
        qs.filter(reported_on__gte=start, reported_on__lte=end)
        .annotate(y=ExtractYear("reported_on"), m=ExtractMonth("reported_on"))
        .values("y", "m")
        .annotate(n=Count("id"), loss_sum=Coalesce(Sum("loss"), ZERO), stopped_sum=Coalesce(Sum("stopped"), ZERO))
        .order_by()
    )
    return {(r["y"], r["m"]): Bucket(r["n"], Decimal(r["loss_sum"]), Decimal(r["stopped_sum"])) for r in rows}


def bucket_for(months: dict[tuple[int, int], Bucket], period: Period) -> Bucket:
    total = Bucket()
    for key in period.month_keys():
        if key in months:
            total += months[key]
    return total


@dataclass
class SeriesPoint:
    period: Period
    now: Bucket
    previous: Bucket
    year_before: Bucket

    def as_dict(self) -> dict:
        return {
            "period": str(self.period),
            "label": self.period.label,
            **self.now.as_dict(),
            "pop_count_pct": pct_change(self.now.count, self.previous.count),
            "yoy_count_pct": pct_change(self.now.count, self.year_before.count),
            "pop_loss_pct": pct_change(float(self.now.loss), float(self.previous.loss)),
            "yoy_loss_pct": pct_change(float(self.now.loss), float(self.year_before.loss)),
        }


def series(qs: QuerySet[Case], first: Period, last: Period) -> list[SeriesPoint]:
    """Each period from first to last with its 环比 and 同比 comparisons (one query)."""
    start = min(first.previous().start, first.year_before().start)
    months = monthly(qs, start, last.end)
    return [
        SeriesPoint(p, bucket_for(months, p), bucket_for(months, p.previous()), bucket_for(months, p.year_before()))
        for p in periods_between(first, last)
    ]


def breakdown(qs: QuerySet[Case], field_name: str, choices) -> list[dict]:
    rows = {r[field_name]: r for r in qs.values(field_name).annotate(
        n=Count("id"), loss_sum=Coalesce(Sum("loss"), ZERO)).order_by()}
    out = []
    for value, label in choices:
        r = rows.get(value)
        if r:
            out.append({"key": value, "label": str(label), "count": r["n"], "loss": float(r["loss_sum"])})
    out.sort(key=lambda d: -d["count"])
    return out


def victim_groups(qs: QuerySet[Case]) -> list[dict]:
    """Cases by victim group; a case can be in several groups (an elderly woman)."""
    from django.utils.translation import gettext as _

    groups = {
        "student": (_("学生"), Q(victim_student=True)),
        "women": (_("女性"), Q(victim_gender="F")),
        "elderly": (_("老年人（60岁以上）"), Q(victim_age__gte=60)),
        "floating": (_("流动人口"), Q(victim_floating=True)),
        "staff": (_("单位职工"), Q(staff_link=StaffLink.STAFF)),
        "family": (_("职工家属"), Q(staff_link=StaffLink.FAMILY)),
    }
    agg = qs.aggregate(
        **{f"{k}_n": Count("id", filter=q) for k, (_l, q) in groups.items()},
        **{f"{k}_loss": Coalesce(Sum("loss", filter=q), ZERO) for k, (_l, q) in groups.items()},
    )
    return [{"key": k, "label": label, "count": agg[f"{k}_n"], "loss": float(agg[f"{k}_loss"])} for k, (label, _q) in groups.items()]


def child_ranking(user, node: Node, period: Period) -> list[dict]:
    """The node's children ranked by cases in the period, with 同比 (two grouped queries)."""
    depth = LEVEL_ORDER.index(node.level)
    if depth + 1 >= len(LEVEL_ORDER) - 1:  # no ranking below grids
        return []
    child_level = LEVEL_ORDER[depth + 1]
    children = list(scoped(node.children.all(), user).order_by("sort", "code"))
    qs = cases_for(user, node=node)

    def counts(p: Period) -> dict[int, dict]:
        rows = (qs.filter(reported_on__gte=p.start, reported_on__lte=p.end)
                .values(f"{child_level}_id").annotate(n=Count("id"), loss_sum=Coalesce(Sum("loss"), ZERO)).order_by())
        return {r[f"{child_level}_id"]: r for r in rows}

    now, before = counts(period), counts(period.year_before())
    out = []
    for c in children:
        n = now.get(c.id, {}).get("n", 0)
        b = before.get(c.id, {}).get("n", 0)
        out.append({"id": c.id, "name": c.name, "level": c.level, "count": n,
                    "loss": float(now.get(c.id, {}).get("loss_sum", 0) or 0),
                    "year_before": b, "yoy_count_pct": pct_change(n, b)})
    out.sort(key=lambda d: (-d["count"], d["name"]))
    return out


def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def to_date_total(qs: QuerySet[Case], period: Period, today: dt.date) -> dict:
    """A running period so far, compared like for like (one query).

    1. Now: from the period's start to today.
    2. 环比: the previous period over the same number of days from its start.
    3. 同比: the same dates a year earlier.
    """
    elapsed = today - period.start
    prev = period.previous()
    prev_end = min(prev.start + elapsed, prev.end)
    ly_start, ly_end = _shift_year(period.start, -1), _shift_year(today, -1)

    def window(a, b):
        return Q(reported_on__gte=a, reported_on__lte=b)

    agg = qs.filter(window(period.start, today) | window(prev.start, prev_end) | window(ly_start, ly_end)).aggregate(
        n=Count("id", filter=window(period.start, today)),
        loss_sum=Coalesce(Sum("loss", filter=window(period.start, today)), ZERO),
        stopped_sum=Coalesce(Sum("stopped", filter=window(period.start, today)), ZERO),
        prev_n=Count("id", filter=window(prev.start, prev_end)),
        prev_loss=Coalesce(Sum("loss", filter=window(prev.start, prev_end)), ZERO),
        ly_n=Count("id", filter=window(ly_start, ly_end)),
        ly_loss=Coalesce(Sum("loss", filter=window(ly_start, ly_end)), ZERO),
    )
    return {
        "period": str(period), "label": period.label, "to_date": today.isoformat(),
        "count": agg["n"], "loss": float(agg["loss_sum"]), "stopped": float(agg["stopped_sum"]),
        "pop_count_pct": pct_change(agg["n"], agg["prev_n"]),
        "yoy_count_pct": pct_change(agg["n"], agg["ly_n"]),
        "pop_loss_pct": pct_change(float(agg["loss_sum"]), float(agg["prev_loss"])),
        "yoy_loss_pct": pct_change(float(agg["loss_sum"]), float(agg["ly_loss"])),
    }


def dashboard(user, *, node: Node | None, period: Period, granularity: str = "month", today: dt.date | None = None) -> dict:
    """Everything the statistics page, the API and the export show for one node and period.

    A period still running is shown up to today, and its 环比/同比 compare
    the same number of days, so a half-finished year is not set against a
    whole one.
    """
    today = today or timezone.localdate()
    qs = cases_for(user, node=node)
    in_period = qs.filter(reported_on__gte=period.start, reported_on__lte=min(period.end, today))
    if granularity == "month":
        first = Period(period.year, "month", 1) if period.kind == "year" else Period.containing(period.start, "month")
        last = Period.containing(period.end, "month")
    else:
        first, last = Period.containing(period.start, granularity), Period.containing(period.end, granularity)
        if first.kind != granularity:
            first = last = Period.containing(period.start, granularity)
    if period.start <= today < period.end:
        last = min(last, Period.containing(today, granularity))
        total = to_date_total(qs, period, today)
    else:
        total = series(qs, period, period)[0].as_dict()
    trend = series(qs, first, last)
    return {
        "period": str(period),
        "period_label": period.label,
        "to_date": total.get("to_date"),
        "granularity": granularity,
        "total": total,
        "major": in_period.filter(is_major=True).count(),
        "trend": [p.as_dict() for p in trend],
        "by_type": breakdown(in_period, "fraud_type", FraudType.choices),
        "by_channel": breakdown(in_period, "channel", Channel.choices),
        "by_victim_group": victim_groups(in_period),
        "ranking": child_ranking(user, node, period) if node is not None else [],
    }


# --- Reduction targets ---------------------------------------------------------


@dataclass
class TargetProgress:
    target: ReductionTarget
    base: int
    actual: int
    allowed: float
    change_pct: float | None
    projected: float | None
    status: str  # met / on_track / at_risk / missed / no_base
    elapsed_share: float = 1.0
    notes: list[str] = field(default_factory=list)


def target_progress(target: ReductionTarget, *, user, today: dt.date | None = None) -> TargetProgress:
    """Where a node stands against its target, projecting the current period.

    1. Count the node's cases (or staff-victim cases) in the base and target periods. The
       staff target (SPEC §4) counts cases whose victim is a unit's own staff member; family
       members count for the fraud-free unit criterion (assessment), not for this target.
    2. The allowed number is base × (1 + change%).
    3. For a period still running, project the count so far over the whole
       period at the same daily pace (months so far, pro rata by days).
    4. Finished: met / missed. Running: on track when the projection stays
       within the allowed number, at risk otherwise.
    """
    today = today or timezone.localdate()
    node = target.node
    qs = cases_for(user, node=node)
    if target.kind == "staff":
        qs = qs.filter(staff_link=StaffLink.STAFF)
    p, b = Period.parse(target.period), Period.parse(target.base_period)
    months = monthly(qs, b.start, p.end)
    base, actual = bucket_for(months, b).count, bucket_for(months, p).count
    allowed = base * (1 + float(target.change_pct) / 100)
    change = pct_change(actual, base)
    if today < p.start:
        return TargetProgress(target, base, actual, allowed, change, None, "not_started", 0.0)
    if today > p.end:
        status = "no_base" if base == 0 and actual == 0 else ("met" if actual <= allowed else "missed")
        return TargetProgress(target, base, actual, allowed, change, float(actual), status, 1.0)
    elapsed = (today - p.start).days + 1
    share = elapsed / ((p.end - p.start).days + 1)
    projected = actual / share if share else None
    status = "on_track" if projected is not None and projected <= allowed else "at_risk"
    if actual > allowed:
        status = "missed"
    return TargetProgress(target, base, actual, allowed, change, projected, status, share)


def targets_for(user, *, node: Node | None = None, year: int | None = None) -> QuerySet[ReductionTarget]:
    qs = ReductionTarget.objects.select_related("node")
    visible = scoped(Node.objects.all(), user)
    qs = qs.filter(node__in=visible)
    if node is not None:
        qs = qs.filter(node=node)
    if year:
        qs = qs.filter(period__startswith=str(year))
    return qs.order_by("node__sort", "node__code", "kind", "period")
