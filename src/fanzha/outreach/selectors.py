"""Scoped reads and roll-ups of outreach.

Roll-ups: figures are counted once at the finest level under the node asked
for (grids; household groups when the node is a group) with one grouped query
per measure, and summed in Python up through community, street and county.
The set of leaf nodes comes from `scoped(Node...)`, so a count covers exactly
the part of the tree the user may see; the grouped queries then run on the
leaf column alone, which the covering indexes answer without reading rows.
Pages, API and reports all call these, so their figures are the same.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fanzha.cases.models import Case
from fanzha.core.scoping import get_scoped_or_404, scope_of, scoped
from fanzha.org.models import (
    LEVEL_ORDER,
    Household,
    Level,
    Node,
    NodeCounts,
    Resident,
    StaffMember,
    Unit,
    UnitKind,
    elderly_born_before,
)
from fanzha.outreach.models import (
    Activity,
    ActivityKind,
    FLAG_DATE,
    FLAG_VERIFIER,
    FLAGS,
    Evidence,
    HomeVisit,
    InstallStatus,
    InstallTarget,
    LetterReceipt,
    PeriodicReport,
    PersonKind,
    SchoolLetter,
    TargetGroup,
    VisitYear,
    WeChatPush,
)
from fanzha.outreach.periods import ReportPeriod, week_start

PACE_WEEKS = 4  # installs of the last N weeks give the pace of a projection
PUSHES_PER_WEEK = 2

# Unit kinds by target group: street staff are the street's own departments
# and the government units (机关, the police station: 全街道干部职工 100%);
# industry staff are the units the departments supervise (行业单位人员).
# The "departments" group judges each of the staff-group units on its own.
STREET_STAFF_KINDS = (UnitKind.STREET_DEPARTMENT, UnitKind.GOVERNMENT)
DEPARTMENT_KINDS = STREET_STAFF_KINDS
INDUSTRY_KINDS = tuple(k for k in UnitKind.values if k not in STREET_STAFF_KINDS)


def pct(n: int, d: int) -> float | None:
    """n/d as a percentage with one decimal, None when there is nothing to divide by."""
    return round(n * 100 / d, 1) if d else None


# --- roll-ups -------------------------------------------------------------------


@dataclass
class Figures:
    households: int = 0
    visited: int = 0  # households visited at least once in the period
    residents: int = 0
    app: int = 0  # residents with the anti-fraud app, as of the period's end
    call_warning: int = 0
    jinzhongzhao: int = 0
    app_recent: int = 0  # app installs in the pace window before the period's end
    app_new: int = 0  # app installs dated inside the period
    visited_since: int = 0  # households visited from `since` (e.g. 1 January) to the period's end

    def add(self, other: "Figures") -> None:
        for k in self.__dataclass_fields__:
            setattr(self, k, getattr(self, k) + getattr(other, k))

    @property
    def coverage(self) -> float | None:
        return pct(self.visited, self.households)

    @property
    def coverage_since(self) -> float | None:
        return pct(self.visited_since, self.households)

    @property
    def app_rate(self) -> float | None:
        return pct(self.app, self.residents)

    @property
    def call_warning_rate(self) -> float | None:
        return pct(self.call_warning, self.residents)

    @property
    def jinzhongzhao_rate(self) -> float | None:
        return pct(self.jinzhongzhao, self.residents)

    def as_dict(self) -> dict:
        return {
            "households": self.households, "visited": self.visited, "coverage": self.coverage,
            "residents": self.residents, "app": self.app, "app_rate": self.app_rate,
            "call_warning": self.call_warning, "call_warning_rate": self.call_warning_rate,
            "jinzhongzhao": self.jinzhongzhao, "jinzhongzhao_rate": self.jinzhongzhao_rate,
            "app_recent": self.app_recent, "app_new": self.app_new,
            "visited_since": self.visited_since, "coverage_since": self.coverage_since,
        }


@dataclass
class NodeInfo:
    id: int
    name: str
    level: str
    parent_id: int | None
    code: str
    sort: int
    ancestors: dict[str, int | None]

    @property
    def level_label(self) -> str:
        return str(Level(self.level).label)


@dataclass
class Rollup:
    root: NodeInfo
    period: ReportPeriod
    pace_weeks: int
    nodes: dict[int, NodeInfo]
    figures: dict[int, Figures]
    children_of: dict[int, list[int]] = field(default_factory=dict)

    def of(self, node_id: int) -> Figures:
        return self.figures.get(node_id) or Figures()

    @property
    def total(self) -> Figures:
        return self.of(self.root.id)

    def children(self, node_id: int | None = None) -> list[NodeInfo]:
        ids = self.children_of.get(self.root.id if node_id is None else node_id, [])
        return [self.nodes[i] for i in ids]

    def at_level(self, level: str) -> list[NodeInfo]:
        return [n for n in self.nodes.values() if n.level == level]


def leaf_level(root: Node) -> str:
    return Level.GROUP if root.level == Level.GROUP else Level.GRID


def _subtree_nodes(user, root: Node, deepest: str) -> QuerySet[Node]:
    """Scoped nodes under root (root included) down to level `deepest`."""
    levels = LEVEL_ORDER[LEVEL_ORDER.index(root.level): LEVEL_ORDER.index(deepest) + 1]
    return scoped(Node.objects.filter(**{f"{root.level}_id": root.id}, level__in=levels), user)


def _leaf_ids(user, root: Node):
    """Subquery of the scoped leaf nodes under root."""
    level = leaf_level(root)
    return scoped(Node.objects.filter(**{f"{root.level}_id": root.id}, level=level), user).values("id")


def _head_counts(leaf_ids, col: str, as_of: dt.date | None = None) -> dict[int, tuple[int, int]]:
    """{leaf id: (households, residents)} for these leaves.

    Today's counts come from the maintained head counts (`org.counts`, one
    row per leaf, right as of the last write); visits and installs are
    counted live. A past date counts the households and residents registered
    by the end of that day (records deleted since are not known any more).
    """
    if as_of is None or as_of >= timezone.localdate():
        return {row["node_id"]: (row["households"], row["residents"])
                for row in NodeCounts.objects.filter(node_id__in=leaf_ids).values("node_id", "households", "residents")}
    end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
    counts: dict[int, list[int]] = {}
    for model, i in ((Household, 0), (Resident, 1)):
        for leaf_id, n in (model.objects.filter(**{f"{col}__in": leaf_ids}, created_at__lt=end).order_by().values(col)
                           .annotate(n=Count("id")).values_list(col, "n")):
            counts.setdefault(leaf_id, [0, 0])[i] = n
    return {k: (v[0], v[1]) for k, v in counts.items()}


def rollup(user, root: Node, *, period: ReportPeriod, since: dt.date | None = None,
           pace_weeks: int = PACE_WEEKS, heads_as_of: dt.date | None = None) -> Rollup:
    """Visit coverage and install rates for root and every node under it down to grids.

    1. The scoped nodes of the subtree (one query).
    2. Households, residents, distinct visited households in the period (and
       from `since` to the period's end, e.g. the year so far), and residents'
       installs as of the period's end (with those inside the period and those
       of the last `pace_weeks` weeks): one grouped query each, by leaf node.
    3. Each leaf's figures added to every ancestor inside the subtree.
    Households and residents come from the maintained head counts
    (`_head_counts`); everything else is counted live.
    """
    leaf = leaf_level(root)
    col = f"{leaf}_id"
    infos: dict[int, NodeInfo] = {}
    for row in _subtree_nodes(user, root, leaf).values("id", "name", "level", "parent_id", "code", "sort",
                                                        "county_id", "street_id", "community_id", "grid_id", "group_id"):
        infos[row["id"]] = NodeInfo(row["id"], row["name"], row["level"], row["parent_id"], row["code"], row["sort"],
                                    {f: row[f"{f}_id"] for f in ("county", "street", "community", "grid", "group")})
    leaf_ids = _leaf_ids(user, root)
    # Plain lists of ints in FIELDS order while summing: 1,500 grids × 3 levels add up in a few ms.
    fields = [f for f in Figures.__dataclass_fields__]
    slot = {f: i for i, f in enumerate(fields)}
    per_leaf: dict[int, list[int]] = {i: [0] * len(fields) for i, n in infos.items() if n.level == leaf}

    def grouped(qs, names: list[str], **aggregates):
        """Fill `names` (Figures fields) from the aggregates, in order, for each leaf."""
        rows = qs.filter(**{f"{col}__in": leaf_ids}).order_by().values(col).annotate(**aggregates).values_list(col, *aggregates)
        idx = [slot[n] for n in names]
        for leaf_id, *values in rows:
            acc = per_leaf.get(leaf_id)
            if acc is not None:
                for i, v in zip(idx, values):
                    acc[i] = v

    end = period.end
    pace_start = end - dt.timedelta(weeks=pace_weeks)
    # heads_as_of (a report dated in the past): households and residents registered by then.
    heads = _head_counts(leaf_ids, col, as_of=heads_as_of)
    i_h, i_r = slot["households"], slot["residents"]
    for leaf_id, (households, residents) in heads.items():
        acc = per_leaf.get(leaf_id)
        if acc is not None:
            acc[i_h], acc[i_r] = households, residents
    if since and since == dt.date(end.year, 1, 1):
        # Since 1 January: the households' first visit of the year, from its own index.
        grouped(HomeVisit.objects.filter(visited_on__gte=period.start, visited_on__lte=end), ["visited"],
                n=Count("household_id", distinct=True))
        grouped(VisitYear.objects.filter(year=end.year, first_visited_on__lte=end), ["visited_since"], n=Count("id"))
    else:
        first = min(period.start, since) if since else period.start
        visits = {"n": Count("household_id", distinct=True, filter=Q(visited_on__gte=period.start))}
        names = ["visited"]
        if since:
            visits["since"] = Count("household_id", distinct=True, filter=Q(visited_on__gte=since))
            names.append("visited_since")
        grouped(HomeVisit.objects.filter(visited_on__gte=first, visited_on__lte=end), names, **visits)
    installs = InstallStatus.objects.filter(kind=PersonKind.RESIDENT)
    if heads_as_of is not None and heads_as_of < timezone.localdate():
        # Installs of the residents registered by that date only: the rate's two sides count the same people.
        installs = installs.filter(resident__created_at__lt=timezone.make_aware(
            dt.datetime.combine(heads_as_of + dt.timedelta(days=1), dt.time.min)))
    if end >= timezone.localdate():
        # Dates are never in the future (the services refuse them): "as of today" is "set".
        grouped(installs, ["app", "call_warning", "jinzhongzhao"],
                app=Count("app_installed_on"), cw=Count("call_warning_on"), jz=Count("jinzhongzhao_on"))
    else:
        grouped(installs, ["app", "call_warning", "jinzhongzhao"],
                app=Count("id", filter=Q(app_installed_on__lte=end)),
                cw=Count("id", filter=Q(call_warning_on__lte=end)),
                jz=Count("id", filter=Q(jinzhongzhao_on__lte=end)))
    # Installs of the pace window and of the period: a range of the index per grid.
    grouped(installs.filter(app_installed_on__gte=min(pace_start + dt.timedelta(days=1), period.start), app_installed_on__lte=end),
            ["app_recent", "app_new"],
            recent=Count("id", filter=Q(app_installed_on__gt=pace_start)),
            new=Count("id", filter=Q(app_installed_on__gte=period.start)))

    sums: dict[int, list[int]] = {i: [0] * len(fields) for i in infos}
    above = LEVEL_ORDER[LEVEL_ORDER.index(root.level): LEVEL_ORDER.index(leaf)]
    width = range(len(fields))
    for leaf_id, values in per_leaf.items():
        sums[leaf_id] = values
        anc = infos[leaf_id].ancestors
        for level in above:
            target = sums.get(anc.get(level))
            if target is not None:
                for i in width:
                    target[i] += values[i]
    figures = {i: Figures(*values) for i, values in sums.items()}
    children: dict[int, list[int]] = {}
    for info in sorted(infos.values(), key=lambda n: (n.sort, n.code)):
        if info.parent_id in infos:
            children.setdefault(info.parent_id, []).append(info.id)
    return Rollup(infos[root.id], period, pace_weeks, infos, figures, children)


# --- activities, pushes, letters in a period ----------------------------------------------


def activities_for(user, *, node: Node | None = None, unit: Unit | None = None, start: dt.date | None = None,
                   end: dt.date | None = None, kind: str = "") -> QuerySet[Activity]:
    qs = scoped(Activity.objects.all(), user)
    if node is not None:
        qs = qs.filter(**{f"{node.level}_id": node.id})
    if unit is not None:
        qs = qs.filter(unit=unit)
    if start:
        qs = qs.filter(held_on__gte=start)
    if end:
        qs = qs.filter(held_on__lte=end)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def activity_get(user, pk) -> Activity:
    return get_scoped_or_404(Activity.objects.select_related("node", "unit", "created_by"), user, pk=pk)


def evidence_get(user, pk) -> Evidence:
    return get_scoped_or_404(Evidence.objects.all(), user, pk=pk)


def activity_totals(qs: QuerySet[Activity]) -> dict:
    agg = qs.aggregate(n=Count("id"), participants=Coalesce(Sum("participants"), 0), materials=Coalesce(Sum("materials"), 0))
    return {"activities": agg["n"], "participants": agg["participants"], "materials": agg["materials"]}


def activities_by_kind(qs: QuerySet[Activity]) -> list[dict]:
    rows = {r["kind"]: r for r in qs.order_by().values("kind").annotate(
        n=Count("id"), participants=Coalesce(Sum("participants"), 0), materials=Coalesce(Sum("materials"), 0))}
    return [{"kind": k, "label": str(label), "count": rows[k]["n"], "participants": rows[k]["participants"],
             "materials": rows[k]["materials"]} for k, label in ActivityKind.choices if k in rows]


def activities_by_child(qs: QuerySet[Activity], child_level: str) -> dict[int, dict]:
    col = f"{child_level}_id"
    return {r[col]: {"activities": r["n"], "participants": r["p"], "materials": r["m"]}
            for r in qs.order_by().values(col).annotate(n=Count("id"), p=Coalesce(Sum("participants"), 0),
                                                         m=Coalesce(Sum("materials"), 0))}


def fraud_types_covered(qs: QuerySet[Activity]) -> list[dict]:
    """How many activities covered each fraud type (multi-valued, counted in Python)."""
    from fanzha.cases.fraud_types import FraudType

    counts: dict[str, int] = {}
    for types in qs.values_list("fraud_types", flat=True):
        for t in types or ():
            counts[t] = counts.get(t, 0) + 1
    return [{"type": t, "label": label, "count": counts[t]} for t, label in FraudType.choices if t in counts]


def visits_for(user, *, node: Node | None = None, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[HomeVisit]:
    qs = scoped(HomeVisit.objects.all(), user)
    if node is not None:
        qs = qs.filter(**{f"{node.level}_id": node.id})
    if start:
        qs = qs.filter(visited_on__gte=start)
    if end:
        qs = qs.filter(visited_on__lte=end)
    return qs


def visit_totals(qs: QuerySet[HomeVisit]) -> dict:
    agg = qs.aggregate(visits=Count("id"), households=Count("household_id", distinct=True),
                       materials=Coalesce(Sum("materials"), 0))
    return agg


def pushes_for(user, *, node: Node | None = None, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[WeChatPush]:
    qs = scoped(WeChatPush.objects.all(), user)
    if node is not None:
        qs = qs.filter(**{f"{node.level}_id": node.id})
    if start:
        qs = qs.filter(pushed_on__gte=start)
    if end:
        qs = qs.filter(pushed_on__lte=end)
    return qs


def push_weeks(user, node: Node, *, start: dt.date, end: dt.date) -> dict:
    """WeChat pushes per community and ISO week, and the community-weeks below two.

    A week still running counts as short only when it is over (its Sunday
    is before `end`), so Monday's view does not flag everyone.

    1. Scoped communities under node (node itself when it is a community or below).
    2. Pushes between the Monday of start's week and end, by community and day (one query).
    3. Bucket by week; list (community, week, count) with count < 2 for finished weeks.
    """
    if node.level in (Level.COUNTY, Level.STREET):
        communities = list(scoped(Node.objects.filter(**{f"{node.level}_id": node.id}, level=Level.COMMUNITY), user)
                           .order_by("sort", "code").values("id", "name"))
    elif node.level == Level.COMMUNITY:
        communities = [{"id": node.id, "name": node.name}]
    else:  # the rule is the community's; a grid's own pushes are only listed
        communities = []
    first = week_start(start)
    weeks = []
    w = first
    while w <= end:
        weeks.append(w)
        w += dt.timedelta(days=7)
    counts: dict[tuple[int, dt.date], int] = {}
    ids = [c["id"] for c in communities]
    rows = (scoped(WeChatPush.objects.filter(community_id__in=ids, pushed_on__gte=first, pushed_on__lte=end), user)
            .order_by().values("community_id", "pushed_on").annotate(n=Count("id")))
    for r in rows:
        key = (r["community_id"], week_start(r["pushed_on"]))
        counts[key] = counts.get(key, 0) + r["n"]
    table, short = [], []
    for c in communities:
        cells = []
        for wk in weeks:
            n = counts.get((c["id"], wk), 0)
            finished = wk + dt.timedelta(days=6) <= end
            is_short = finished and n < PUSHES_PER_WEEK
            cells.append({"week": wk, "count": n, "short": is_short, "finished": finished})
            if is_short:
                short.append({"community_id": c["id"], "community": c["name"], "week": wk, "count": n})
        table.append({"id": c["id"], "name": c["name"], "cells": cells, "total": sum(x["count"] for x in cells),
                      "short_weeks": sum(1 for x in cells if x["short"])})
    return {"weeks": weeks, "rows": table, "short": short}


def letters_for(user, *, node: Node | None = None, unit: Unit | None = None, start=None, end=None) -> QuerySet[SchoolLetter]:
    qs = scoped(SchoolLetter.objects.all(), user)
    if node is not None:
        qs = qs.filter(**{f"{node.level}_id": node.id})
    if unit is not None:
        qs = qs.filter(unit=unit)
    if start:
        qs = qs.filter(sent_on__gte=start)
    if end:
        qs = qs.filter(sent_on__lte=end)
    return qs


def letter_get(user, pk) -> SchoolLetter:
    return get_scoped_or_404(SchoolLetter.objects.select_related("unit"), user, pk=pk)


def receipts_by_school(letters: QuerySet[SchoolLetter]) -> list[dict]:
    """Letters sent and receipts returned per school (and per letter inside)."""
    rows = (LetterReceipt.objects.filter(letter__in=letters.values("id")).order_by()
            .values("letter__unit_id", "letter__unit__name")
            .annotate(sent=Coalesce(Sum("letters_sent"), 0), returned=Coalesce(Sum("receipts_returned"), 0),
                      classes=Count("id"), letters=Count("letter_id", distinct=True)))
    out = [{"unit_id": r["letter__unit_id"], "school": r["letter__unit__name"], "letters": r["letters"],
            "classes": r["classes"], "sent": r["sent"], "returned": r["returned"], "rate": pct(r["returned"], r["sent"])}
           for r in rows]
    out.sort(key=lambda d: (d["rate"] if d["rate"] is not None else 101, d["school"]))
    return out


def receipt_totals(letters: QuerySet[SchoolLetter]) -> dict:
    agg = LetterReceipt.objects.filter(letter__in=letters.values("id")).aggregate(
        sent=Coalesce(Sum("letters_sent"), 0), returned=Coalesce(Sum("receipts_returned"), 0))
    return {"sent": agg["sent"], "returned": agg["returned"], "rate": pct(agg["returned"], agg["sent"])}


# --- staff of units ------------------------------------------------------------------------


@dataclass
class UnitCounts:
    """Staff of one unit and their installs as of a day (and in the pace window)."""

    kind: str
    name: str
    placed: dict[str, int | None]
    staff: int = 0
    unlinked: int = 0  # staff who are not registered residents
    app: int = 0
    call_warning: int = 0
    jinzhongzhao: int = 0
    recent: int = 0
    app_unlinked: int = 0
    recent_unlinked: int = 0


def staff_by_unit(user, *, node: Node | None = None, unit: Unit | None = None, as_of: dt.date | None = None,
                  pace_weeks: int = PACE_WEEKS) -> dict[int, UnitCounts]:
    """Per unit: staff, and their app / call warning / jinzhongzhao as of a day.

    One grouped query over the scoped staff, each joined to its install row
    by the one-to-one key, plus the units' kind and place (one small query).
    """
    as_of = as_of or timezone.localdate()
    pace_start = as_of - dt.timedelta(weeks=pace_weeks)
    staff = scoped(StaffMember.objects.all(), user)
    if node is not None:
        staff = staff.filter(**{f"{node.level}_id": node.id})
    if unit is not None:
        staff = staff.filter(unit=unit)
    unlinked = Q(resident__isnull=True)
    done = Q(install__app_installed_on__lte=as_of)
    recent = Q(install__app_installed_on__gt=pace_start, install__app_installed_on__lte=as_of)
    rows = staff.order_by().values("unit_id").annotate(
        n=Count("id"), unlinked=Count("id", filter=unlinked),
        app=Count("id", filter=done), cw=Count("id", filter=Q(install__call_warning_on__lte=as_of)),
        jz=Count("id", filter=Q(install__jinzhongzhao_on__lte=as_of)), recent=Count("id", filter=recent),
        app_unlinked=Count("id", filter=done & unlinked), recent_unlinked=Count("id", filter=recent & unlinked),
    ).values_list("unit_id", "n", "unlinked", "app", "cw", "jz", "recent", "app_unlinked", "recent_unlinked")
    rows = list(rows)
    units = {u["id"]: u for u in Unit.objects.filter(pk__in=[r[0] for r in rows]).values(
        "id", "kind", "name", "county_id", "street_id", "community_id", "grid_id", "group_id")}
    out = {}
    for unit_id, *values in rows:
        u = units[unit_id]
        out[unit_id] = UnitCounts(u["kind"], u["name"], {f: u[f"{f}_id"] for f in ("county", "street", "community", "grid", "group")},
                                  *values)
    return out


def unit_rates(user, *, node: Node | None = None, unit: Unit | None = None, as_of: dt.date | None = None,
               by: str = "kind") -> list[dict]:
    """Staff install rates grouped by unit type (`by="kind"`) or by unit (`by="unit"`)."""
    per_unit = staff_by_unit(user, node=node, unit=unit, as_of=as_of)
    labels = dict(UnitKind.choices)
    groups: dict = {}
    for unit_id, c in per_unit.items():
        key = c.kind if by == "kind" else unit_id
        g = groups.setdefault(key, {"staff": 0, "app": 0, "call_warning": 0, "jinzhongzhao": 0})
        g["staff"] += c.staff
        g["app"] += c.app
        g["call_warning"] += c.call_warning
        g["jinzhongzhao"] += c.jinzhongzhao
    if by == "kind":
        keys = [k for k in UnitKind.values if k in groups]
    else:
        keys = sorted(groups, key=lambda i: per_unit[i].name)
    out = []
    for k in keys:
        g = groups[k]
        row = {"key": k, "label": str(labels.get(k, k)) if by == "kind" else per_unit[k].name, **g}
        if by == "unit":
            row["kind"] = per_unit[k].kind
            row["kind_label"] = str(labels.get(row["kind"], ""))
        n = g["staff"]
        row.update(app_rate=pct(g["app"], n), call_warning_rate=pct(g["call_warning"], n),
                   jinzhongzhao_rate=pct(g["jinzhongzhao"], n))
        out.append(row)
    return out


def unit_staff_installs(user, unit: Unit) -> list[StaffMember]:
    """The unit's staff with their install rows attached (`s.install_row`)."""
    staff = list(scoped(StaffMember.objects.filter(unit=unit), user).order_by("name", "id"))
    rows = {i.staff_id: i for i in InstallStatus.objects.filter(staff_id__in=[s.id for s in staff])}
    for s in staff:
        s.install_row = rows.get(s.id)
    return staff


