"""Scoped reads and statistics of cases.

Statistics are computed from one grouped query of monthly buckets per
request (count, loss, stopped by year and month); quarters, halves, years,
环比 and 同比 are sums of those buckets, so every figure on the dashboard,
in the API and in the export comes from the same numbers.

Cases are counted by the date the fraud happened (发案日期, `loss_on`) by
default, or by the report date (`basis="reported"`); every figure says which
(`basis`, `basis_label`). Reduction targets judge completed cases (既遂) only,
on both count and loss (双下降).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.utils import timezone

from fanzha.cases.fraud_types import FraudType
from fanzha.cases.models import Case, Channel, DateBasis, Outcome, ReductionTarget, StaffLink, date_field
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
              major: bool = False, staff: bool = False, q: str = "", basis: str = DateBasis.OCCURRED,
              outcome: str = "") -> QuerySet[Case]:
    qs = cases_for(user, node=node)
    if fraud_type:
        qs = qs.filter(fraud_type=fraud_type)
    if outcome in Outcome.values:
        qs = qs.filter(outcome=outcome)
    if period is not None:
        f = date_field(basis)
        qs = qs.filter(**{f"{f}__gte": period.start, f"{f}__lte": period.end})
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


def monthly(qs: QuerySet[Case], start: dt.date, end: dt.date, basis: str = DateBasis.OCCURRED) -> dict[tuple[int, int], Bucket]:
    """{(year, month): Bucket} for cases dated (by `basis`) between start and end: one query."""
    f = date_field(basis)
    rows = (
        qs.filter(**{f"{f}__gte": start, f"{f}__lte": end})
        .annotate(y=ExtractYear(f), m=ExtractMonth(f))
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


def series(qs: QuerySet[Case], first: Period, last: Period, basis: str = DateBasis.OCCURRED) -> list[SeriesPoint]:
    """Each period from first to last with its 环比 and 同比 comparisons (one query)."""
    start = min(first.previous().start, first.year_before().start)
    months = monthly(qs, start, last.end, basis)
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


def victim_groups(qs: QuerySet[Case], *, outcomes: list | None = None) -> list[dict]:
    """Cases by victim group; a case can be in several groups (an elderly woman).

    `outcomes`, when a list is passed, receives the 既遂/未遂 breakdown from the same query."""
    from django.utils.translation import gettext as _

    groups = {
        "student": (_("学生"), Q(victim_student=True)),
        "women": (_("女性"), Q(victim_gender="F")),
        "elderly": (_("老年人（60岁以上）"), Q(victim_age__gte=60)),
        "floating": (_("流动人口"), Q(victim_floating=True)),
        "staff": (_("单位职工"), Q(staff_link=StaffLink.STAFF)),
        "family": (_("职工家属"), Q(staff_link=StaffLink.FAMILY)),
    }
    by_outcome = {v: (label, Q(outcome=v)) for v, label in Outcome.choices} if outcomes is not None else {}
    agg = qs.aggregate(
        **{f"{k}_n": Count("id", filter=q) for k, (_l, q) in groups.items()},
        **{f"{k}_loss": Coalesce(Sum("loss", filter=q), ZERO) for k, (_l, q) in groups.items()},
        **{f"o_{k}_n": Count("id", filter=q) for k, (_l, q) in by_outcome.items()},
        **{f"o_{k}_loss": Coalesce(Sum("loss", filter=q), ZERO) for k, (_l, q) in by_outcome.items()},
    )
    if outcomes is not None:
        outcomes.extend({"key": k, "label": str(label), "count": agg[f"o_{k}_n"], "loss": float(agg[f"o_{k}_loss"])}
                        for k, (label, _q) in by_outcome.items() if agg[f"o_{k}_n"])
    return [{"key": k, "label": label, "count": agg[f"{k}_n"], "loss": float(agg[f"{k}_loss"])} for k, (label, _q) in groups.items()]


def child_ranking(user, node: Node, period: Period, basis: str = DateBasis.OCCURRED) -> list[dict]:
    """The node's children ranked by cases in the period, with 同比 (two grouped queries)."""
    depth = LEVEL_ORDER.index(node.level)
    if depth + 1 >= len(LEVEL_ORDER) - 1:  # no ranking below grids
        return []
    child_level = LEVEL_ORDER[depth + 1]
    children = list(scoped(node.children.all(), user).order_by("sort", "code"))
    qs = cases_for(user, node=node)

    def counts(p: Period) -> dict[int, dict]:
        f = date_field(basis)
        rows = (qs.filter(**{f"{f}__gte": p.start, f"{f}__lte": p.end})
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


def to_date_total(qs: QuerySet[Case], period: Period, today: dt.date, basis: str = DateBasis.OCCURRED) -> dict:
    """A running period so far, compared like for like (one query).

    1. Now: from the period's start to today.
    2. 环比: the previous period over the same number of days from its start.
    3. 同比: the same dates a year earlier.
    """
    elapsed = today - period.start
    prev = period.previous()
    prev_end = min(prev.start + elapsed, prev.end)
    ly_start, ly_end = _shift_year(period.start, -1), _shift_year(today, -1)

    f = date_field(basis)

    def window(a, b):
        return Q(**{f"{f}__gte": a, f"{f}__lte": b})

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


def basis_of(value: str | None) -> str:
    """A valid date basis from a request parameter: 发案 (occurred) unless "reported" is asked for."""
    return value if value in DateBasis.values else DateBasis.OCCURRED


def basis_label(basis: str) -> str:
    return str(DateBasis(basis_of(basis)).label)


def dashboard(user, *, node: Node | None, period: Period, granularity: str = "month", today: dt.date | None = None,
              basis: str = DateBasis.OCCURRED) -> dict:
    """Everything the statistics page, the API and the export show for one node and period.

    A period still running is shown up to today, and its 环比/同比 compare
    the same number of days, so a half-finished year is not set against a
    whole one.
    """
    today = today or timezone.localdate()
    basis = basis_of(basis)
    f = date_field(basis)
    qs = cases_for(user, node=node)
    in_period = qs.filter(**{f"{f}__gte": period.start, f"{f}__lte": min(period.end, today)})
    if granularity == "month":
        first = Period(period.year, "month", 1) if period.kind == "year" else Period.containing(period.start, "month")
        last = Period.containing(period.end, "month")
    else:
        first, last = Period.containing(period.start, granularity), Period.containing(period.end, granularity)
        if first.kind != granularity:
            first = last = Period.containing(period.start, granularity)
    if period.start <= today < period.end:
        last = min(last, Period.containing(today, granularity))
        total = to_date_total(qs, period, today, basis)
    else:
        total = series(qs, period, period, basis)[0].as_dict()
    trend = series(qs, first, last, basis)
    by_outcome: list[dict] = []
    groups = victim_groups(in_period, outcomes=by_outcome)
    return {
        "basis": basis,
        "basis_label": basis_label(basis),
        "period": str(period),
        "period_label": period.label,
        "to_date": total.get("to_date"),
        "granularity": granularity,
        "total": total,
        "major": in_period.filter(is_major=True).count(),
        "trend": [p.as_dict() for p in trend],
        "by_type": breakdown(in_period, "fraud_type", FraudType.choices),
        "by_channel": breakdown(in_period, "channel", Channel.choices),
        "by_outcome": by_outcome,
        "by_victim_group": groups,
        "ranking": child_ranking(user, node, period, basis) if node is not None else [],
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
    status: str  # met / on_track / at_risk / missed / no_base  (the worse of count and loss: 双下降)
    elapsed_share: float = 1.0
    notes: list[str] = field(default_factory=list)
    base_loss: float = 0.0
    actual_loss: float = 0.0
    allowed_loss: float = 0.0
    loss_change_pct: float | None = None
    projected_loss: float | None = None
    count_status: str = ""
    loss_status: str = ""
    basis: str = DateBasis.OCCURRED

    @property
    def basis_label(self) -> str:
        return basis_label(self.basis)

    def as_dict(self) -> dict:
        return {
            "basis": self.basis, "basis_label": self.basis_label, "counts": "completed",
            "base": self.base, "actual": self.actual, "allowed": round(self.allowed, 1), "change_pct": self.change_pct,
            "projected": None if self.projected is None else round(self.projected, 1), "count_status": self.count_status,
            "base_loss": self.base_loss, "actual_loss": self.actual_loss, "allowed_loss": round(self.allowed_loss, 2),
            "loss_change_pct": self.loss_change_pct,
            "projected_loss": None if self.projected_loss is None else round(self.projected_loss, 2),
            "loss_status": self.loss_status, "status": self.status, "elapsed_share": round(self.elapsed_share, 3),
        }


_STATUS_ORDER = ("missed", "at_risk", "no_base", "on_track", "met", "not_started")


def _judge(base: float, actual: float, allowed: float, share: float, finished: bool) -> tuple[str, float | None]:
    """One measure (count or loss) against its allowed figure: (status, projected)."""
    if finished:
        return ("no_base" if base == 0 and actual == 0 else ("met" if actual <= allowed else "missed")), float(actual)
    projected = actual / share if share else None
    status = "on_track" if projected is not None and projected <= allowed else "at_risk"
    if actual > allowed:
        status = "missed"
    return status, projected


def target_progress(target: ReductionTarget, *, user, today: dt.date | None = None,
                    basis: str = DateBasis.OCCURRED) -> TargetProgress:
    """Where a node stands against its target, projecting the current period.

    1. Count the node's completed cases (既遂; attempted ones lost nothing and are
       not counted) in the base and target periods, by the date the fraud happened
       (or `basis="reported"`). The staff target (SPEC §4) counts cases whose victim
       is a unit's own staff member; family members count for the fraud-free unit
       criterion (assessment), not for this target.
    2. The allowed count is base × (1 + change%); the allowed loss likewise
       (双下降: both must fall, seed 002 发案数、损失金额的双下降).
    3. For a period still running, project count and loss so far over the whole
       period at the same daily pace (pro rata by days).
    4. Finished: met / missed. Running: on track when the projection stays
       within the allowed figure, at risk otherwise. The target's status is the
       worse of the two.
    """
    today = today or timezone.localdate()
    basis = basis_of(basis)
    node = target.node
    qs = cases_for(user, node=node).filter(outcome=Outcome.COMPLETED)
    if target.kind == "staff":
        qs = qs.filter(staff_link=StaffLink.STAFF)
    p, b = Period.parse(target.period), Period.parse(target.base_period)
    months = monthly(qs, b.start, p.end, basis)
    base_b, actual_b = bucket_for(months, b), bucket_for(months, p)
    base, actual = base_b.count, actual_b.count
    base_loss, actual_loss = float(base_b.loss), float(actual_b.loss)
    factor = 1 + float(target.change_pct) / 100
    allowed, allowed_loss = base * factor, base_loss * factor
    change, loss_change = pct_change(actual, base), pct_change(actual_loss, base_loss)
    extra = dict(base_loss=base_loss, actual_loss=actual_loss, allowed_loss=allowed_loss, loss_change_pct=loss_change,
                 basis=basis)
    if today < p.start:
        return TargetProgress(target, base, actual, allowed, change, None, "not_started", 0.0,
                              count_status="not_started", loss_status="not_started", **extra)
    finished = today > p.end
    share = 1.0 if finished else ((today - p.start).days + 1) / ((p.end - p.start).days + 1)
    count_status, projected = _judge(base, actual, allowed, share, finished)
    loss_status, projected_loss = _judge(base_loss, actual_loss, allowed_loss, share, finished)
    status = min((count_status, loss_status), key=_STATUS_ORDER.index)
    return TargetProgress(target, base, actual, allowed, change, projected, status, share,
                          projected_loss=projected_loss, count_status=count_status, loss_status=loss_status, **extra)


def targets_for(user, *, node: Node | None = None, year: int | None = None) -> QuerySet[ReductionTarget]:
    qs = ReductionTarget.objects.select_related("node")
    visible = scoped(Node.objects.all(), user)
    qs = qs.filter(node__in=visible)
    if node is not None:
        qs = qs.filter(node=node)
    if year:
        qs = qs.filter(period__startswith=str(year))
    return qs.order_by("node__sort", "node__code", "kind", "period")
