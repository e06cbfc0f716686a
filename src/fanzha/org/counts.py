"""Head counts of every node, maintained with the writes (never a stale cache).

`NodeCounts` holds one row per node with the households, residents,
floating, elderly, elderly_alone, students, units and staff of its whole
subtree. A county page reads a handful of rows instead of counting half a
million residents.

How the rows stay right
-----------------------
* **Services** (`org.services`) change them in the same transaction as the
  record: `shift(before, after)` takes the record's footprint (its ancestor
  ids and what it counts for) before and after the write and adds the
  difference to the rows of every ancestor, one
  ``UPDATE ... SET x = x + d WHERE node_id IN (ancestors)``. Concurrent
  writers add to the row inside the database, so no update is lost.
* **Bulk writes** (imports, the demo, the bench builders) call
  `recount_grids(ids)` with the grids (or any nodes) they wrote under,
  before their transaction commits: those subtrees are counted again with
  grouped queries and the difference is added to every ancestor; or
  `recount_all()` after loading everything.
* A node without a row (made in bulk) is counted the first time it is read
  or recounted; its ancestors are then recounted with it.

Elderly (60 and over) depends on the date
-----------------------------------------
Each row counts as elderly the residents born on or before its
`elderly_cutoff`. A write adds a resident to `elderly` when its birth date
is on or before the row's own cutoff (the comparison runs in the UPDATE, so
it always agrees with the row). When the day changes, the first read or
recount finds rows whose cutoff is older than today's
(`elderly_born_before()`) and `advance()` moves them: in one transaction it
first sets the new cutoff on those rows (which locks them, so a concurrent
write waits and then compares against the new date), then counts the
residents born between the old and the new cutoff, grouped by their
ancestors, and adds them. That is a scan of a day's births once a day
(~200 ms for a county on SQLite), instead of counting the elderly on every
page view; a second process arriving at the same moment finds the rows
already moved and adds nothing. The elderly figure is therefore exact for
the day the page is read, never a day behind.

Outreach reach: installs and this year's visits
-----------------------------------------------
The rows also hold, for the residents under the node, how many have the
anti-fraud app, the call warning and jinzhongzhao (their `InstallStatus` row
has the date set: dates are never in the future, so "set" is "as of today"),
and how many households were visited in `visit_year` (they have a
`VisitYear` row of that year). Counted by the rows' own ancestor columns,
exactly as the live roll-up counts them.
* The outreach services add the changes in the same transaction:
  `installs_changed(record, app=±1, ...)` when a resident's flag is set or
  cleared; `visit_year_added(record, year)` when a household's first visit of a
  year creates its `VisitYear` row (+1 only on rows whose `visit_year` is that
  year, compared inside the UPDATE as for the elderly, which also locks the
  rows whatever their year).
* A resident's install row is placed with the resident: a resident who moves
  (`shift` with a resident's footprint, which carries its three flags) takes
  its install row and its flags to the new nodes. Bulk moves re-place the rows
  that follow residents and households (install rows, `VisitYear`) in
  `recount_grids`, before counting.
* Bulk writers' `recount_grids` / `recount_all` count them with the head counts.
* On 1 January `roll_visit_year()` (first read, recount or the nightly job)
  locks the rows of an older year, sets the new year and counts the new year's
  `VisitYear` rows under them (a few on the first day): a write waiting on the
  lock then adds itself to the new year.
Past periods are reports and still count from the tables
(`outreach.selectors.rollup`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.db.models import Case, Count, F, IntegerField, Q, Value, When

from fanzha.org.models import (
    ANCESTOR_FIELDS,
    LEVEL_ORDER,
    Household,
    Node,
    NodeCounts,
    Resident,
    Residency,
    StaffMember,
    Unit,
    elderly_born_before,
)

_MODELS = {"Resident": Resident, "Household": Household, "Unit": Unit, "StaffMember": StaffMember, "Node": Node,
           "NodeCounts": NodeCounts}
PLAIN = ("households", "residents", "floating", "students", "units", "staff")
FIELDS = ("households", "residents", "floating", "elderly", "elderly_alone", "students", "units", "staff")
INSTALL_FIELDS = ("app", "call_warning", "jinzhongzhao")  # residents with the date set
REACH = (*INSTALL_FIELDS, "visited")  # outreach figures kept with the writes (see the module docstring)
ALL_FIELDS = FIELDS + REACH
PLACE_COLS = tuple(f"{f}_id" for f in ANCESTOR_FIELDS)
BATCH = 2000


# --- deltas from the services --------------------------------------------------------------------


@dataclass(frozen=True)
class Footprint:
    """What one record counts for, and where (its ancestor node ids)."""

    nodes: tuple[int, ...] = ()
    households: int = 0
    residents: int = 0
    floating: int = 0
    students: int = 0
    units: int = 0
    staff: int = 0
    born: dt.date | None = None  # a resident's birth date (elderly when on or before a row's cutoff)
    alone: bool = False
    # A resident's install flags (its InstallStatus row goes where the resident goes).
    resident_id: int | None = None
    app: int = 0
    call_warning: int = 0
    jinzhongzhao: int = 0
    place: tuple = ()  # the ancestor columns' values in PLACE_COLS order


NOTHING = Footprint()


def _nodes(record) -> tuple[int, ...]:
    return tuple(i for i in (getattr(record, f"{f}_id", None) for f in ANCESTOR_FIELDS) if i)


def footprint(record) -> Footprint:
    """The footprint of a household, resident, unit or staff member as it stands in memory."""
    nodes = _nodes(record)
    if isinstance(record, Resident):
        flags = _install_flags(record.pk)
        return Footprint(nodes, residents=1, floating=int(record.residency != Residency.PERMANENT),
                         students=int(bool(record.is_student)), born=record.birth_date, alone=bool(record.lives_alone),
                         resident_id=record.pk, **flags, place=tuple(getattr(record, c) for c in PLACE_COLS))
    if isinstance(record, Household):
        return Footprint(nodes, households=1)
    if isinstance(record, Unit):
        return Footprint(nodes, units=1)
    if isinstance(record, StaffMember):
        return Footprint(nodes, staff=1)
    raise TypeError(f"no head counts for {type(record).__name__}")


def _install_model():
    from django.apps import apps

    return apps.get_model("outreach", "InstallStatus")


def _visit_year_model():
    from django.apps import apps

    return apps.get_model("outreach", "VisitYear")


def _install_flags(resident_id: int | None) -> dict[str, int]:
    """The resident's three install flags (1 when the date is set) from its install row, zero without one."""
    if resident_id is None:
        return dict.fromkeys(INSTALL_FIELDS, 0)
    row = (_install_model().objects.filter(resident_id=resident_id, kind="resident")
           .values_list("app_installed_on", "call_warning_on", "jinzhongzhao_on").first())
    return {f: int(bool(row and row[i])) for i, f in enumerate(INSTALL_FIELDS)}


