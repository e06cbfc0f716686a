"""Home page and campaign tiles with nothing cached, at county scale: server time against 150 ms.

Every request starts with the cache cleared, so nothing a previous view
counted is reused: the head counts, the residents' installs and the households
visited this year come from the maintained per-node counts (`fanzha.org.counts`),
everything else is counted as the request runs.
Timed through the full Django stack in process (the test client), p95 of 20
runs after 2 warm-up runs, for the county office, a street leader and a grid
worker. The floor is the same page for the grid worker (the same queries
over a scope of ~300 residents: middleware, session, scope, template), so
the ratio to it is what the county's size adds.

Also timed: the bulk writers' recount of one grid and of one street
(`recount_grids`), the whole county (`recount_all`), the daily move of the
elderly cut-off (`advance`, one day of births), the roll-over of the visit
year on 1 January (`roll_visit_year`), and service writes with their deltas
(a resident; a home visit with an install tick).

    .venv/bin/python bench/home_cold.py                      # SQLite, var/bench/county
    DATABASE_URL=postgres://... .venv/bin/python bench/home_cold.py
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import time

from _common import engine, time_runs
from _outreach import county_with_outreach
from _pages import bench_user, time_get

TARGET_MS = 150


def timed(fn, *, runs: int, warm: int = 1) -> dict:
    """Wall and CPU time of this thread (SQLite runs in it; PostgreSQL's own work is not in the CPU figure)."""
    return time_runs(fn, runs=runs, warm=warm)


def line(label: str, t: dict, *, target: float | None = None, floor: float | None = None) -> None:
    extra = ""
    if floor:
        extra += f"  {t['p95'] / floor:5.1f}× floor"
    if target:
        extra += f"  target {target:.0f} ms: {'OK' if t['p95'] <= target else 'OVER TARGET'}"
    cpu = f"  (CPU p95 {t['cpu95']:6.1f})" if "cpu95" in t else ""
    print(f"  {label:<55} p50 {t['p50']:7.1f} ms  p95 {t['p95']:7.1f} ms{cpu}{extra}", flush=True)


def main() -> None:
    county = county_with_outreach()
    from django.core.cache import cache
    from django.db import transaction
    from django.db.models import F
    from django.test import Client

    from fanzha.org import counts
    from fanzha.org.models import Level, Node, NodeCounts, Resident

    if not NodeCounts.objects.filter(node_id=county.id).exists():
        t0 = time.perf_counter()
        counts.recount_all()
        print(f"head counts of the county data set counted once in {time.perf_counter() - t0:.1f} s")
    street = Node.objects.filter(county_id=county.id, level=Level.STREET).order_by("id").first()
    grid = Node.objects.filter(county_id=county.id, level=Level.GRID).order_by("id").first()
    users = {
        "county office": bench_user("bench_county_office", "office", node=county),
        "street leader": bench_user("bench_street_leader", "leader", node=street),
        "grid worker": bench_user("bench_grid_worker", "grid_worker", node=grid),
    }
    print(f"home page cold bench (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores): {engine()}, "
          f"{platform.processor() or platform.machine()}, python {sys.version.split()[0]}; "
          f"{Resident.objects.filter(county_id=county.id).count():,} residents in the county", flush=True)

    class ColdClient(Client):
        """Every request with the cache cleared first."""

        def get(self, *a, **kw):
            cache.clear()
            return super().get(*a, **kw)

    clients = {}
    for label, user in users.items():
        clients[label] = ColdClient()
        clients[label].force_login(user)
    floor = time_get(clients["grid worker"], "/")
    line("floor: home page, grid worker, nothing cached", floor)
    f95 = floor["p95"]
    for label in ("county office", "street leader"):
        line(f"home page, {label}, nothing cached", time_get(clients[label], "/"), target=TARGET_MS, floor=f95)
    for label in ("county office", "street leader", "grid worker"):
        line(f"campaign tiles (/home/campaign/), {label}, nothing cached",
             time_get(clients[label], "/home/campaign/", headers={"HX-Request": "true"}), target=TARGET_MS, floor=f95)

    # What the writers pay. Each runs in a transaction rolled back, so the data set stays as it is.
    class Rollback(Exception):
        pass

    def in_rollback(fn):
        def run():
            try:
                with transaction.atomic():
                    fn()
                    raise Rollback
            except Rollback:
                pass
        return run

    from fanzha.org import services
    from fanzha.org.models import Household

    household = Household.objects.filter(grid_id=grid.id).first()
    line("a service write: resident_create with its deltas", timed(in_rollback(
        lambda: services.resident_create(household=household, name="测试", residency="floating")), runs=20))
    from django.db.models import Q
    from django.utils import timezone

    from fanzha.outreach import services as outreach

    # A household of the grid with a resident the app is not ticked for: the tick and the visit both count.
    resident = (Resident.objects.filter(grid_id=grid.id).filter(Q(install__isnull=True) | Q(install__app_installed_on__isnull=True))
                .select_related("household").first())
    line("a service write: home_visit_record + app tick, with deltas", timed(in_rollback(
        lambda: outreach.home_visit_record(user=None, household=resident.household, visited_on=timezone.localdate(),
                                           visitors="测试", actions=["explained"],
                                           installs=[outreach.InstallChange(person=resident, flag="app", done=True)])),
        runs=20))
    line("recount_grids, one grid", timed(in_rollback(lambda: counts.recount_grids([grid.id])), runs=10))
    line("recount_grids, one street", timed(in_rollback(lambda: counts.recount_grids([street.id])), runs=3))
    line("recount_all, the county", timed(in_rollback(counts.recount_all), runs=1, warm=0))

    def one_day_later():
        NodeCounts.objects.update(elderly_cutoff=counts.elderly_born_before() - dt.timedelta(days=1))
        counts.advance()
    line("advance: the elderly cut-off moved by one day", timed(in_rollback(one_day_later), runs=3))

    def new_year():
        NodeCounts.objects.update(visit_year=F("visit_year") - 1)
        counts.roll_visit_year()
    line("roll_visit_year, worst case (a whole year's visits counted)", timed(in_rollback(new_year), runs=3))


if __name__ == "__main__":
    main()
