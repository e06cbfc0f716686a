"""Risk work at county scale (~5,000 key persons, ~30,000 premises, a year of weekly sweeps).

Each line gives wall-clock server time and, beside it, the CPU time of the process (SQLite runs
in process, so that is the server's own work): on a shared, overloaded machine the wall clock
mostly measures waiting for a core, the CPU time does not.

Targets (server time, through the full Django stack in process):
- the overdue-review list for the county: 100 ms;
- the risk figures page for the county: 300 ms;
- recording one checked person during a sweep: 50 ms.
"""

from __future__ import annotations

import json
import time

from _common import county_db, engine, percentile, verdict
from _pages import bench_user


def _stats(values: list[float]) -> dict:
    values = sorted(values)
    return {"p50": percentile(values, 50), "p95": percentile(values, 95), "max": values[-1]}


def measure(call, runs: int = 20, warm: int = 2) -> tuple[dict, dict]:
    """(wall, cpu) timings in ms of `call()`, which must return a response with the expected status."""
    for _ in range(warm):
        call()
    wall, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return _stats(wall), _stats(cpu)


def report(label: str, timings: tuple[dict, dict], target_ms: float) -> None:
    wall, cpu = timings
    print(f"  {label:<52} wall p50 {wall['p50']:6.1f} p95 {wall['p95']:6.1f} ms | cpu p50 {cpu['p50']:6.1f} "
          f"p95 {cpu['p95']:6.1f} ms  target {target_ms:.0f} ms  cpu {verdict(cpu['p95'], target_ms)}")


def get_ok(client, url: str):
    def call():
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
    return call


def main() -> None:
    county_db()
    from django.test import Client
    from django.utils import timezone

    from fanzha.demo.org import BENCH_COUNTY_CODE
    from fanzha.org.models import Level, Node, Resident
    from fanzha.demo.risk import load_county
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
    report("overdue-review list page, county", measure(get_ok(c, f"/risk/people/overdue/?node={county.id}")), 100)
    report("overdue-review API, county", measure(get_ok(c, f"/api/v1/risk/key-persons/overdue?node={county.id}")), 100)
    report("risk figures page, county, this year", measure(get_ok(c, f"/risk/figures/?node={county.id}")), 300)
    report("risk figures API, county, this year", measure(get_ok(c, f"/api/v1/risk/figures?node={county.id}")), 300)

    # Recording checked people: a grid worker's sweep of one grid, each POST one resident (first check, then an update).
    grid = Node.objects.filter(county_id=county.id, level=Level.GRID).order_by("id")[5]
    worker = bench_user("bench_risk_grid_worker", "grid_worker", node=grid)  # its own: pages.py's works another grid
    sweep = sw.sweep_create(user=worker, held_on=timezone.localdate(), grids=[grid])
    residents = list(Resident.objects.filter(grid_id=grid.id).values_list("id", flat=True)[:60])
    g = Client()
    g.force_login(worker)
    url = f"/api/v1/risk/sweeps/{sweep.id}/people"
    for rid in residents[:2]:  # warm
        assert g.post(url, json.dumps({"resident_id": rid}), content_type="application/json").status_code == 200
    for label, ids in (("first check", residents[2:42]), ("second check (update)", residents[2:22])):
        it = iter(ids)

        def call():
            r = g.post(url, json.dumps({"resident_id": next(it), "no_regular_job": True}), content_type="application/json")
            assert r.status_code == 200, r.content
        report(f"record one checked person (API), {label}", measure(call, runs=len(ids), warm=0), 50)
    it2 = iter(residents[42:60])

    def page_call():
        r = g.post(f"/risk/sweeps/{sweep.id}/people/", {"resident": next(it2)})
        assert r.status_code == 302
    report("record one checked person (page form)", measure(page_call, runs=18, warm=0), 50)
    sweep.delete()


if __name__ == "__main__":
    main()