def lock_installs(resident_id: int | None) -> None:
    """Lock the resident's install row for the rest of the transaction (PostgreSQL; SQLite's write lock already
    serialises writers): a move reads the install flags before and after, and an install ticked meanwhile by
    another transaction must not fall between the two readings."""
    installs = _models().get("InstallStatus")
    if resident_id is not None and installs is not None:
        list(installs.objects.select_for_update().filter(resident_id=resident_id, kind="resident")
             .values_list("id", flat=True))


def _elderly_terms(fp: Footprint, sign: int) -> tuple:
    """(elderly, elderly_alone) expressions: ±1 on rows whose cutoff is on or after the birth date."""
    if fp.born is None or not fp.residents:
        return Value(0), Value(0)
    old = Case(When(elderly_cutoff__gte=fp.born, then=Value(sign)), default=Value(0), output_field=IntegerField())
    return old, (old if fp.alone else Value(0))


def _apply(nodes: tuple[int, ...], plain: dict[str, int], elderly: list[tuple]) -> None:
    changes = {k: F(k) + v for k, v in plain.items() if v}
    e = [t[0] for t in elderly if not isinstance(t[0], Value)]
    ea = [t[1] for t in elderly if not isinstance(t[1], Value)]
    if e:
        changes["elderly"] = sum(e[1:], F("elderly") + e[0])
    if ea:
        changes["elderly_alone"] = sum(ea[1:], F("elderly_alone") + ea[0])
    if nodes and changes:
        NodeCounts.objects.filter(node_id__in=nodes).update(**changes)


