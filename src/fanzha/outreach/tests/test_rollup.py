"""Roll-ups: coverage and install rates per grid, community, street and county against
counts made independently here, from plain Python lists of what was written."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from fanzha.core.idnumbers import make_id_number
from fanzha.org import services as org_services
from fanzha.org.models import Level, Node, Resident
from fanzha.outreach import reports, services
from fanzha.outreach import selectors as sel
from fanzha.outreach.models import InstallStatus, PersonKind, TargetGroup
from fanzha.outreach.periods import ReportPeriod

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def world(tree, personas):
    """The tree plus random households, residents, visits and installs, with a record of each in Python.

    Every write goes through the services; `w.visits` and `w.installs` keep what
    was written so the expected figures can be counted without the database.
    """
    rng = random.Random(7)
    w = type("W", (), {})()
    w.households = [(h, h.grid_id, h.community_id, h.street_id) for h in (tree.h1, tree.h2, tree.h3, tree.h9)]
    w.residents = [(r, r.household_id) for r in (tree.r1, tree.r1b, tree.r2, tree.r3, tree.r9)]
    seq = 600
    for grp in (tree.g1a, tree.g2a, tree.g3a, tree.g9a):
        for k in range(6):
            h = org_services.household_create(node=grp, address=f"{grp.code}-{k}号")
            w.households.append((h, h.grid_id, h.community_id, h.street_id))
            for _ in range(rng.randint(1, 4)):
                seq += 1
                r = org_services.resident_create(household=h, name=f"居民{seq}",
                                                 id_number=make_id_number("110101", dt.date(1950 + seq % 60, 1, 1), seq))
                w.residents.append((r, h.id))
    w.visits = []  # (household_id, date)
    w.installs = {}  # resident id -> {flag: date}
    for h, *_rest in w.households:
        for _ in range(rng.randint(0, 2)):
            day = TODAY - dt.timedelta(days=rng.randint(0, 120))
            members = [r for r, hid in w.residents if hid == h.id]
            ticks = []
            for r in members:
                for flag in ("app", "call_warning", "jinzhongzhao"):
                    if rng.random() < 0.5 and flag not in w.installs.get(r.id, {}):
                        ticks.append(services.InstallChange(person=r, flag=flag, done=True))
                        w.installs.setdefault(r.id, {})[flag] = day
            services.home_visit_record(user=personas.office, household=h, visited_on=day, visitors="测试员",
                                       actions=["explained"], installs=ticks, today=TODAY)
            w.visits.append((h.id, day))
    return w


def expected(w, node: Node, period: ReportPeriod) -> dict:
    col = {Level.COUNTY: None, Level.STREET: 3, Level.COMMUNITY: 2, Level.GRID: 1}[node.level]

    def inside(row):
        return col is None and row[3] in {s.id for s in Node.objects.filter(county_id=node.id, level=Level.STREET)} \
            or col is not None and row[col] == node.id

    hh = [row for row in w.households if inside(row)]
    hh_ids = {row[0].id for row in hh}
    residents = [r for r, hid in w.residents if hid in hh_ids]
    visited = {hid for hid, day in w.visits if hid in hh_ids and period.start <= day <= period.end}
    flags = {f: sum(1 for r in residents if w.installs.get(r.id, {}).get(f) and w.installs[r.id][f] <= period.end)
             for f in ("app", "call_warning", "jinzhongzhao")}
    return {"households": len(hh), "visited": len(visited), "residents": len(residents), **flags}


@pytest.mark.parametrize("start_days, end_days", [(120, 0), (30, 0), (60, 20)])
def test_rollup_matches_independent_counts(world, tree, personas, start_days, end_days):
    """Every node's households, visited households, residents and the three install counts equal a hand count."""
    period = ReportPeriod(TODAY - dt.timedelta(days=start_days), TODAY - dt.timedelta(days=end_days))
    rolled = sel.rollup(reports.SYSTEM, tree.county, period=period)
    for node in (tree.county, tree.street, tree.street2, tree.c1, tree.c2, tree.c9, tree.g1, tree.g2, tree.g3, tree.g9):
        f = rolled.of(node.id)
        exp = expected(world, node, period)
        got = {"households": f.households, "visited": f.visited, "residents": f.residents, "app": f.app,
               "call_warning": f.call_warning, "jinzhongzhao": f.jinzhongzhao}
        assert got == exp, node.name
        assert f.app_rate == (round(exp["app"] * 100 / exp["residents"], 1) if exp["residents"] else None)
        assert f.coverage == (round(exp["visited"] * 100 / exp["households"], 1) if exp["households"] else None)


