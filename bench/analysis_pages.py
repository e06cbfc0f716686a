"""Analysis at county scale: the leader's home page (with the overview), the analysis page over the
3-year case set, and the monthly county briefing as a Word file.

Targets: home page ≤ 300 ms uncached; analysis page ≤ 300 ms; county briefing (Word) ≤ 5 s.
"""

from __future__ import annotations

import time

from _common import county_db, engine
from _pages import bench_user, report, time_get


def main() -> None:
    county_db()
    import datetime as dt

    from django.test import Client
    from django.utils import timezone

    from fanzha.analysis import services
    from fanzha.analysis.briefing import briefing_document
    from fanzha.demo.cases import build_cases
    from fanzha.cases.models import Case
    from fanzha.cases.periods import Period
    from fanzha.demo.org import BENCH_COUNTY_CODE
    from fanzha.org.models import Node

    county = Node.objects.get(code=BENCH_COUNTY_CODE)
    if not Case.objects.filter(county_id=county.id).exists():
        build_cases(root=county, per_10k_per_year=185)
    leader = bench_user("bench_county_leader", "leader", node=county)
    office = bench_user("bench_county_office", "office", node=county)
    n = Case.objects.filter(county_id=county.id).count()
    print(f"analysis bench: {engine()}; {n:,} cases in the county")
    c = Client()
    c.force_login(leader)
    report("leader home page, county (overview, no cache)", time_get(c, "/", runs=8), 300)
    if c.get("/home/panel/analysis/", headers={"HX-Request": "true"}).status_code == 200:  # panels loaded after the page
        report("leader overview panel, county (no cache)",
               time_get(c, "/home/panel/analysis/", runs=8, headers={"HX-Request": "true"}), 300)
    year = timezone.localdate().year
    for p in (str(year), str(year - 1)):
        report(f"analysis page, county, {p}", time_get(c, f"/analysis/?node={county.id}&period={p}", runs=8), 300)
    today = timezone.localdate()
    last = Period.containing(today.replace(day=1) - dt.timedelta(days=1), "month")
    times = []
    for _i in range(3):
        t0 = time.perf_counter()
        b = services.briefing_generate(user=office, node=county, period=last, today=today)
        data = briefing_document(b)
        times.append(time.perf_counter() - t0)
        b.delete()
    print(f"  monthly county briefing {last} (numbers + Word, {len(data):,} bytes)   best {min(times):.2f} s  "
          f"worst {max(times):.2f} s  target 5 s  {'OK' if max(times) <= 5 else 'SLOW'}")


if __name__ == "__main__":
    main()
