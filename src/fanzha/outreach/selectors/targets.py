"""Install targets: staff of units and their installs, counts per target group, progress
against the target set for a node (or the nearest one above it) and the timeline of installs."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fanzha.core.scoping import scoped
from fanzha.org.models import LEVEL_ORDER, Household, Level, Node, Resident, StaffMember, Unit, UnitKind
from fanzha.outreach.models import InstallStatus, InstallTarget, PersonKind, TargetGroup
from fanzha.outreach.periods import ReportPeriod
from fanzha.outreach.selectors.rollup import (
    DEPARTMENT_KINDS,
    INDUSTRY_KINDS,
    PACE_WEEKS,
    Rollup,
    STREET_STAFF_KINDS,
    _leaf_ids,
    leaf_level,
    pct,
    rollup,
)


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


