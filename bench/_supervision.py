"""Shared set-up of the supervision benchmarks: the county data set with five years of supervision records."""

from __future__ import annotations

import time

from _common import county_db


def supervision_county():
    """The bench county (built once) with its streets' plans, meetings and visits (added once)."""
    county_db()
    from fanzha.demo.org import BENCH_COUNTY_CODE
    from fanzha.org.models import Node
    from fanzha.demo.supervision import load_county
    from fanzha.supervision.models import Plan

    county = Node.objects.get(code=BENCH_COUNTY_CODE)
    if not Plan.objects.filter(county_id=county.id).exists():
        t0 = time.perf_counter()
        load_county(county, stdout=_Out())
        print(f"built five years of supervision records in {time.perf_counter() - t0:.1f} s (once)")
    return county


class _Out:
    def write(self, text: str) -> None:
        print(text)


def counts(county) -> str:
    from fanzha.supervision.models import Measure, Meeting, Plan, Rectification, Responsibility, Visit

    q = {"county_id": county.id}
    return (f"{Plan.objects.filter(**q).count():,} plans, {Measure.objects.filter(**q).count():,} measures and tasks, "
            f"{Responsibility.objects.filter(**q).count():,} responsibilities, {Meeting.objects.filter(**q).count():,} "
            f"meetings, {Visit.objects.filter(**q).count():,} visits, {Rectification.objects.filter(**q).count():,} "
            f"rectifications")


def cpu_ms(client, url: str, *, runs: int = 20) -> float:
    """Median CPU time of this process per GET (with SQLite the database work is in it too): what the
    server did, whatever else the machine is busy with."""
    client.get(url)
    times = []
    for _ in range(runs):
        t0 = time.process_time()
        r = client.get(url)
        if hasattr(r, "streaming_content"):
            b"".join(r.streaming_content)
        times.append((time.process_time() - t0) * 1000)
    times.sort()
    return times[len(times) // 2]