def test_rollup_is_scoped(world, tree, personas):
    """A community officer's roll-up of their community equals the full one; the other street is not reachable."""
    period = ReportPeriod(TODAY - dt.timedelta(days=120), TODAY)
    mine = sel.rollup(personas.community, tree.c1, period=period)
    full = sel.rollup(reports.SYSTEM, tree.c1, period=period)
    assert mine.total == full.total and set(mine.nodes) == set(full.nodes)
    # grid worker: own grid only
    g = sel.rollup(personas.grid1, tree.g1, period=period)
    assert g.total == full.of(tree.g1.id)


def test_group_head_rolls_up_their_group(world, tree, personas):
    """A group head's node is a household group: figures counted by the group column."""
    period = ReportPeriod(TODAY - dt.timedelta(days=120), TODAY)
    rolled = sel.rollup(personas.grouphead, tree.g1a, period=period)
    exp = expected(world, tree.g1, period)  # grid 1 has a single group here
    assert (rolled.total.households, rolled.total.residents, rolled.total.app) == (exp["households"], exp["residents"], exp["app"])


def test_unticking_clears_and_linked_staff_follows(tree, personas):
    """Unticking clears a flag; a staff member who is a resident gets the same change on both rows."""
    staff = org_services.staff_create(unit=tree.unit, name="王建国", id_number=tree.r1.id_number)
    assert staff.resident_id == tree.r1.id
    services.installs_apply(user=personas.grid1, changes=[services.InstallChange(tree.r1, "app", True)],
                            on=dt.date(2026, 11, 1), today=TODAY)
    rows = {r.kind: r for r in InstallStatus.objects.filter(resident=tree.r1) | InstallStatus.objects.filter(staff=staff)}
    assert rows[PersonKind.RESIDENT].app_installed_on == rows[PersonKind.STAFF].app_installed_on == dt.date(2026, 11, 1)
    assert rows[PersonKind.RESIDENT].app_verifier == "grid1"
    services.installs_apply(user=personas.liaison, changes=[services.InstallChange(staff, "app", False)], on=None, today=TODAY)
    assert not InstallStatus.objects.filter(app_installed_on__isnull=False).exists()


def test_first_verified_date_stays(tree, personas):
    """Ticking an already-ticked flag again (a second person at the same time) keeps the first date and verifier."""
    services.installs_apply(user=personas.grid1, changes=[services.InstallChange(tree.r1, "app", True)],
                            on=dt.date(2026, 10, 1), today=TODAY)
    n = services.installs_apply(user=personas.gridleader, changes=[services.InstallChange(tree.r1, "app", True)],
                                on=dt.date(2026, 11, 1), today=TODAY)
    row = InstallStatus.objects.get(resident=tree.r1)
    assert n == 0 and row.app_installed_on == dt.date(2026, 10, 1) and row.app_verifier == "grid1"


