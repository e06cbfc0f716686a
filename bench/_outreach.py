"""Shared set-up of the outreach benchmarks: the county data set with a year of outreach."""

from __future__ import annotations

import os
import time

from _common import county_db


def county_with_outreach():
    """The county node, with `fanzha.demo.outreach.build_outreach` run on it once (about 25 s)."""
    county_db()
    from fanzha.demo.org import BENCH_COUNTY_CODE
    from fanzha.org.models import Node
    from fanzha.outreach.models import HomeVisit

    county = Node.objects.get(code=BENCH_COUNTY_CODE)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    if not HomeVisit.objects.filter(county_id=county.id).exists():
        from django.db import connection

        from fanzha.demo.outreach import build_outreach

        t0 = time.perf_counter()
        counts = build_outreach(county)
        print(f"built a year of outreach in {time.perf_counter() - t0:.1f} s (once): {counts}")
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                # a freshly bulk-loaded table has no visibility map yet (autovacuum would set it in time)
                for table in ("outreach_homevisit", "outreach_visityear", "outreach_installstatus", "outreach_activity",
                              "outreach_wechatpush", "org_resident", "org_household", "org_staffmember"):
                    cur.execute(f"VACUUM ANALYZE {table}")
            else:
                cur.execute("ANALYZE")
    return county


def timed(fn, *, runs: int, warm: int = 1) -> dict:
    """p50 / p95 / max in ms of fn() after `warm` warm-up calls, and the p95 of this thread's CPU time
    (SQLite runs in it: the figure the machine's other load inflates least)."""
    from _common import percentile

    for _ in range(warm):
        fn()
    times, cpu = [], []
    for _ in range(runs):
        c0, t0 = time.thread_time(), time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    times.sort()
    cpu.sort()
    return {"p50": percentile(times, 50), "p95": percentile(times, 95), "max": times[-1], "cpu95": percentile(cpu, 95)}


def line(label: str, t: dict, target_ms: float) -> None:
    from _common import verdict

    cpu = f"  (CPU p95 {t['cpu95']:6.1f})" if "cpu95" in t else ""
    print(f"  {label:<62} p50 {t['p50']:8.1f} ms  p95 {t['p95']:8.1f} ms{cpu}  target {target_ms:.0f} ms  "
          f"p50 {verdict(t['p50'], target_ms)} · p95 {verdict(t['p95'], target_ms)}")
