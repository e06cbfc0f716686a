"""The installs and this year's visited households kept per node (org.counts, NodeCounts) never go stale:
after each kind of outreach write, a resident's or household's move, the demo's bulk load and the turn of
the year, every node's row equals a live count, and the campaign tiles and the dashboard read them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fanzha.core.idnumbers import make_id_number
from fanzha.org import counts
from fanzha.org import services as org_services
from fanzha.org.models import NodeCounts, Resident
from fanzha.org.tests.test_counts import assert_current, live_reach
from fanzha.outreach import reports
from fanzha.outreach import selectors as sel
from fanzha.outreach import services
from fanzha.outreach.models import InstallStatus, VisitYear
from fanzha.outreach.periods import ReportPeriod, year_start


def tick(person, flag, done=True):
    return services.InstallChange(person=person, flag=flag, done=done)


def visit(user, household, day, installs=()):
    return services.home_visit_record(user=user, household=household, visited_on=day, visitors="网格员",
                                      actions=["explained"], installs=list(installs))


def reach(node) -> dict[str, int]:
    return counts.reach_of([node.id])[node.id]


def test_install_ticks_and_clears_keep_counts(tree, personas):
    """Flags ticked and unticked through installs_apply and set or cleared through install_set move every
    ancestor's stored install counts exactly as a live count does."""
    today = timezone.localdate()
    services.installs_apply(user=personas.office, changes=[tick(tree.r1, "app"), tick(tree.r1b, "app"),
                                                           tick(tree.r1, "jinzhongzhao"), tick(tree.r3, "call_warning")],
                            on=today)
    assert reach(tree.g1)["app"] == 2 and reach(tree.street)["app"] == 2
    assert_current()
    # Ticking a flag already set changes nothing; unticking clears it.
    services.installs_apply(user=personas.office, changes=[tick(tree.r1, "app"), tick(tree.r1b, "app", done=False)],
                            on=today)
    assert reach(tree.c1)["app"] == 1
    assert_current()
    services.install_set(user=personas.office, person=tree.r2, app_installed_on=today, call_warning_on=today,
                         jinzhongzhao_on=None)
    assert_current()
    services.install_set(user=personas.office, person=tree.r2, app_installed_on=today, call_warning_on=None,
                         jinzhongzhao_on=today)
    assert reach(tree.g2) == {"app": 1, "call_warning": 0, "jinzhongzhao": 1, "visited": 0}
    assert_current()


def test_staff_linked_to_a_resident_counts_once_as_a_resident(tree, personas):
    """A staff member who is a registered resident: ticking the staff row ticks the resident's too, and only the
    resident's row counts in the residents' install figures."""
    s = org_services.staff_create(unit=tree.unit, name="李秀英", id_number=make_id_number("110101", dt.date(1985, 1, 2), 222))
    assert s.resident_id == tree.r2.id
    services.install_set(user=personas.office, person=s, app_installed_on=timezone.localdate(), call_warning_on=None,
                         jinzhongzhao_on=None)
    assert InstallStatus.objects.filter(app_installed_on__isnull=False).count() == 2
    assert reach(tree.county)["app"] == 1
    assert_current()


def test_visits_keep_the_year_count(tree, personas):
    """A household's first visit of the year adds one visited household on every node above it; its second
    visit, or a visit dated last year, adds none to this year."""
    today = timezone.localdate()
    before = reach(tree.street)["visited"]
    visit(personas.office, tree.h1, today, installs=[tick(tree.r1, "app")])
    assert reach(tree.street)["visited"] == before + 1
    assert reach(tree.g1) == {"app": 1, "call_warning": 0, "jinzhongzhao": 0, "visited": 1}
    visit(personas.office, tree.h1, today)
    visit(personas.office, tree.h2, dt.date(today.year - 1, 12, 30))
    assert reach(tree.street)["visited"] == before + 1
    assert VisitYear.objects.filter(household=tree.h2, year=today.year - 1).exists()
    visit(personas.office, tree.h2, today)
    assert reach(tree.street)["visited"] == before + 2
    assert_current()


def test_moves_take_installs_and_visits_along(tree, personas):
    """A resident moved by the service takes its install row and flags to the new nodes; a household moved
    takes its residents' install rows and its visit-year row; counts equal live counts after each."""
    today = timezone.localdate()
    visit(personas.office, tree.h1, today, installs=[tick(tree.r1, "app"), tick(tree.r1b, "call_warning"),
                                                     tick(tree.r1b, "app")])
    street2 = reach(tree.street2)
    r = Resident.objects.get(pk=tree.r1b.pk)
    org_services.resident_update(resident=r, household=tree.h9, name=r.name, birth_date=r.birth_date)
    assert InstallStatus.objects.get(resident=r).grid_id == tree.g9.id
    assert reach(tree.street2)["app"] == street2["app"] + 1
    assert reach(tree.g1)["app"] == 1
    assert_current()
    h1 = type(tree.h1).objects.get(pk=tree.h1.pk)
    org_services.household_update(household=h1, node=tree.g3a, address=h1.address)
    assert VisitYear.objects.get(household=h1).grid_id == tree.g3.id
    assert reach(tree.g1) == {"app": 0, "call_warning": 0, "jinzhongzhao": 0, "visited": 0}
    assert reach(tree.g3)["visited"] == 1 and reach(tree.g3)["app"] == 1
    assert_current()


def test_bulk_move_is_followed_by_the_recount(tree, personas):
    """Residents moved in bulk (as an import moves them) leave their install rows behind until the bulk
    writer's recount_grids, which re-places them and counts both grids."""
    visit(personas.office, tree.h2, timezone.localdate(), installs=[tick(tree.r2, "app")])
    Resident.objects.filter(pk=tree.r2.pk).update(household=tree.h3, **{c: getattr(tree.h3, c) for c in counts.PLACE_COLS})
    counts.recount_grids([tree.g2.id, tree.g3.id])
    assert InstallStatus.objects.get(resident=tree.r2).grid_id == tree.g3.id
    assert reach(tree.g3)["app"] == 1 and reach(tree.g2)["app"] == 0
    assert_current()