def test_unit_rates_by_kind_against_counts(tree, personas):
    """Staff rates by unit type equal counts made here; street staff and industry groups in targets too."""
    from fanzha.org.models import UnitKind

    dept = org_services.unit_create(node=tree.street, name="平安办", kind=UnitKind.STREET_DEPARTMENT)
    bank = org_services.unit_create(node=tree.c1, name="农商银行", kind=UnitKind.BANK)
    people = {dept: [org_services.staff_create(unit=dept, name=f"干部{i}") for i in range(4)],
              bank: [org_services.staff_create(unit=bank, name=f"柜员{i}") for i in range(5)],
              tree.unit: [tree.staff]}
    ticks = [services.InstallChange(s, "app", True) for s in people[dept][:4]] + \
            [services.InstallChange(s, "app", True) for s in people[bank][:2]]
    services.installs_apply(user=personas.office, changes=ticks, on=dt.date(2026, 11, 2), today=TODAY)
    rows = {r["key"]: r for r in sel.unit_rates(reports.SYSTEM, node=tree.street, as_of=TODAY)}
    assert (rows["street_department"]["staff"], rows["street_department"]["app"], rows["street_department"]["app_rate"]) == (4, 4, 100.0)
    assert (rows["bank"]["staff"], rows["bank"]["app"], rows["bank"]["app_rate"]) == (5, 2, 40.0)
    assert (rows["school"]["staff"], rows["school"]["app"]) == (1, 0)
    counts = sel.group_counts(reports.SYSTEM, tree.street, Level.STREET, as_of=TODAY)[tree.street.id]
    assert (counts[TargetGroup.STREET_STAFF].people, counts[TargetGroup.STREET_STAFF].installed) == (4, 4)
    assert (counts[TargetGroup.INDUSTRY_STAFF].people, counts[TargetGroup.INDUSTRY_STAFF].installed) == (6, 2)
    residents = Resident.objects.filter(street_id=tree.street.id).count()
    assert counts[TargetGroup.ALL].people == residents + 10  # none of these staff is a registered resident
    assert counts[TargetGroup.ALL].installed == 6


def test_progress_projection(tree, personas):
    """Gap in people and the linear projection decide on-track versus behind."""
    services.install_target_set(user=personas.office, node=tree.c1, group=TargetGroup.RESIDENTS, rate=50,
                                deadline=dt.date(2026, 12, 31), today=TODAY)
    data = sel.install_progress(reports.SYSTEM, tree.street, level=Level.COMMUNITY, as_of=TODAY)
    c1 = next(p for p in data["rows"] if p.node_id == tree.c1.id)
    assert (c1.people, c1.installed, c1.needed, c1.gap, c1.status) == (3, 0, 2, 2, "behind")
    assert data["behind"][0].node_id == tree.c1.id
    services.installs_apply(user=personas.grid1, changes=[services.InstallChange(tree.r1, "app", True)],
                            on=dt.date(2026, 11, 20), today=TODAY)
    c1 = next(p for p in sel.install_progress(reports.SYSTEM, tree.street, level=Level.COMMUNITY, as_of=TODAY)["rows"]
              if p.node_id == tree.c1.id)
    # one install in the last 4 weeks: 0.25/week, 38 days left → 1 + 0.25/7*38 ≈ 2.36 ≥ 2 needed
    assert (c1.installed, c1.gap, c1.status) == (1, 1, "on_track")
    c2 = next(p for p in sel.install_progress(reports.SYSTEM, tree.street, level=Level.COMMUNITY, as_of=TODAY)["rows"]
              if p.node_id == tree.c2.id)
    assert c2.status == "no_target"  # the target was set on c1 only


@pytest.mark.parametrize("since", [dt.date(2026, 1, 1), dt.date(2026, 9, 1)])
def test_coverage_since_matches_independent_counts(world, tree, since):
    """Coverage since 1 January (read from the first-visit-of-the-year rows) and since any other day agree with a hand count."""
    period = ReportPeriod(TODAY - dt.timedelta(days=10), TODAY - dt.timedelta(days=5))
    rolled = sel.rollup(reports.SYSTEM, tree.county, period=period, since=since)
    for node in (tree.county, tree.street, tree.c1, tree.c2, tree.g1, tree.g2, tree.g9):
        exp = expected(world, node, ReportPeriod(since, period.end))
        f = rolled.of(node.id)
        assert f.visited_since == exp["visited"], node.name
        assert f.visited == expected(world, node, period)["visited"]


def test_head_counts_change_at_once(tree):
    """Households and residents of a roll-up come from the maintained head counts: a new resident counts at once."""
    period = ReportPeriod(TODAY, TODAY)
    assert sel.rollup(reports.SYSTEM, tree.street, period=period).total.residents == 4
    org_services.resident_create(household=tree.h3, name="新居民", id_number=make_id_number("110101", dt.date(1999, 9, 9), 991))
    again = sel.rollup(reports.SYSTEM, tree.street, period=period)
    assert again.total.residents == 5 and again.of(tree.c2.id).residents == 2 and again.of(tree.g3.id).residents == 2
