"""The maintained head counts (org.counts) never go stale: after every kind of service write, after a
bulk write and its recount, and across a change of date, each node's row equals a live count (the
outreach figures kept in the same rows included; their own writes are tested in
outreach/tests/test_reach_counts.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fanzha.core.idnumbers import make_id_number
from fanzha.org import counts, services
from fanzha.org.models import (
    Household,
    Level,
    Node,
    NodeCounts,
    Resident,
    Residency,
    StaffMember,
    Unit,
    elderly_born_before,
)


def live_reach(node: Node) -> dict[str, int]:
    """Residents' installs (date set) and households visited this year under `node`, from the tables."""
    from fanzha.outreach.models import InstallStatus, VisitYear

    col = {f"{node.level}_id": node.id}
    i = InstallStatus.objects.filter(**col, kind="resident")
    return {
        "app": i.filter(app_installed_on__isnull=False).count(),
        "call_warning": i.filter(call_warning_on__isnull=False).count(),
        "jinzhongzhao": i.filter(jinzhongzhao_on__isnull=False).count(),
        "visited": VisitYear.objects.filter(**col, year=timezone.localdate().year).count(),
    }


def live(node: Node) -> dict[str, int]:
    """Count everything under `node` from the tables, the slow way."""
    col = {f"{node.level}_id": node.id}
    cutoff = elderly_born_before()
    r = Resident.objects.filter(**col)
    return {
        "households": Household.objects.filter(**col).count(),
        "residents": r.count(),
        "floating": r.filter(~Q(residency=Residency.PERMANENT)).count(),
        "elderly": r.filter(birth_date__lte=cutoff).count(),
        "elderly_alone": r.filter(birth_date__lte=cutoff, lives_alone=True).count(),
        "students": r.filter(is_student=True).count(),
        "units": Unit.objects.filter(**col).count(),
        "staff": StaffMember.objects.filter(**col).count(),
    }


def assert_current() -> None:
    """Every node has a row, and every row equals the live count (head counts and outreach figures)."""
    nodes = list(Node.objects.all())
    stored = counts.counts_of(n.id for n in nodes)
    reach = counts.reach_of(n.id for n in nodes)
    assert NodeCounts.objects.count() == len(nodes)
    for n in nodes:
        assert stored[n.id] == live(n), n.name
        assert reach[n.id] == live_reach(n), n.name
    # Every resident's install row sits where the resident is.
    from fanzha.outreach.models import InstallStatus

    for row in InstallStatus.objects.filter(kind="resident").select_related("resident"):
        assert [getattr(row, c) for c in counts.PLACE_COLS] == [getattr(row.resident, c) for c in counts.PLACE_COLS]


def test_tree_built_by_services_is_counted(tree):
    """The services' deltas alone give every node the live counts (the fixture writes only through them)."""
    assert_current()
    assert counts.counts_of([tree.county.id])[tree.county.id]["residents"] == 5


def test_each_service_write_keeps_counts(tree):
    """Creates, moves and changes of households, residents, units and staff keep every row equal to a live count."""
    h = services.household_create(node=tree.g2a, address="东关路8号")
    assert_current()
    r = services.resident_create(household=h, name="老李", id_number=make_id_number("110101", dt.date(1940, 1, 1), 771),
                                 lives_alone=True)
    assert_current()
    # Residency, student and living alone change; then the birth date (elderly ↔ not).
    services.resident_update(resident=r, name="老李", id_number="", birth_date=dt.date(1990, 1, 1), residency="floating",
                             is_student=True, lives_alone=True)
    assert_current()
    r.refresh_from_db()
    services.resident_update(resident=r, name="老李", birth_date=dt.date(1941, 5, 5), residency="permanent",
                             lives_alone=False)
    assert_current()
    # The resident moves to another street's household.
    r.refresh_from_db()
    services.resident_update(resident=r, household=tree.h9, name="老李", birth_date=dt.date(1941, 5, 5), lives_alone=True)
    assert_current()
    # A household moves to a grid of another community, its residents with it.
    tree.h1.refresh_from_db()
    services.household_update(household=tree.h1, node=tree.g3, address=tree.h1.address)
    assert_current()
    # A household's details change without a move.
    tree.h1.refresh_from_db()
    services.household_update(household=tree.h1, address=tree.h1.address, head_name="新户主")
    assert_current()
    u = services.unit_create(node=tree.c9, name="北关银行", kind="bank")
    assert_current()
    services.staff_create(unit=u, name="钱柜员")
    assert_current()
    assert counts.counts_of([tree.street2.id])[tree.street2.id]["staff"] == 1


def test_new_node_has_a_zero_row(tree):
    """A node made one by one gets its row at once, so the next write under it is counted."""
    g = services.node_create(parent=tree.c2, level=Level.GRID, code="S-C2-G4", name="南门第二网格")
    assert NodeCounts.objects.filter(node=g, residents=0).exists()
    services.household_create(node=g, address="南门街40号")
    assert_current()