def shift(before: Footprint, after: Footprint) -> None:
    """Move the counts from `before` to `after` (NOTHING for a create or a delete), inside the caller's transaction."""
    if before == after:
        return
    moves = PLAIN + INSTALL_FIELDS
    if before.nodes == after.nodes:
        plain = {k: getattr(after, k) - getattr(before, k) for k in moves}
        _apply(after.nodes, plain, [_elderly_terms(before, -1), _elderly_terms(after, 1)])
        return
    if after.resident_id is not None and before.resident_id == after.resident_id and after.place:
        # The resident moved: its install row (and the flags it counts for) goes with it.
        _install_model().objects.filter(resident_id=after.resident_id, kind="resident").update(
            **dict(zip(PLACE_COLS, after.place)))
    for fp, sign in ((before, -1), (after, 1)):
        if fp.nodes:
            _apply(fp.nodes, {k: sign * getattr(fp, k) for k in moves}, [_elderly_terms(fp, sign)])


def added(record) -> None:
    shift(NOTHING, footprint(record))


def installs_changed(record, **deltas: int) -> None:
    """A resident's install flags were set (+1) or cleared (-1): `record` is its install row (or anything
    with the same ancestor columns); inside the caller's transaction."""
    plain = {k: v for k, v in deltas.items() if v}
    if set(plain) - set(INSTALL_FIELDS):
        raise ValueError(f"not install figures: {sorted(set(plain) - set(INSTALL_FIELDS))}")
    _apply(_nodes(record), plain, [])


def visit_year_added(record, year: int, n: int = 1) -> None:
    """A household's first visit of `year` made its VisitYear row (`record`, or anything placed like it):
    +n on the rows counting that year. The comparison runs in the UPDATE, which locks the rows whatever their
    year, so a roll-over running at the same moment either counts the new row or waits for this one."""
    nodes = _nodes(record)
    if nodes and n:
        NodeCounts.objects.filter(node_id__in=nodes).update(visited=F("visited") + Case(
            When(visit_year=year, then=Value(n)), default=Value(0), output_field=IntegerField()))


def removed(record) -> None:
    shift(footprint(record), NOTHING)


# --- counting from the tables --------------------------------------------------------------------


def _zero() -> dict[str, int]:
    return dict.fromkeys(ALL_FIELDS, 0)


def _count_under(level: str, ids: list[int] | None, cutoff: dt.date, m=None, year: int | None = None) -> dict[int, dict[str, int]]:
    """Live counts of every node under the nodes `ids` of `level` (themselves included), grouped queries.

    With `year` (and the outreach models in `m`), the installs and the households visited in that year too."""
    m = m or _models()
    cols = [f"{f}_id" for f in ANCESTOR_FIELDS[LEVEL_ORDER.index(level):]]
    out: dict[int, dict[str, int]] = defaultdict(_zero)

    def add(row, values: dict[str, int]) -> None:
        for c in cols:
            node_id = row[c]
            if node_id:
                acc = out[node_id]
                for k, v in values.items():
                    acc[k] += v

    def rows(model, chunk, **aggregates):
        qs = model.objects.all() if isinstance(model, type) else model
        qs = qs if chunk is None else qs.filter(**{f"{level}_id__in": chunk})
        return qs.order_by().values(*cols).annotate(**aggregates)

    for chunk in _chunks(ids):
        for row in rows(m["Resident"], chunk, residents=Count("id"),
                        floating=Count("id", filter=~Q(residency=Residency.PERMANENT)),
                        elderly=Count("id", filter=Q(birth_date__lte=cutoff)),
                        elderly_alone=Count("id", filter=Q(birth_date__lte=cutoff, lives_alone=True)),
                        students=Count("id", filter=Q(is_student=True))):
            add(row, {k: row[k] for k in ("residents", "floating", "elderly", "elderly_alone", "students")})
        for model, name in (("Household", "households"), ("Unit", "units"), ("StaffMember", "staff")):
            for row in rows(m[model], chunk, n=Count("id")):
                add(row, {name: row["n"]})
        if year is not None and "InstallStatus" in m:
            for row in rows(m["InstallStatus"].objects.filter(kind="resident"), chunk, app=Count("app_installed_on"),
                            call_warning=Count("call_warning_on"), jinzhongzhao=Count("jinzhongzhao_on")):
                add(row, {k: row[k] for k in INSTALL_FIELDS})
            for row in rows(m["VisitYear"].objects.filter(year=year), chunk, n=Count("id")):
                add(row, {"visited": row["n"]})
    return out