def household_residents(user, household: Household) -> list[Resident]:
    """The household's residents with their install rows attached (`r.install_row`)."""
    residents = list(scoped(Resident.objects.filter(household=household), user).order_by("id"))
    rows = {i.resident_id: i for i in InstallStatus.objects.filter(resident_id__in=[r.id for r in residents])}
    for r in residents:
        r.install_row = rows.get(r.id)
    return residents


# --- targets ---------------------------------------------------------------------------------


@dataclass
class GroupCount:
    people: int = 0
    installed: int = 0
    recent: int = 0

    def add(self, other: "GroupCount") -> None:
        self.people += other.people
        self.installed += other.installed
        self.recent += other.recent


def group_counts(user, root: Node, level: str, *, as_of: dt.date, pace_weeks: int = PACE_WEEKS,
                 rolled: Rollup | None = None, groups: list[str] | None = None) -> dict[int, dict[str, GroupCount]]:
    """People and app installs per target group for root and each scoped node at `level` under it.

    Residents come from the roll-up; staff from one grouped query by unit
    (`staff_by_unit`), added to the node of `level` the unit sits under.
    Staff linked to a resident count once in "all". `groups` limits the work
    to the groups wanted (residents alone need no staff query).
    """
    period = ReportPeriod(as_of, as_of)
    rolled = rolled or rollup(user, root, period=period, pace_weeks=pace_weeks)
    ids = [root.id] + [n.id for n in rolled.at_level(level) if n.id != root.id]
    out = {i: {g: GroupCount() for g in TargetGroup.values} for i in ids}
    for i in ids:
        f = rolled.of(i)
        out[i][TargetGroup.RESIDENTS] = GroupCount(f.residents, f.app, f.app_recent)
        out[i][TargetGroup.ALL] = GroupCount(f.residents, f.app, f.app_recent)
    if groups is not None and not set(groups) & {TargetGroup.STREET_STAFF, TargetGroup.INDUSTRY_STAFF, TargetGroup.ALL}:
        return out  # residents only: no staff to count
    group_of_kind = {k: TargetGroup.STREET_STAFF for k in STREET_STAFF_KINDS}
    group_of_kind.update({k: TargetGroup.INDUSTRY_STAFF for k in INDUSTRY_KINDS})
    for c in staff_by_unit(user, node=root, as_of=as_of, pace_weeks=pace_weeks).values():
        g = group_of_kind.get(c.kind)
        for node_id in {c.placed.get(level), root.id}:
            if node_id not in out:
                continue
            if g:
                out[node_id][g].add(GroupCount(c.staff, c.app, c.recent))
            out[node_id][TargetGroup.ALL].add(GroupCount(c.unlinked, c.app_unlinked, c.recent_unlinked))
    return out


