"""Roll-ups of outreach: visit coverage and install rates for a node and every node under it,
and the home-visit publicity rate (入户宣传率) built on them.

Figures are counted once at the finest level under the node asked for (grids;
household groups when the node is a group) with one grouped query per measure,
and summed in Python up through community, street and county. The set of leaf
nodes comes from `scoped(Node...)`, so a count covers exactly the part of the
tree the user may see; the grouped queries then run on the leaf column alone,
which the covering indexes answer without reading rows. Households and
residents are the maintained head counts (`fanzha.org.counts`); so are, when
the period ends today, the residents' installs and the households visited
since 1 January, which the outreach services keep per node with their writes.
Past periods (reports) count everything from the tables.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fanzha.core.scoping import scope_of, scoped
from fanzha.org import counts
from fanzha.org.models import LEVEL_ORDER, Household, Level, Node, NodeCounts, Resident, UnitKind
from fanzha.outreach.models import HomeVisit, InstallStatus, PersonKind, VisitYear
from fanzha.outreach.periods import ReportPeriod


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


def _stored_counts(leaf_ids, expected) -> dict[int, tuple]:
    """The maintained counts of the leaves (`org.counts`), {leaf id: (households, residents, app, call_warning,
    jinzhongzhao, visited, visit_year)}: head counts, installs and this year's visited households.
    `leaf_ids`: the scoped leaves' subquery; `expected`: their ids. Leaves without a row (made in bulk) are
    counted first; rows of another year rolled over."""
    fields = ("households", "residents", *counts.REACH, "visit_year")
    year = counts.this_year()
    rows: dict[int, tuple] = {}
    for attempt in range(2):
        rows = {r[0]: r[1:] for r in NodeCounts.objects.filter(node_id__in=leaf_ids).values_list("node_id", *fields)}
        missing = set(expected) - set(rows)
        stale = any(r[-1] != year for r in rows.values())
        if attempt == 0 and (missing or stale):
            if missing:
                counts.recount_grids(missing)  # rolls over as well
            else:
                counts.roll_visit_year(year)
            continue
        break
    return rows


def rollup(user, root: Node, *, period: ReportPeriod, since: dt.date | None = None,
           pace_weeks: int = PACE_WEEKS, heads_as_of: dt.date | None = None, totals_only: bool = False) -> Rollup:
    """Visit coverage and install rates for root and every node under it down to grids.

    `totals_only` (the home page's tiles): only root's own figures are wanted. When the user sees root's
    whole subtree, the kept counts are read from root's own row (the sum of its grids' rows: households,
    and everything placed with them, sit at grid level or below), the counted figures are counted by grid
    as always and added straight into root, and the Rollup holds root alone.

    1. The scoped nodes of the subtree (one query).
    2. Households, residents, distinct visited households in the period (and
       from `since` to the period's end, e.g. the year so far), and residents'
       installs as of the period's end (with those inside the period and those
       of the last `pace_weeks` weeks): one grouped query each, by leaf node.
    3. Each leaf's figures added to every ancestor inside the subtree.
    Households and residents come from the maintained head counts
    (`_head_counts`). When the period ends today (or later) the installs as of
    the end, and the households visited since 1 January of this year, are the
    maintained counts too (`_stored_counts`, one query with the head counts);
    everything else, and every figure of a past period, is counted live.
    """
    whole = totals_only and scope_of(user).contains_node(root)
    leaf = leaf_level(root)
    col = f"{leaf}_id"
    infos: dict[int, NodeInfo] = {}
    for row in _subtree_nodes(user, root, root.level if whole else leaf).values("id", "name", "level", "parent_id", "code", "sort",
                                                        "county_id", "street_id", "community_id", "grid_id", "group_id"):
        infos[row["id"]] = NodeInfo(row["id"], row["name"], row["level"], row["parent_id"], row["code"], row["sort"],
                                    {f: row[f"{f}_id"] for f in ("county", "street", "community", "grid", "group")})
    leaf_ids = _leaf_ids(user, root)
    # Plain lists of ints in FIELDS order while summing: 1,500 grids × 3 levels add up in a few ms.
    fields = [f for f in Figures.__dataclass_fields__]
    slot = {f: i for i, f in enumerate(fields)}
    if whole:
        # Root alone: every leaf's counted figures go straight into root's list.
        root_acc = [0] * len(fields)
        per_leaf: dict[int, list[int]] = {root.id: root_acc}

        def acc_of(leaf_id):
            return root_acc
    else:
        per_leaf = {i: [0] * len(fields) for i, n in infos.items() if n.level == leaf}
        acc_of = per_leaf.get

    def grouped(qs, names: list[str], **aggregates):
        """Add the aggregates, in order, to `names` (Figures fields) of each leaf (each field is filled by one
        query, so adding to zero sets it)."""
        rows = qs.filter(**{f"{col}__in": leaf_ids}).order_by().values(col).annotate(**aggregates).values_list(col, *aggregates)
        idx = [slot[n] for n in names]
        for leaf_id, *values in rows:
            acc = acc_of(leaf_id)
            if acc is not None:
                for i, v in zip(idx, values):
                    acc[i] += v

    end = period.end
    pace_start = end - dt.timedelta(weeks=pace_weeks)
    today = timezone.localdate()
    current = end >= today and (heads_as_of is None or heads_as_of >= today)
    year_so_far = since is not None and since == dt.date(end.year, 1, 1)
    stored_visits = current and year_so_far and end.year == today.year
    i_h, i_r = slot["households"], slot["residents"]
    if current:
        # Today's figures: head counts, installs (and this year's visited households) kept with the writes.
        names = ["households", "residents", *counts.INSTALL_FIELDS] + (["visited_since"] if stored_visits else [])
        idx = [slot[n] for n in names]
        stored = _stored_counts([root.id], [root.id]) if whole else _stored_counts(leaf_ids, per_leaf)
        for leaf_id, row in stored.items():
            acc = per_leaf.get(leaf_id)
            if acc is not None:
                for i, v in zip(idx, row):
                    acc[i] = v
    else:
        # heads_as_of (a report dated in the past): households and residents registered by then.
        heads = _head_counts(leaf_ids, col, as_of=heads_as_of)
        for leaf_id, (households, residents) in heads.items():
            acc = acc_of(leaf_id)
            if acc is not None:
                acc[i_h] += households
                acc[i_r] += residents
    if stored_visits:
        grouped(HomeVisit.objects.filter(visited_on__gte=period.start, visited_on__lte=end), ["visited"],
                n=Count("household_id", distinct=True))
    elif year_so_far:
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
    if current:
        pass  # the maintained counts, read above (dates are never in the future: "as of today" is "set")
    elif end >= today:
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
    above = [] if whole else LEVEL_ORDER[LEVEL_ORDER.index(root.level): LEVEL_ORDER.index(leaf)]
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