def _models() -> dict:
    from django.apps import apps

    if "InstallStatus" not in _MODELS and apps.is_installed("fanzha.outreach"):
        _MODELS.update(InstallStatus=_install_model(), VisitYear=_visit_year_model())
    return _MODELS


def this_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


def _chunks(ids):
    if ids is None:
        yield None
        return
    ids = list(ids)
    for i in range(0, len(ids), 500):
        yield ids[i:i + 500]


# --- the elderly cut-off moves with the date -------------------------------------------------------


def advance(cutoff: dt.date | None = None) -> None:
    """Bring every row's elderly counts to `cutoff` (today's by default); see the module docstring."""
    cutoff = cutoff or elderly_born_before()
    olds = sorted(set(NodeCounts.objects.filter(elderly_cutoff__lt=cutoff).values_list("elderly_cutoff", flat=True)))
    for old in olds:
        with transaction.atomic():
            ids = list(NodeCounts.objects.select_for_update().filter(elderly_cutoff=old).order_by("node_id")
                       .values_list("node_id", flat=True))
            if not ids:
                continue  # another process moved them first
            NodeCounts.objects.filter(node_id__in=ids, elderly_cutoff=old).update(elderly_cutoff=cutoff)
            claimed = set(ids)
            gained: dict[int, list[int]] = defaultdict(lambda: [0, 0])
            cols = [f"{f}_id" for f in ANCESTOR_FIELDS]
            for row in (Resident.objects.filter(birth_date__gt=old, birth_date__lte=cutoff).order_by()
                        .values(*cols, "lives_alone").annotate(n=Count("id"))):
                for c in cols:
                    if row[c] in claimed:
                        gained[row[c]][0] += row["n"]
                        if row["lives_alone"]:
                            gained[row[c]][1] += row["n"]
            by_delta: dict[tuple[int, int], list[int]] = defaultdict(list)
            for node_id, (n, alone) in gained.items():
                by_delta[(n, alone)].append(node_id)
            for (n, alone), nodes in by_delta.items():
                for chunk in _chunks(nodes):
                    NodeCounts.objects.filter(node_id__in=chunk).update(elderly=F("elderly") + n,
                                                                        elderly_alone=F("elderly_alone") + alone)


# --- the visit year rolls over on 1 January --------------------------------------------------------


def roll_visit_year(year: int | None = None) -> int:
    """Bring every row's `visited` to `year` (this year by default); returns the rows moved.

    1. Lock the rows of another year (in node order, as the writers' UPDATEs do) and set the year, with
       `visited` at 0.
    2. Count the year's VisitYear rows under them, grouped by their ancestor columns, and set those.
    A visit recorded meanwhile either committed before the count (counted) or waits on the lock and then adds
    itself to the new year (`visit_year_added` compares inside its UPDATE).
    """
    year = year or this_year()
    with transaction.atomic():
        ids = list(NodeCounts.objects.select_for_update().exclude(visit_year=year).order_by("node_id")
                   .values_list("node_id", flat=True))
        if not ids:
            return 0
        claimed = set(ids)
        for chunk in _chunks(ids):
            NodeCounts.objects.filter(node_id__in=chunk).update(visit_year=year, visited=0)
        found: dict[int, int] = defaultdict(int)
        for row in (_visit_year_model().objects.filter(year=year).order_by().values(*PLACE_COLS)
                    .annotate(n=Count("id"))):
            for c in PLACE_COLS:
                if row[c] in claimed:
                    found[row[c]] += row["n"]
        by_n: dict[int, list[int]] = defaultdict(list)
        for node_id, n in found.items():
            by_n[n].append(node_id)
        for n, nodes in by_n.items():
            for chunk in _chunks(nodes):
                NodeCounts.objects.filter(node_id__in=chunk).update(visited=n)
    return len(ids)


def bring_current(cutoff: dt.date | None = None, year: int | None = None) -> None:
    """The date-dependent parts of every row to today: the elderly cut-off and the visit year."""
    advance(cutoff)
    roll_visit_year(year)


# --- recounts after bulk writes --------------------------------------------------------------------


