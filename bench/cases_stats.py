"""Case statistics at county scale (3 years of cases, ~25,000): server time against 200 ms.

The dashboard page and the stats API for the whole county and for one
community, through the full Django stack in process.
"""

from __future__ import annotations

import time

from _common import county_db, engine
from _pages import bench_user, report, time_get

TARGET_MS = 200


def main() -> None:
    county_db()
    from django.test import Client

    from fanzha.demo.cases import build_cases
    from fanzha.cases.models import Case
    from fanzha.demo.org import BENCH_COUNTY_CODE
    from fanzha.org.models import Level, Node

    county = Node.objects.get(code=BENCH_COUNTY_CODE)
    if not Case.objects.filter(county_id=county.id).exists():
        t0 = time.perf_counter()
        n = build_cases(root=county, per_10k_per_year=185)
        print(f"built {n:,} cases in {time.perf_counter() - t0:.1f} s (once)")
    community = Node.objects.filter(county_id=county.id, level=Level.COMMUNITY).order_by("id").first()
    office = bench_user("bench_county_office", "office", node=county)
    comm_user = bench_user("bench_community", "community", node=community)
    print(f"case stats bench: {engine()}; {Case.objects.filter(county_id=county.id).count():,} cases in the county")
    for label, user, node in (("county", office, county), ("one community", comm_user, community)):
        c = Client()
        c.force_login(user)
        for by in ("month", "quarter"):
            report(f"dashboard page, {label}, by {by}", time_get(c, f"/cases/stats/?node={node.id}&by={by}"), TARGET_MS)
        report(f"stats API, {label}", time_get(c, f"/api/v1/stats/cases?node={node.id}"), TARGET_MS)


if __name__ == "__main__":
    main()