def targets_applying(user, node_ids_with_ancestors: dict[int, list[int]]) -> dict[int, list[InstallTarget]]:
    """For each node, the targets set on it or on any ancestor (one query)."""
    wanted = {a for chain in node_ids_with_ancestors.values() for a in chain}
    targets = list(InstallTarget.objects.filter(node_id__in=wanted).select_related("node"))
    by_node: dict[int, list[InstallTarget]] = {}
    for t in targets:
        by_node.setdefault(t.node_id, []).append(t)
    out = {}
    for node_id, chain in node_ids_with_ancestors.items():
        out[node_id] = [t for a in chain for t in by_node.get(a, [])]
    return out


def current_target(targets: list[InstallTarget], group: str, as_of: dt.date, depth_of: dict[int, int]) -> InstallTarget | None:
    """The target that is running now: the nearest deadline on or after today (deepest node first);
    when every deadline has passed, the last one."""
    mine = [t for t in targets if t.group == group]
    if not mine:
        return None
    upcoming = [t for t in mine if t.deadline >= as_of]
    if upcoming:
        return min(upcoming, key=lambda t: (t.deadline, -depth_of.get(t.node_id, 0)))
    return max(mine, key=lambda t: (t.deadline, depth_of.get(t.node_id, 0)))


@dataclass
class Progress:
    node_id: int
    name: str
    level: str
    group: str
    people: int
    installed: int
    rate: float | None
    target: InstallTarget | None
    needed: int = 0
    gap: int = 0
    pace_per_week: float = 0.0
    projected: float | None = None
    projected_rate: float | None = None
    status: str = "no_target"  # met / on_track / behind / missed / no_target / no_people
    shortfall_points: float = 0.0
    is_unit: bool = False  # a department's row (group "departments"): node_id is the unit's id

    def as_dict(self) -> dict:
        t = self.target
        return {
            "node": {"id": self.node_id, "name": self.name, "level": self.level}, "group": self.group,
            "unit": {"id": self.node_id, "name": self.name} if self.is_unit else None,
            "target_historical": bool(t and t.historical),
            "people": self.people, "installed": self.installed, "rate": self.rate,
            "target_rate": float(t.rate) if t else None, "deadline": t.deadline.isoformat() if t else None,
            "target_node": t.node.name if t else None, "needed": self.needed, "gap": self.gap,
            "pace_per_week": round(self.pace_per_week, 1),
            "projected": None if self.projected is None else round(self.projected),
            "projected_rate": self.projected_rate, "status": self.status,
        }


