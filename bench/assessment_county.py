"""Fraud-free assessment at county scale (150 communities, 3,000 units, 60,000 staff with families).

Targets:
- assessing every community and unit of the county (one run per street: every criterion computed
  from cases, key-person files, den findings, criticism, installs, activities, sweeps, screening,
  and every verdict written): 10 s;
- one community's evidence page (the office's view of a stored verdict, and the community's own
  view, recomputed live from the records): 200 ms.

The runs are made inside a transaction that is rolled back, so the data set is left as it was.
The cases, risk and supervision county data are loaded once if the data set lacks them (that takes
minutes; on a shared machine point FANZHA_BENCH_DB at a copy of the county set so others' benches
are not locked out while it loads).
Wall clock and CPU time are both printed: on a shared machine the wall clock mostly measures
waiting for a core.
"""

from __future__ import annotations

import time

from _common import county_db, engine, verdict
from _pages import bench_user


def main() -> None:
    county_db()
    from django.db import transaction
    from django.test import Client

    from fanzha.assessment import services
    from fanzha.assessment.models import Verdict
    from fanzha.cases.models import Case
    from fanzha.demo.org import BENCH_COUNTY_CODE
    from fanzha.org.models import FamilyMember, Level, Node, StaffMember, Unit
    from fanzha.risk.models import KeyPerson
    from fanzha.supervision.models import Plan

    county = Node.objects.get(code=BENCH_COUNTY_CODE)
    for module, probe in (("fanzha.demo.cases", Case), ("fanzha.demo.risk", KeyPerson), ("fanzha.demo.supervision", Plan)):
        if not probe.objects.filter(county_id=county.id).exists():
            from importlib import import_module

            t0 = time.perf_counter()
            import_module(module).load_county(county)
            print(f"loaded {module} county data in {time.perf_counter() - t0:.1f} s (once)")
    streets = list(Node.objects.filter(county=county, level=Level.STREET).order_by("sort", "code"))
    print(f"assessment bench: {engine()}; {len(streets)} streets, "
          f"{Node.objects.filter(county=county, level=Level.COMMUNITY).count()} communities, "
          f"{Unit.objects.filter(county=county).count():,} units, {StaffMember.objects.filter(county=county).count():,} staff, "
          f"{FamilyMember.objects.filter(county=county).count():,} family members, "
          f"{Case.objects.filter(county=county).count():,} cases, {KeyPerson.objects.filter(county=county).count():,} key persons")
    office = bench_user("bench_county_office", "office", node=county)
    year = str(max(Case.objects.filter(county=county).dates("reported_on", "year")).year - 1) \
        if Case.objects.filter(county=county).exists() else "2025"

    class Rollback(Exception):
        pass

    page_runs = 10
    try:
        with transaction.atomic():
            t0, c0 = time.perf_counter(), time.process_time()
            runs = [services.assessment_open(street=s, period=year, user=office) for s in streets]
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            n = Verdict.objects.filter(assessment__in=runs).count()
            fails = Verdict.objects.filter(assessment__in=runs, computed="fail").count()
            print(f"  assess the county ({year}; {n:,} verdicts, {fails:,} failing a computed criterion)"
                  f"  wall {wall:6.2f} s | cpu {cpu:6.2f} s  target 10 s  cpu {verdict(cpu, 10)}")
            v = Verdict.objects.filter(assessment=runs[0], kind="community").order_by("sort").first()
            c = Client()
            c.force_login(office)
            community_user = bench_user(f"bench_assess_comm_{v.subject_id}", "community", node=v.subject)
            c2 = Client()
            c2.force_login(community_user)
            for label, client in (("office", c), ("community, live", c2)):
                url = f"/assessment/verdicts/{v.pk}/"
                for _ in range(2):
                    assert client.get(url).status_code == 200
                walls, cpus = [], []
                for _ in range(page_runs):
                    t0, c0 = time.perf_counter(), time.process_time()
                    r = client.get(url)
                    assert r.status_code == 200
                    walls.append((time.perf_counter() - t0) * 1000)
                    cpus.append((time.process_time() - c0) * 1000)
                walls.sort(), cpus.sort()
                print(f"  one community's evidence page ({label:<15}) wall p50 {walls[len(walls)//2]:6.1f} max {walls[-1]:6.1f} ms"
                      f" | cpu p50 {cpus[len(cpus)//2]:6.1f} max {cpus[-1]:6.1f} ms  target 200 ms  cpu {verdict(cpus[-1], 200)}")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