def _save_rows(values: dict[int, dict[str, int]], cutoff: dt.date, year: int) -> None:
    objs = [NodeCounts(node_id=i, elderly_cutoff=cutoff, visit_year=year, **v) for i, v in values.items()]
    NodeCounts.objects.bulk_create(objs, batch_size=BATCH, update_conflicts=True, unique_fields=["node"],
                                   update_fields=[*ALL_FIELDS, "elderly_cutoff", "visit_year"])


def _same_place(prefix: str) -> Q:
    """The row's ancestor columns equal those of its `prefix` relation (NULL equal to NULL)."""
    q = Q()
    for c in PLACE_COLS:
        q &= Q(**{c: F(f"{prefix}__{c}")}) | Q(**{f"{c}__isnull": True, f"{prefix}__{c}__isnull": True})
    return q


def follow(node_ids: Iterable[int]) -> None:
    """Re-place the rows that go with a resident or household (install rows, VisitYear) whose resident or
    household is now under these nodes but which still carry the ancestors of where it was: what a bulk move
    (an import, a household moved with its residents) leaves behind. Before counting, in the same transaction."""
    by_level: dict[str, list[int]] = defaultdict(list)
    for i, level in Node.objects.filter(id__in=set(node_ids)).values_list("id", "level"):
        by_level[level].append(i)
    for model, rel in ((_install_model(), "resident"), (_visit_year_model(), "household")):
        for level, ids in by_level.items():
            for chunk in _chunks(ids):
                stray = (model.objects.filter(**{f"{rel}__{level}_id__in": chunk}).exclude(_same_place(rel))
                         .values_list("id", *[f"{rel}__{c}" for c in PLACE_COLS]))
                by_place: dict[tuple, list[int]] = defaultdict(list)
                for pk, *place in stray:
                    by_place[tuple(place)].append(pk)
                for place, pks in by_place.items():
                    for part in _chunks(pks):
                        model.objects.filter(pk__in=part).update(**dict(zip(PLACE_COLS, place)))


def recount_grids(grid_ids: Iterable[int]) -> None:
    """Count again the subtrees of these nodes (grids, usually; any level works) and carry the
    difference up to every ancestor. Call it after a bulk write, inside the same transaction, with
    every grid the write added to, removed from or changed under (both grids of a move).

    A node whose row is missing (nodes made in bulk get none), or with an ancestor whose row is
    missing, is recounted from its highest such ancestor, taken to have counted nothing before
    (what was written under it in bulk reached none of its ancestors either).
    """
    ids = {i for i in grid_ids if i}
    if not ids:
        return
    cutoff = elderly_born_before()
    year = this_year()
    with transaction.atomic():
        bring_current(cutoff, year)
        follow(ids)
        nodes = {n["id"]: n for n in Node.objects.filter(id__in=ids).values("id", "level", *[f"{f}_id" for f in ANCESTOR_FIELDS])}
        chains = {i: [n[f"{f}_id"] for f in ANCESTOR_FIELDS if n[f"{f}_id"]] for i, n in nodes.items()}
        for i, chain in chains.items():  # a node's own column points at itself; make sure it is last
            if i not in chain:
                chain.append(i)
        known = set(NodeCounts.objects.filter(node_id__in={a for c in chains.values() for a in c}).values_list("node_id", flat=True))
        roots: dict[int, list[int]] = {}  # root id -> its ancestors (top first)
        for i, chain in chains.items():
            missing = [k for k, a in enumerate(chain) if a not in known]
            top = missing[0] if missing else len(chain) - 1
            roots[chain[top]] = chain[:top]
        # A root under another root is counted with it.
        for r in list(roots):
            if any(a in roots for a in roots[r]):
                del roots[r]
        levels = Node.objects.in_bulk(list(roots))
        # Lock the rows to change, ancestors included, in one statement in node order (as a service's
        # UPDATE does), so a concurrent write waits instead of deadlocking.
        touched = set(roots) | {a for ancestors in roots.values() for a in ancestors}
        old = {c.node_id: c for c in NodeCounts.objects.select_for_update().filter(node_id__in=touched).order_by("node_id")}
        by_level: dict[str, list[int]] = defaultdict(list)
        for r in roots:
            by_level[levels[r].level].append(r)
        fresh: dict[int, dict[str, int]] = {}
        for level, rids in by_level.items():
            under = _count_under(level, rids, cutoff, year=year)
            col = f"{level}_id"
            for n in Node.objects.filter(**{f"{col}__in": rids}).values_list("id", flat=True):
                fresh[n] = under.get(n) or _zero()
        _save_rows(fresh, cutoff, year)
        deltas: dict[int, dict[str, int]] = defaultdict(_zero)
        for r, ancestors in roots.items():
            before = old.get(r)
            for k in ALL_FIELDS:
                d = fresh[r][k] - (getattr(before, k) if before else 0)
                if d:
                    for a in ancestors:
                        deltas[a][k] += d
        for a, d in sorted(deltas.items()):
            changes = {k: F(k) + v for k, v in d.items() if v}
            if changes:
                NodeCounts.objects.filter(node_id=a).update(**changes)