def progress_of(*, node_id: int, name: str, level: str, group: str, counts: GroupCount, target: InstallTarget | None,
                as_of: dt.date, pace_weeks: int) -> Progress:
    """Rate, gap in people and a linear projection to the deadline.

    1. needed = ceil(target% × people); gap = needed − installed (not below 0).
    2. pace = app installs of the last `pace_weeks` weeks, per day.
    3. Deadline ahead: projected = installed + pace × days left; on track when
       projected ≥ needed (met when the gap is already 0).
    4. Deadline passed: met or missed on today's figures.
    """
    p = Progress(node_id, name, level, group, counts.people, counts.installed, pct(counts.installed, counts.people), target)
    p.pace_per_week = counts.recent / pace_weeks if pace_weeks else 0.0
    if target is None:
        return p
    if counts.people == 0:
        p.status = "no_people"
        return p
    p.needed = math.ceil(float(target.rate) * counts.people / 100 - 1e-9)
    p.gap = max(0, p.needed - counts.installed)
    days_left = (target.deadline - as_of).days
    if days_left >= 0:
        p.projected = min(float(counts.people), counts.installed + p.pace_per_week / 7 * days_left)
        p.projected_rate = pct(round(p.projected), counts.people)
        p.status = "met" if p.gap == 0 else ("on_track" if p.projected >= p.needed else "behind")
    else:
        p.projected = float(counts.installed)
        p.projected_rate = p.rate
        p.status = "met" if p.gap == 0 else "missed"
    p.shortfall_points = max(0.0, float(target.rate) - (p.projected_rate or 0.0)) if p.status not in ("met", "on_track") else 0.0
    return p