def test_recount_after_bulk_write(tree):
    """Rows written in bulk (no services) are counted by recount_grids with both grids of a move."""
    Resident.objects.bulk_create([
        Resident(household=tree.h2, name=f"批量{i}", birth_date=dt.date(1950, 1, 1), lives_alone=i % 2 == 0,
                 **{f"{f}_id": getattr(tree.h2, f"{f}_id") for f in ("county", "street", "community", "grid", "group")})
        for i in range(5)
    ])
    assert counts.counts_of([tree.g2.id])[tree.g2.id]["residents"] == 1  # stale until recounted
    counts.recount_grids([tree.g2.id])
    assert_current()
    # A bulk move of those residents to another street's grid: both grids are recounted.
    Resident.objects.filter(name__startswith="批量").update(household=tree.h9, **{
        f"{f}_id": getattr(tree.h9, f"{f}_id") for f in ("county", "street", "community", "grid", "group")})
    counts.recount_grids([tree.g2.id, tree.g9.id])
    assert_current()


def test_recount_of_nodes_made_in_bulk(tree):
    """Nodes created in bulk have no row; recount_grids counts them and adds what is under them to their ancestors."""
    Node.objects.bulk_create([Node(level=Level.COMMUNITY, code="S-C7", name="新社区", parent=tree.street,
                                   county=tree.county, street=tree.street)])
    c7 = Node.objects.get(code="S-C7")
    Node.objects.filter(pk=c7.pk).update(community=c7)
    Node.objects.bulk_create([Node(level=Level.GRID, code="S-C7-G1", name="新网格", parent=c7, county=tree.county,
                                   street=tree.street, community=c7)])
    g = Node.objects.get(code="S-C7-G1")
    Node.objects.filter(pk=g.pk).update(grid=g)
    h = Household.objects.create(address="新路1号", county=tree.county, street=tree.street, community=c7, grid=g)
    Resident.objects.create(household=h, name="新人", county=tree.county, street=tree.street, community=c7, grid=g)
    counts.recount_grids([g.id])
    assert_current()


def test_recount_all_equals_live(tree, personas):
    """recount_all (what a data migration and the demo loader run) gives every node its live count,
    installs and this year's visited households included."""
    from fanzha.outreach import services as outreach

    outreach.home_visit_record(user=personas.office, household=tree.h1, visited_on=timezone.localdate(),
                               visitors="网格员", actions=["explained"],
                               installs=[outreach.InstallChange(person=tree.r1, flag="app", done=True)])
    NodeCounts.objects.update(residents=999, elderly=-3, app=7, visited=-1, visit_year=1999)
    counts.recount_all()
    assert counts.reach_of([tree.county.id])[tree.county.id] == {"app": 1, "call_warning": 0, "jinzhongzhao": 0,
                                                                 "visited": 1}
    assert_current()


def test_elderly_follow_the_date(tree, monkeypatch):
    """A resident who turns 60 tomorrow is not elderly today and is tomorrow, without any write in between."""
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    born = elderly_born_before(tomorrow)
    services.resident_create(household=tree.h3, name="明天六十", birth_date=born, lives_alone=True)
    before = counts.counts_of([tree.g3.id, tree.county.id])
    assert before[tree.g3.id]["elderly"] == 0
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    assert elderly_born_before() == born
    after = counts.counts_of([tree.g3.id, tree.county.id])
    assert after[tree.g3.id]["elderly"] == 1 and after[tree.g3.id]["elderly_alone"] == 1
    assert after[tree.county.id]["elderly"] == before[tree.county.id]["elderly"] + 1
    assert set(NodeCounts.objects.values_list("elderly_cutoff", flat=True)) == {born}
    # A write on the new day compares against the new cut-off.
    services.resident_create(household=tree.h3, name="也六十", birth_date=born)
    assert_current()


def test_elderly_write_before_the_rows_moved(tree, monkeypatch):
    """A write on a new day before any read: the rows are compared with their own cut-off, then moved on read."""
    today = timezone.localdate()
    later = today + dt.timedelta(days=3)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: later)
    services.resident_create(household=tree.h3, name="两天前六十", birth_date=elderly_born_before(later) - dt.timedelta(days=1))
    assert_current()


def test_home_page_after_a_write_with_nothing_cached(login, personas, tree):
    """The office's home page shows a write at once with an empty cache, and counts no residents to do so."""
    c = login(personas.office)
    services.resident_create(household=tree.h3, name="新居民", residency="floating")
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        figs = {k: n for k, _l, n in c.get("/").context["figures"]}
    assert figs["residents"] == 5 and figs["floating"] == 3
    assert not [q for q in ctx.captured_queries if "org_resident" in q["sql"] and "COUNT" in q["sql"].upper()]


@pytest.mark.parametrize("level", ["county", "street", "community", "grid"])
def test_counts_of_any_level(tree, level):
    """counts_of answers for a node of any level with the same numbers as a live count."""
    node = getattr(tree, {"county": "county", "street": "street", "community": "c1", "grid": "g1"}[level])
    assert counts.counts_of([node.id])[node.id] == live(node)


def test_worker_moves_the_elderly_cut_off_after_midnight(tree, monkeypatch):
    """The worker's org job moves every row to the new day's cut-off once (then finds nothing to do), and the
    counts it leaves equal a live count."""
    from fanzha.core.jobs import PERIODIC_JOBS, run_periodic

    assert "fanzha.org.jobs.advance_elderly" in PERIODIC_JOBS
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    services.resident_create(household=tree.h3, name="明天六十", birth_date=elderly_born_before(tomorrow))
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    done = run_periodic(timezone.now())
    assert done.get("fanzha.org.jobs.advance_elderly") == Node.objects.count()
    assert set(NodeCounts.objects.values_list("elderly_cutoff", flat=True)) == {elderly_born_before(tomorrow)}
    assert "fanzha.org.jobs.advance_elderly" not in run_periodic(timezone.now())
    assert_current()