def test_outreach_demo_load_is_counted(tree):
    """The demo's year of outreach, written in bulk, is counted before its transaction commits."""
    from fanzha.demo.outreach import build_outreach

    build_outreach(tree.street, months=3, seed=5)
    assert InstallStatus.objects.filter(kind="resident", app_installed_on__isnull=False).exists()
    assert VisitYear.objects.filter(year=timezone.localdate().year).exists()
    assert_current()


def test_visit_year_rolls_over_on_first_of_january(tree, personas, monkeypatch):
    """On 1 January the stored visited households start again from the new year's visits: a visit recorded on the
    new day before any read is counted once, and the nightly job leaves nothing to do after a read."""
    today = timezone.localdate()
    visit(personas.office, tree.h1, today)
    visit(personas.office, tree.h3, today)
    assert reach(tree.street)["visited"] == 2
    new_year = dt.date(today.year + 1, 1, 1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: new_year)
    visit(personas.office, tree.h3, new_year)  # before any read or the job: rows still count last year
    assert set(NodeCounts.objects.values_list("visit_year", flat=True)) == {today.year}
    assert reach(tree.street)["visited"] == 1
    assert set(NodeCounts.objects.values_list("visit_year", flat=True)) == {new_year.year}
    visit(personas.office, tree.h2, new_year)  # after the roll-over: counted by the service's delta
    assert reach(tree.street)["visited"] == 2
    assert_current()


def test_worker_rolls_the_visit_year(tree, personas, monkeypatch):
    """The org job moves every row to the new year once, and the rows then equal a live count."""
    from fanzha.core.jobs import run_periodic

    visit(personas.office, tree.h1, timezone.localdate())
    new_year = dt.date(timezone.localdate().year + 1, 1, 1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: new_year)
    done = run_periodic(timezone.now())
    assert done.get("fanzha.org.jobs.advance_elderly") == NodeCounts.objects.count()
    assert set(NodeCounts.objects.values_list("visit_year", flat=True)) == {new_year.year}
    assert_current()


def _live_rollup_figures(root) -> dict:
    """What the roll-up of today with the year so far showed before the counts were kept: counted live."""
    today = timezone.localdate()
    col = {f"{root.level}_id": root.id}
    return {
        "app": InstallStatus.objects.filter(**col, kind="resident", app_installed_on__isnull=False).count(),
        "visited_since": VisitYear.objects.filter(**col, year=today.year, first_visited_on__lte=today).count(),
    }


@pytest.mark.parametrize("node", ["county", "street", "c1", "g1", "g1a"])
def test_rollup_of_today_reads_the_kept_counts(tree, personas, node):
    """The roll-up of a period ending today (the tiles, the dashboard, the targets page) gives the same installs and
    year-so-far visits as a live count, and a past period (a report) still counts them itself."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    today = timezone.localdate()
    visit(personas.office, tree.h1, today, installs=[tick(tree.r1, "app")])
    visit(personas.office, tree.h3, today, installs=[tick(tree.r3, "app")])
    root = getattr(tree, node)
    with CaptureQueriesContext(connection) as ctx:
        rolled = sel.rollup(reports.SYSTEM, root, period=ReportPeriod(today, today), since=year_start(today))
    live = _live_rollup_figures(root)
    assert (rolled.total.app, rolled.total.visited_since) == (live["app"], live["visited_since"])
    assert rolled.total.app == live_reach(root)["app"]
    # Neither the year's visits nor the installs as of today were counted from their tables.
    assert not [q["sql"] for q in ctx.captured_queries if "outreach_visityear" in q["sql"]
                or ("outreach_installstatus" in q["sql"] and "call_warning_on" in q["sql"])]
    yesterday = today - dt.timedelta(days=1)
    past = sel.rollup(reports.SYSTEM, root, period=ReportPeriod(yesterday, yesterday), since=year_start(yesterday))
    assert (past.total.app, past.total.visited_since) == (0, 0)  # installed and visited today: not yet then


@pytest.mark.parametrize("node", ["county", "street", "c1", "g1", "g1a"])
def test_totals_only_equals_the_full_rollup(tree, personas, node):
    """The tiles' roll-up of root alone (its own kept row, root's column for what is counted) gives the same
    totals as the roll-up over every grid, today and for a past period, for every user who can see root."""
    today = timezone.localdate()
    visit(personas.office, tree.h1, today, installs=[tick(tree.r1, "app"), tick(tree.r1b, "call_warning")])
    visit(personas.office, tree.h3, today - dt.timedelta(days=3), installs=[tick(tree.r3, "app")])
    visit(personas.office, tree.h9, today - dt.timedelta(days=10), installs=[tick(tree.r9, "jinzhongzhao")])
    root = getattr(tree, node)
    for period, since in ((ReportPeriod(today, today), year_start(today)),
                          (ReportPeriod(today - dt.timedelta(days=7), today - dt.timedelta(days=1)), None)):
        users = [reports.SYSTEM] + ([personas.office] if node != "county" else []) + (
            [personas.grid1] if node in ("g1", "g1a") else [])
        for user in users:
            alone = sel.rollup(user, root, period=period, since=since, totals_only=True)
            full = sel.rollup(user, root, period=period, since=since)
            assert alone.total == full.total, (user, period)
        assert set(sel.rollup(reports.SYSTEM, root, period=period, since=since, totals_only=True).nodes) == {root.id}