def install_progress(user, root: Node, *, level: str | None = None, group: str = TargetGroup.RESIDENTS,
                     as_of: dt.date | None = None, pace_weeks: int = PACE_WEEKS, rolled: Rollup | None = None) -> dict:
    """Everything the targets page and API show: root and nodes one level down (or `level`).

    `rolled` may pass a roll-up of root whose period ends on `as_of` (its install
    counts are the same) so they are not counted twice.
    Returns {"root": Progress, "rows": [Progress], "behind": [Progress ranked furthest behind first]}.
    """
    as_of = as_of or timezone.localdate()
    if level is None:
        level = LEVEL_ORDER[min(LEVEL_ORDER.index(root.level) + 1, len(LEVEL_ORDER) - 1)]
    if LEVEL_ORDER.index(level) < LEVEL_ORDER.index(root.level):
        level = root.level
    if root.level != Level.GROUP and level == Level.GROUP:
        level = Level.GRID
    if group == TargetGroup.DEPARTMENTS:
        return department_progress(user, root, as_of=as_of, pace_weeks=pace_weeks)
    if rolled is None or rolled.period.end != as_of or rolled.pace_weeks != pace_weeks or rolled.root.id != root.id:
        rolled = rollup(user, root, period=ReportPeriod(as_of, as_of), pace_weeks=pace_weeks)
    counts = group_counts(user, root, level, as_of=as_of, pace_weeks=pace_weeks, rolled=rolled, groups=[group])
    chains = {}
    depth_of = {}
    root_chain = [getattr(root, f"{f}_id") for f in ("county", "street", "community", "grid", "group")]
    root_chain = [i for i in root_chain if i]
    for node_id in counts:
        info = rolled.nodes[node_id]
        chain = [i for i in (info.ancestors.get(f) for f in ("county", "street", "community", "grid", "group")) if i]
        chains[node_id] = list(dict.fromkeys(root_chain + chain))
    for chain in chains.values():
        for depth, i in enumerate(chain):
            depth_of[i] = max(depth_of.get(i, 0), depth)
    applying = targets_applying(user, chains)
    rows = []
    root_p = None
    for node_id, by_group in counts.items():
        info = rolled.nodes[node_id]
        t = current_target(applying[node_id], group, as_of, depth_of)
        p = progress_of(node_id=node_id, name=info.name, level=info.level, group=group, counts=by_group[group],
                        target=t, as_of=as_of, pace_weeks=pace_weeks)
        if node_id == root.id:
            root_p = p
        else:
            rows.append(p)
    order = {n.id: (n.sort, n.code) for n in rolled.nodes.values()}
    rows.sort(key=lambda p: order.get(p.node_id, (0, "")))
    behind = sorted((p for p in rows if p.status in ("behind", "missed")),
                    key=lambda p: (-p.shortfall_points, -p.gap, p.name))
    return {"root": root_p, "rows": rows, "behind": behind, "as_of": as_of, "level": level, "group": group,
            "pace_weeks": pace_weeks}


