"""Risk work at county scale (~5,000 key persons, ~30,000 premises, a year of weekly sweeps).

Targets (server time, through the full Django stack in process):
- the overdue-review list for the county: 100 ms;
- the risk figures page for the county: 300 ms;
- recording one checked person during a sweep: 50 ms.
"""

from __future__ import annotations

import json
import time

from _common import county_db, engine, percentile, verdict
from _pages import bench_user, report, time_get


def main() -> None:
    county_db()
    from django.test import Client
    from django.utils import timezone

    from fanzha.org.demo import BENCH_COUNTY_CODE
    from fanzha.org.models import Level, Node, Resident
    from fanzha.risk.demo import load_county
    from fanzha.risk.models import KeyPerson, Premises, PremisesCheck, Sweep, SweepPerson
    from fanzha.risk.services import sweeps as sw

    county = Node.objects.get(code=BENCH_COUNTY_CODE)
    if not KeyPerson.objects.filter(county_id=county.id).exists():
        t0 = time.perf_counter()
        load_county(county)
        print(f"built the risk data set in {time.perf_counter() - t0:.1f} s (once)")
    print(f"risk bench: {engine()}; {KeyPerson.objects.filter(county_id=county.id).count():,} key persons, "
          f"{Premises.objects.filter(county_id=county.id).count():,} premises, "
          f"{PremisesCheck.objects.filter(county_id=county.id).count():,} checks, "
          f"{Sweep.objects.filter(county_id=county.id).count():,} sweeps, "
          f"{SweepPerson.objects.filter(county_id=county.id).count():,} people checked")
    office = bench_user("bench_county_office", "office", node=county)
    c = Client()
    c.force_login(office)
    report("overdue-review list page, county", time_get(c, f"/risk/people/overdue/?node={county.id}"), 100)
    report("overdue-review API, county", time_get(c, f"/api/v1/risk/key-persons/overdue?node={county.id}"), 100)
    report("risk figures page, county, this year", time_get(c, f"/risk/figures/?node={county.id}"), 300)
    report("risk figures API, county, this year", time_get(c, f"/api/v1/risk/figures?node={county.id}"), 300)

    # Recording checked people: a grid worker's sweep of one grid, each POST one resident (first check, then an update).
    grid = Node.objects.filter(county_id=county.id, level=Level.GRID).order_by("id")[5]
    worker = bench_user("bench_grid_worker", "grid_worker", node=grid)
    sweep = sw.sweep_create(user=worker, held_on=timezone.localdate(), grids=[grid])
    residents = list(Resident.objects.filter(grid_id=grid.id).values_list("id", flat=True)[:60])
    g = Client()
    g.force_login(worker)
    url = f"/api/v1/risk/sweeps/{sweep.id}/people"
    for rid in residents[:2]:  # warm
        assert g.post(url, json.dumps({"resident_id": rid}), content_type="application/json").status_code == 200
    for label, ids in (("first check", residents[2:42]), ("second check (update)", residents[2:22])):
        times = []
        for rid in ids:
            t0 = time.perf_counter()
            r = g.post(url, json.dumps({"resident_id": rid, "no_regular_job": True}), content_type="application/json")
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, r.content
        times.sort()
        t = {"p50": percentile(times, 50), "p95": percentile(times, 95), "max": times[-1]}
        report(f"record one checked person (API), {label}", t, 50)
    page_times = []
    for rid in residents[42:60]:
        t0 = time.perf_counter()
        r = g.post(f"/risk/sweeps/{sweep.id}/people/", {"resident": rid})
        page_times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 302
    page_times.sort()
    report("record one checked person (page form, redirect)", {"p50": percentile(page_times, 50),
                                                                 "p95": percentile(page_times, 95), "max": page_times[-1]}, 50)
    sweep.delete()
    _ = verdict


if __name__ == "__main__":
    main()
