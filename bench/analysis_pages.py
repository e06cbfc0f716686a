"""Analysis at county scale: the leader's home page (with the overview), the analysis page over the
3-year case set, and the monthly county briefing as a Word file.

Targets: home page ≤ 300 ms uncached, ≤ 50 ms cached; analysis page ≤ 300 ms; county briefing (Word) ≤ 5 s.

The machine is shared, so the cached panels fragment is also printed against a floor measured in the same run:
the same fragment for a grid worker of the county (same stack and templates, one grid's rows). A ratio near 1
means the county leader's panels cost what the smallest scope's do: nothing in them grows with the county.
"""

from __future__ import annotations

import os
import time

from _common import county_db, engine, percentile
from _pages import bench_user, report, time_get


def time_cold(client, url: str, *, runs: int, headers: dict) -> dict:
    """Like `time_get`, with the cache emptied before every request."""
    from django.core.cache import cache

    times, cpu = [], []
    for _i in range(runs):
        cache.clear()
        c0, t0 = time.thread_time(), time.perf_counter()
        r = client.get(url, headers=headers)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        assert r.status_code == 200, (url, r.status_code)
    times.sort()
    cpu.sort()
    return {"p50": percentile(times, 50), "p95": percentile(times, 95), "max": times[-1],
            "cpu50": percentile(cpu, 50), "cpu95": percentile(cpu, 95)}


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
    grid = Node.objects.filter(county_id=county.id, level="grid").order_by("id").first()
    grid_worker = bench_user("bench_county_grid_worker", "grid_worker", node=grid)
    print(f"analysis bench: {engine()}; {n:,} cases in the county; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    c = Client()
    c.force_login(leader)
    report("leader home page, county (panels load after it)", time_get(c, "/", runs=8), 300)
    hx = {"HX-Request": "true"}
    # the panels fragment holds the overview: cold = the cache emptied before each request (figures, head counts
    # and all: the first view after the figures' lifetime), warm = the overview kept (FANZHA_FIGURES_TTL)
    report("leader home panels (overview), county, cold", time_cold(c, "/home/panels/", runs=8, headers=hx), 300)
    gw = Client()
    gw.force_login(grid_worker)
    floor = time_get(gw, "/home/panels/", runs=20, headers=hx)
    report("floor: grid worker's home panels, one grid, cached", floor, 50)
    panels = time_get(c, "/home/panels/", runs=20, headers=hx)
    report("leader home panels (overview), county, cached", panels, 50)
    print(f"    against the floor: wall p50 {panels['p50'] / floor['p50']:.2f}x, CPU p50 "
          f"{panels['cpu50'] / floor['cpu50']:.2f}x (load average {os.getloadavg()[0]:.1f})")
    from fanzha.analysis.overview import home_overview
    from fanzha.org import selectors as org_selectors

    roots = org_selectors.scope_roots(leader)
    times, cpu = [], []
    for _i in range(8):
        c0, t0 = time.thread_time(), time.perf_counter()
        home_overview(leader, roots, fresh=True)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    times.sort()
    cpu.sort()
    report("overview alone, county, recounted", {"p50": percentile(times, 50), "p95": percentile(times, 95),
                                                 "max": times[-1], "cpu50": percentile(cpu, 50),
                                                 "cpu95": percentile(cpu, 95)}, 300)
    times, cpu = [], []
    for _i in range(20):
        c0, t0 = time.perf_counter(), time.thread_time()
        home_overview(leader, roots)
        times.append((time.perf_counter() - c0) * 1000)
        cpu.append((time.thread_time() - t0) * 1000)
    times.sort()
    cpu.sort()
    report("overview alone, county, cached", {"p50": percentile(times, 50), "p95": percentile(times, 95),
                                              "max": times[-1], "cpu50": percentile(cpu, 50),
                                              "cpu95": percentile(cpu, 95)}, 50)
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
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