def department_progress(user, root: Node, *, as_of: dt.date, pace_weeks: int = PACE_WEEKS) -> dict:
    """Every street department and government unit under root judged on its own staff against the
    "departments" target applying to its place (seed 002: 各部门 … 7月底30%、8月底60%、9月底100%).

    Same shape as `install_progress`; rows are units (`is_unit`), the root row is all of them together.
    Three queries: the units, their staff counts (`staff_by_unit`), the targets.
    """
    fields = ("county", "street", "community", "grid", "group")
    units = list(scoped(Unit.objects.filter(kind__in=DEPARTMENT_KINDS, **{f"{root.level}_id": root.id}), user)
                 .order_by("name").values("id", "name", *(f"{f}_id" for f in fields)))
    per_unit = staff_by_unit(user, node=root, as_of=as_of, pace_weeks=pace_weeks)
    root_chain = [i for i in (getattr(root, f"{f}_id") for f in fields) if i] or [root.id]
    chains = {root.id: root_chain}
    for u in units:
        chains[-u["id"]] = list(dict.fromkeys(root_chain + [u[f"{f}_id"] for f in fields if u[f"{f}_id"]]))
    depth_of: dict[int, int] = {}
    for chain in chains.values():
        for depth, i in enumerate(chain):
            depth_of[i] = max(depth_of.get(i, 0), depth)
    applying = targets_applying(user, chains)
    total = GroupCount()
    rows = []
    for u in units:
        c = per_unit.get(u["id"])
        counts = GroupCount(c.staff, c.app, c.recent) if c else GroupCount()
        total.add(counts)
        t = current_target(applying[-u["id"]], TargetGroup.DEPARTMENTS, as_of, depth_of)
        p = progress_of(node_id=u["id"], name=u["name"], level="unit", group=TargetGroup.DEPARTMENTS, counts=counts,
                        target=t, as_of=as_of, pace_weeks=pace_weeks)
        p.is_unit = True
        rows.append(p)
    root_p = progress_of(node_id=root.id, name=root.name, level=root.level, group=TargetGroup.DEPARTMENTS, counts=total,
                         target=current_target(applying[root.id], TargetGroup.DEPARTMENTS, as_of, depth_of),
                         as_of=as_of, pace_weeks=pace_weeks)
    behind = sorted((p for p in rows if p.status in ("behind", "missed")), key=lambda p: (-p.shortfall_points, -p.gap, p.name))
    return {"root": root_p, "rows": rows, "behind": behind, "as_of": as_of, "level": "unit",
            "group": TargetGroup.DEPARTMENTS, "pace_weeks": pace_weeks}


def install_timeline(user, root: Node, *, start: dt.date, end: dt.date, rolled: Rollup | None = None) -> list[dict]:
    """Cumulative resident install rate per week from start to end.

    Residents and installs up to `end` come from a roll-up ending on `end`
    (passed in when the caller has one); the installs per day in the window
    are one grouped query on the index range of each grid.
    """
    if rolled is None or rolled.period.end != end or rolled.root.id != root.id:
        rolled = rollup(user, root, period=ReportPeriod(end, end))
    residents, installed = rolled.total.residents, rolled.total.app
    col = f"{leaf_level(root)}_id"
    per_day = dict(InstallStatus.objects.filter(**{f"{col}__in": _leaf_ids(user, root)}, kind=PersonKind.RESIDENT,
                                                app_installed_on__gte=start, app_installed_on__lte=end)
                   .order_by().values_list("app_installed_on").annotate(n=Count("id")))
    running = installed - sum(per_day.values())
    out, week_total = [], 0
    day = start
    while day <= end:
        running += per_day.get(day, 0)
        week_total += per_day.get(day, 0)
        if day.weekday() == 6 or day == end:
            out.append({"week_end": day.isoformat(), "installed": running, "new": week_total, "rate": pct(running, residents)})
            week_total = 0
        day += dt.timedelta(days=1)
    return out