def recount_all(m=None) -> None:
    """Count every node again from the tables (after loading a demo or a whole county).

    `m`: the models by name (a data migration passes its historical ones; without the outreach models, the
    outreach figures are left at zero)."""
    m = m or _models()
    cutoff = elderly_born_before()
    reach = "InstallStatus" in m
    year = this_year() if reach else None
    extra = {"visit_year": year} if reach else {}
    fields = ALL_FIELDS if reach else FIELDS
    with transaction.atomic():
        under = _count_under(LEVEL_ORDER[0], None, cutoff, m, year=year)  # every column: top nodes of any level too
        rows = [m["NodeCounts"](node_id=i, elderly_cutoff=cutoff, **extra,
                                **{k: v for k, v in (under.get(i) or _zero()).items() if k in fields})
                for i in m["Node"].objects.values_list("id", flat=True)]
        m["NodeCounts"].objects.all().delete()
        m["NodeCounts"].objects.bulk_create(rows, batch_size=BATCH)


def ensure_row(node: Node) -> None:
    """A new node's row (all zero: nothing is under it yet)."""
    NodeCounts.objects.get_or_create(node_id=node.id, defaults={"elderly_cutoff": elderly_born_before(),
                                                                "visit_year": this_year()})


@receiver(post_save, sender=Node, dispatch_uid="fanzha-node-counts-row")
def _new_node(sender, instance: Node, created: bool, raw: bool = False, **kwargs) -> None:
    """Every node saved one by one gets its (zero) row at once, so the services' deltas always land.
    Nodes made in bulk get theirs from the bulk writer's recount (a missing row is counted from zero)."""
    if created:
        ensure_row(instance)


# --- reading ---------------------------------------------------------------------------------------


def counts_of(node_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """{node id: {households, residents, ...}} for these nodes, as of today (one query when all is current)."""
    ids = {i for i in node_ids if i}
    if not ids:
        return {}
    cutoff = elderly_born_before()
    out: dict[int, dict[str, int]] = {}
    for attempt in range(2):
        rows = list(NodeCounts.objects.filter(node_id__in=ids).values("node_id", "elderly_cutoff", *FIELDS))
        stale = any(r["elderly_cutoff"] != cutoff for r in rows)
        missing = ids - {r["node_id"] for r in rows}
        if attempt == 0 and (stale or missing):
            if missing:
                recount_grids(missing)  # advances as well
            else:
                advance(cutoff)
            continue
        for r in rows:
            out[r.pop("node_id")] = {k: r[k] for k in FIELDS}
        break
    for i in ids - set(out):
        out[i] = dict.fromkeys(FIELDS, 0)
    return out


def reach_of(node_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """{node id: {app, call_warning, jinzhongzhao, visited}} as of today (`visited`: this year), one query
    when every row is current; missing rows are counted, another year's rolled over first."""
    ids = {i for i in node_ids if i}
    if not ids:
        return {}
    year = this_year()
    for attempt in range(2):
        rows = list(NodeCounts.objects.filter(node_id__in=ids).values("node_id", "visit_year", *REACH))
        missing = ids - {r["node_id"] for r in rows}
        if attempt == 0 and (missing or any(r["visit_year"] != year for r in rows)):
            if missing:
                recount_grids(missing)  # rolls over as well
            else:
                roll_visit_year(year)
            continue
        break
    out = {r["node_id"]: {k: r[k] for k in REACH} for r in rows}
    for i in ids - set(out):
        out[i] = dict.fromkeys(REACH, 0)
    return out
