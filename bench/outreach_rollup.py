"""Outreach rate roll-up for the whole county (450,000 residents, a year of visits and installs): ≤ 300 ms.

    .venv/bin/python bench/outreach_rollup.py

Times, in process: the roll-up itself (`selectors.rollup`: coverage of the
current half-month and of the year so far, app / call warning / jinzhongzhao
rates, for the county and all its 10 streets, 150 communities and 1,500
grids) with everything counted (cold) and with the county's head counts
from the cache (as for FANZHA_FIGURES_TTL after the first view; visits and
installs are always counted), the same through the API
(`/api/v1/outreach/rates?depth=all`), and the county's dashboard and targets
pages through the full Django stack.
"""

from __future__ import annotations

import datetime as dt

from _common import engine
from _outreach import county_with_outreach, line, timed
from _pages import bench_user, time_get

TARGET_MS = 300


def main() -> None:
    county = county_with_outreach()
    from django.test import Client
    from django.utils import timezone

    from fanzha.org.models import Resident
    from fanzha.outreach import reports
    from fanzha.outreach import selectors as sel
    from fanzha.outreach.models import HomeVisit, InstallStatus
    from fanzha.outreach.periods import preset

    today = timezone.localdate()
    period = preset("semimonth", today)
    print(f"outreach roll-up bench: {engine()}; {Resident.objects.filter(county_id=county.id).count():,} residents, "
          f"{HomeVisit.objects.filter(county_id=county.id).count():,} home visits, "
          f"{InstallStatus.objects.filter(county_id=county.id).count():,} install rows")
    rolled = sel.rollup(reports.SYSTEM, county, period=period, since=dt.date(today.year, 1, 1))
    t = rolled.total
    print(f"  county: {len(rolled.nodes):,} nodes; app rate {t.app_rate}%, year coverage {t.coverage_since}%, "
          f"half-month coverage {t.coverage}%")
    from django.core.cache import cache

    def cold():
        cache.clear()  # head counts counted too, as on the first view after FANZHA_FIGURES_TTL
        sel.rollup(reports.SYSTEM, county, period=period, since=dt.date(today.year, 1, 1))

    line("roll-up, whole county, half-month + year coverage, all counted (cold)", timed(cold, runs=15), TARGET_MS)
    line("roll-up, whole county, head counts from the cache (steady state)",
         timed(lambda: sel.rollup(reports.SYSTEM, county, period=period, since=dt.date(today.year, 1, 1)), runs=15), TARGET_MS)
    office = bench_user("bench_county_office", "office", node=county)
    c = Client()
    c.force_login(office)
    for label, url in (("API /outreach/rates?depth=all, county", f"/api/v1/outreach/rates?node={county.id}&depth=all"),
                       ("dashboard page, county", f"/outreach/?node={county.id}"),
                       ("targets page, county (streets)", f"/outreach/targets/?node={county.id}")):
        line(label, time_get(c, url, runs=10), TARGET_MS)


if __name__ == "__main__":
    main()