def targets_for(user, *, node: Node | None = None) -> QuerySet[InstallTarget]:
    visible = scoped(Node.objects.all(), user)
    qs = InstallTarget.objects.filter(node__in=visible).select_related("node", "created_by")
    if node is not None:
        chain = [getattr(node, f"{f}_id") for f in ("county", "street", "community", "grid", "group")]
        qs = InstallTarget.objects.filter(node_id__in=[i for i in chain if i]).select_related("node", "created_by")
    return qs.order_by("deadline", "group", "node__code")


# --- targeted outreach (点对点) --------------------------------------------------------------

RECENT_CASE_DAYS = 90


@dataclass
class Candidate:
    household_id: int
    address: str
    head_name: str
    group_name: str
    score: float
    reasons: list[str]
    residents: int
    installed: int
    last_visit: dt.date | None
    elderly_alone: list[str]

    def as_dict(self) -> dict:
        return {"household_id": self.household_id, "address": self.address, "head_name": self.head_name,
                "group": self.group_name, "score": round(self.score, 1), "reasons": self.reasons,
                "residents": self.residents, "installed": self.installed,
                "last_visit": self.last_visit.isoformat() if self.last_visit else None,
                "elderly_alone": self.elderly_alone}


def targeted_list(user, grid: Node, *, today: dt.date | None = None, limit: int | None = None) -> dict:
    """Households of a grid ranked for a visit, most urgent first, each with its reasons.

    Score (higher first):
      elderly living alone 40 · other elderly 12 · nobody with the app 25
      (some without it: 25 × share without) · days since the last visit
      (never: 365) / 365 × 30 · a case against a member in the last year 20 ·
      a case in the same household group in the last 90 days 10.
    The grid's recent cases are shown above the list.

    1. Households of the grid, residents (age, alone), install rows, last
       visit per household and cases of the last year: five queries on the
       grid column.
    2. Score and reasons per household in Python; sort.
    """
    today = today or timezone.localdate()
    col = f"{grid.level}_id"
    households = list(scoped(Household.objects.filter(**{col: grid.id}), user)
                      .values("id", "address", "head_name", "group_id", "group__name"))
    cutoff = elderly_born_before(today)
    members: dict[int, list[tuple]] = {}
    for rid, hid, name, birth, alone in (scoped(Resident.objects.filter(**{col: grid.id}), user)
                                         .values_list("id", "household_id", "name", "birth_date", "lives_alone")):
        members.setdefault(hid, []).append((rid, name, birth, alone))
    installed_ids = set(InstallStatus.objects.filter(**{col: grid.id}, kind=PersonKind.RESIDENT, app_installed_on__isnull=False)
                        .values_list("resident_id", flat=True))
    last_visit = dict(HomeVisit.objects.filter(**{col: grid.id}).order_by().values_list("household_id")
                      .annotate(last=Max("visited_on")))
    year_ago = today - dt.timedelta(days=365)
    recent_from = today - dt.timedelta(days=RECENT_CASE_DAYS)
    cases = list(Case.objects.filter(**{col: grid.id}, reported_on__gte=year_ago, reported_on__lte=today)
                 .values_list("victim__household_id", "group_id", "reported_on"))
    case_households = {h for h, _g, _d in cases if h}
    group_recent: dict[int, int] = {}
    for _h, g, d in cases:
        if g and d >= recent_from:
            group_recent[g] = group_recent.get(g, 0) + 1
    grid_recent = sum(1 for _h, _g, d in cases if d >= recent_from)

    out = []
    for h in households:
        people = members.get(h["id"], [])
        reasons: list[str] = []
        score = 0.0
        alone = [f"{name}（{_age(birth, today)}岁）" for _rid, name, birth, lives_alone in people
                 if lives_alone and birth and birth <= cutoff]
        elderly = [1 for _rid, _n, birth, lives_alone in people if birth and birth <= cutoff and not lives_alone]
        if alone:
            score += 40
            reasons.append(_("独居老人：%(names)s") % {"names": "、".join(alone)})
        elif elderly:
            score += 12
            reasons.append(_("有%(n)d位60岁以上老人") % {"n": len(elderly)})
        n_installed = sum(1 for rid, *_rest in people if rid in installed_ids)
        if people and n_installed == 0:
            score += 25
            reasons.append(_("全户%(n)d人均未安装反诈APP") % {"n": len(people)})
        elif people and n_installed < len(people):
            score += 25 * (len(people) - n_installed) / len(people)
            reasons.append(_("%(n)d人未安装反诈APP") % {"n": len(people) - n_installed})
        lv = last_visit.get(h["id"])
        if lv is None:
            score += 30
            reasons.append(_("从未入户走访"))
        else:
            days = (today - lv).days
            score += min(max(days, 0), 365) / 365 * 30
            if days >= 30:
                reasons.append(_("已%(d)d天未走访（上次%(date)s）") % {"d": days, "date": lv.isoformat()})
        if h["id"] in case_households:
            score += 20
            reasons.append(_("家中有人近一年被骗"))
        g_recent = group_recent.get(h["group_id"], 0)
        if g_recent:
            score += 10
            reasons.append(_("本联户近%(days)d天发案%(n)d起") % {"days": RECENT_CASE_DAYS, "n": g_recent})
        out.append(Candidate(h["id"], h["address"], h["head_name"], h["group__name"] or "", score, reasons,
                             len(people), n_installed, lv, alone))
    out.sort(key=lambda c: (-c.score, c.last_visit or dt.date.min, c.household_id))
    total = len(out)
    if limit:
        out = out[:limit]
    return {"grid": {"id": grid.id, "name": grid.name}, "today": today, "households": total,
            "recent_cases": grid_recent, "recent_case_days": RECENT_CASE_DAYS, "items": out}


