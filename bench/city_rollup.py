"""Outreach roll-up on the city data set: one county (≤ 300 ms) and all twenty counties (≤ 1 s).

    DATABASE_URL=postgres://…/fz_city FANZHA_BENCH_DB=var/bench/city .venv/bin/python bench/city_rollup.py

On the city built by bench/build_city.py. Every county gets a year of outreach once
(`fanzha.demo.outreach.build_outreach`, then VACUUM ANALYZE), so the other nineteen counties' visits
and installs sit in the same tables as the measured county's. Times, in process:

- the roll-up of one county (BENCH-K: its streets, communities and grids), all counted (cold) and
  with the head counts from the cache (steady state), as bench/outreach_rollup.py;
- the whole city: each of the twenty counties' own figures (there is no node above a county, so a
  city-wide view is the counties side by side: each county's totals, read from its maintained row and
  its grids' counted figures, checked once against the county's full roll-up), cold and steady.
CITY_OUTREACH=first builds outreach for BENCH-K only (quicker; the other counties then have none);
the counties' outreach is built by CITY_OUTREACH_WORKERS (default 2) forked processes.
"""

from __future__ import annotations

import datetime as dt
import os
import time

from _common import county_db, engine
from _outreach import line, timed

COUNTY_TARGET_MS = 300
CITY_TARGET_MS = 1000


def city_counties():
    """The city's county nodes, BENCH-K first, each with a year of outreach (built once)."""
    county_db()
    from django.db import connection

    from fanzha.demo.org import BENCH_COUNTY_CODE
    from fanzha.org.models import Level, Node
    from fanzha.outreach.models import HomeVisit

    counties = sorted(Node.objects.filter(level=Level.COUNTY, code__regex=r"^(BENCH-K|CITY-K\d+)$"),
                      key=lambda n: (n.code != BENCH_COUNTY_CODE, n.code))
    wanted = counties[:1] if os.environ.get("CITY_OUTREACH") == "first" else counties
    missing = [c for c in wanted if not HomeVisit.objects.filter(county_id=c.id).exists()]
    workers = max(1, min(len(missing), int(os.environ.get("CITY_OUTREACH_WORKERS", 2))))
    if len(missing) > 1 and workers > 1:  # one county per task in forked workers, each its own connection
        import multiprocessing

        from django.db import connections

        connections.close_all()
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for line_ in pool.imap_unordered(_outreach_for, [c.id for c in missing]):
                print(line_, flush=True)
    else:
        for c in missing:
            print(_outreach_for(c.id), flush=True)
    if missing and connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for table in ("outreach_homevisit", "outreach_visityear", "outreach_installstatus", "outreach_activity",
                          "outreach_wechatpush", "org_resident", "org_household", "org_staffmember", "org_nodecounts"):
                cur.execute(f"VACUUM ANALYZE {table}")
    return counties


def _outreach_for(county_id: int) -> str:
    from django.db import connections

    from fanzha.demo.outreach import build_outreach
    from fanzha.org.models import Node

    county = Node.objects.get(pk=county_id)
    t0 = time.perf_counter()
    counts = build_outreach(county)  # one transaction per county
    connections.close_all()
    return (f"  built a year of outreach for {county.code} in {time.perf_counter() - t0:.1f} s (once): {counts} "
            f"(load {os.getloadavg()[0]:.2f})")


def main() -> None:
    counties = city_counties()
    from django.core.cache import cache
    from django.utils import timezone

    from fanzha.org.models import Resident
    from fanzha.outreach import reports
    from fanzha.outreach import selectors as sel
    from fanzha.outreach.models import HomeVisit
    from fanzha.outreach.periods import preset

    today = timezone.localdate()
    period = preset("semimonth", today)
    since = dt.date(today.year, 1, 1)
    county = counties[0]
    print(f"city roll-up bench: {engine()}; {len(counties)} counties, {Resident.objects.count():,} residents, "
          f"{HomeVisit.objects.count():,} home visits; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")

    def one(node):
        return sel.rollup(reports.SYSTEM, node, period=period, since=since)

    def cold_county():
        cache.clear()
        one(county)

    def county_total(node):
        # A city-wide view shows each county's own figures side by side: its totals, not its streets and grids.
        return sel.rollup(reports.SYSTEM, node, period=period, since=since, totals_only=True).total

    def city():
        return [county_total(c) for c in counties]

    def cold_city():
        cache.clear()
        city()

    totals = city()
    full = [one(c).total for c in counties]
    assert [t.as_dict() for t in totals] == [t.as_dict() for t in full], "the counties' totals differ from their full roll-ups"
    residents = sum(t.residents for t in totals)
    print(f"  city: {residents:,} residents in the roll-ups' head counts; {county.code} app rate {totals[0].app_rate}%, "
          f"year coverage {totals[0].coverage_since}%")
    line(f"roll-up, one county ({county.code}), all counted (cold)", timed(cold_county, runs=15), COUNTY_TARGET_MS)
    line(f"roll-up, one county ({county.code}), head counts cached", timed(lambda: one(county), runs=15),
         COUNTY_TARGET_MS)
    line(f"roll-up, whole city ({len(counties)} counties), all counted (cold)", timed(cold_city, runs=5),
         CITY_TARGET_MS)
    line(f"roll-up, whole city ({len(counties)} counties), head counts cached", timed(city, runs=5), CITY_TARGET_MS)
    print(f"  load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