def _age(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


# --- misc -------------------------------------------------------------------------------------


def reports_for(user, *, node: Node | None = None) -> QuerySet[PeriodicReport]:
    qs = scoped(PeriodicReport.objects.filter(status="done"), user).select_related("node")
    if node is not None:
        qs = qs.filter(**{f"{node.level}_id": node.id})
    return qs.order_by("-report_date", "kind", "node__sort", "node__code")


def report_get(user, pk) -> PeriodicReport:
    return get_scoped_or_404(PeriodicReport.objects.filter(status="done").select_related("node"), user, pk=pk)


def scope_has_tree(user) -> bool:
    s = scope_of(user)
    return s.everything or bool(s.nodes)


# --- a household's outreach (for the org household page and the visit page) ------------------


HOUSEHOLD_FLAG_LABELS = {"app": gettext_lazy("反诈APP"), "call_warning": gettext_lazy("来电预警"),
                         "jinzhongzhao": gettext_lazy("金钟罩")}


def household_outreach(user, household: Household, *, visits: int = 10) -> dict:
    """Install status per resident (app / call warning / jinzhongzhao with date and verifier) and the
    household's latest visits, both scoped. Three queries. Used by `outreach/_household_outreach.html`.
    """
    people = household_residents(user, household)
    rows = []
    for p in people:
        row = p.install_row
        rows.append({"person": p, "flags": [
            {"flag": f, "label": HOUSEHOLD_FLAG_LABELS[f], "done": bool(row and getattr(row, FLAG_DATE[f])),
             "date": getattr(row, FLAG_DATE[f]) if row else None,
             "verifier": getattr(row, FLAG_VERIFIER[f]) if row else ""} for f in FLAGS]})
    recent = list(scoped(HomeVisit.objects.filter(household=household), user).order_by("-visited_on", "-id")[:visits])
    installed = sum(1 for r in rows if r["flags"][0]["done"])
    return {"household": household, "people": rows, "visits": recent, "installed": installed,
            "residents": len(rows)}


# --- outreach counted per child node: one definition for the page, the API and the files ------


OWN_LEVEL_LABELS = {Level.COUNTY: gettext_lazy("区县本级"), Level.STREET: gettext_lazy("街道本级"),
                    Level.COMMUNITY: gettext_lazy("社区本级"), Level.GRID: gettext_lazy("网格本级"),
                    Level.GROUP: gettext_lazy("联户本级")}


def own_level_label(node: Node) -> str:
    """The row of what was done at a node itself, not in any node under it: "街道本级", "社区本级"."""
    return str(OWN_LEVEL_LABELS[node.level])


def outreach_by_child(user, node: Node, *, start: dt.date, end: dt.date, child_level: str) -> dict:
    """Activities, participants, materials and pushes of a period per child of `node`.

    The key is the child's id, or None for records held at `node` itself (an
    activity the street office ran, a unit placed at the street): the
    "本级" row, so the rows always add up to the node's total.

    发放资料 (materials) is defined here once: materials handed out at
    activities plus materials left at home visits. Three grouped queries.
    """
    col = f"{child_level}_id"
    out: dict = {}

    def row(k):
        return out.setdefault(k, {"activities": 0, "participants": 0, "activity_materials": 0, "visit_materials": 0,
                                  "materials": 0, "visits": 0, "pushes": 0})

    for r in (activities_for(user, node=node, start=start, end=end).order_by().values(col)
              .annotate(n=Count("id"), p=Coalesce(Sum("participants"), 0), m=Coalesce(Sum("materials"), 0))):
        x = row(r[col])
        x.update(activities=r["n"], participants=r["p"], activity_materials=r["m"])
    for r in (visits_for(user, node=node, start=start, end=end).order_by().values(col)
              .annotate(n=Count("id"), m=Coalesce(Sum("materials"), 0))):
        x = row(r[col])
        x.update(visits=r["n"], visit_materials=r["m"])
    for r in pushes_for(user, node=node, start=start, end=end).order_by().values(col).annotate(n=Count("id")):
        row(r[col])["pushes"] = r["n"]
    for x in out.values():
        x["materials"] = x["activity_materials"] + x["visit_materials"]
    return out


def outreach_totals(by_child: dict) -> dict:
    """The node's totals: the sum of `outreach_by_child` rows (the 本级 row included)."""
    keys = ("activities", "participants", "activity_materials", "visit_materials", "materials", "visits", "pushes")
    return {k: sum(x[k] for x in by_child.values()) for k in keys}


def invalidate_heads(*node_ids: int | None) -> None:
    """Nothing to forget: households and residents are maintained counts (`org.counts`). Kept for callers."""


# --- home-visit publicity rate (入户宣传率) -------------------------------------------------------

HOME_VISIT_TARGET = 100  # seed 002: 确保入户宣传率达到100%


def home_visit_target() -> float:
    """The home-visit publicity target in percent (settings.FANZHA_HOME_VISIT_TARGET, seed default 100)."""
    return float(getattr(settings, "FANZHA_HOME_VISIT_TARGET", HOME_VISIT_TARGET))


def visit_coverage(user, root: Node, *, period: ReportPeriod, today: dt.date | None = None,
                   rolled: Rollup | None = None) -> dict:
    """入户宣传率 of root and each node one level down for a period, against the 100% target.

    Households reached = visited at least once in the period (the roll-up's figure, the same as the
    semimonthly report's). Status: met when every household is reached; while the period runs,
    in_progress; once it has ended, missed. `not_reached` = households − reached.
    """
    today = today or timezone.localdate()
    rolled = rolled or rollup(user, root, period=period)
    target = home_visit_target()
    running = period.end >= today

    def row(info) -> dict:
        f = rolled.of(info.id)
        rate = f.coverage
        met = f.households > 0 and rate is not None and rate >= target
        status = "no_households" if f.households == 0 else ("met" if met else ("in_progress" if running else "missed"))
        return {"node": {"id": info.id, "name": info.name, "level": info.level}, "households": f.households,
                "reached": f.visited, "not_reached": max(0, f.households - f.visited), "rate": rate,
                "target": target, "status": status}

    children = [row(n) for n in rolled.children(root.id)]
    children.sort(key=lambda r: (r["rate"] if r["rate"] is not None else 101, r["node"]["name"]))
    return {"period": {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.label},
            "target": target, "root": row(rolled.root), "rows": children}


def households_not_reached(user, node: Node, *, period: ReportPeriod, limit: int = 500) -> list[dict]:
    """The households under a community, grid or group with no home visit in the period (first `limit`)."""
    col = f"{node.level}_id"
    visited = HomeVisit.objects.filter(**{col: node.id}, visited_on__gte=period.start, visited_on__lte=period.end
                                       ).values("household_id")
    qs = (scoped(Household.objects.filter(**{col: node.id}), user).exclude(id__in=visited)
          .order_by("grid_id", "address", "id"))
    return list(qs.values("id", "address", "head_name", "grid__name")[:limit])
