"""Clue figures at county scale (a year of ~50,000 clues over 10 streets): server time against 200 ms.

    .venv/bin/python bench/clues_figures.py

The figures page and the figures API for the whole county, one street and one
community, through the full Django stack in process (bench/_pages.py), on the
county data set (bench/_common.py `county_db()`); the year of clues is built
once into that data set by `fanzha.clues.demo.load_county` (the same loader
`fanzha demo --scale county` runs). The queue page and the .xlsx ledger of one
street are timed too (no target: for the record).
"""

from __future__ import annotations

import time

from _common import county_db, engine
from _pages import bench_user, report, time_get

TARGET_MS = 200


def main() -> None:
    county_db()
    from django.test import Client

    from fanzha.clues.demo import load_county
    from fanzha.clues.models import Clue, Handoff
    from fanzha.org.demo import BENCH_COUNTY_CODE
    from fanzha.org.models import Level, Node

    county = Node.objects.get(code=BENCH_COUNTY_CODE)
    if not Clue.objects.filter(county_id=county.id).exists():
        t0 = time.perf_counter()
        n = load_county(county)
        print(f"built {n:,} clues in {time.perf_counter() - t0:.1f} s (once)")
    street = Node.objects.filter(county_id=county.id, level=Level.STREET).order_by("sort", "code").first()
    community = Node.objects.filter(street_id=street.id, level=Level.COMMUNITY).order_by("sort", "code").first()
    office = bench_user("bench_county_office", "office", node=county)
    street_office = bench_user("bench_clue_street_office", "office", node=street)
    comm_user = bench_user("bench_community", "community", node=community)
    n = Clue.objects.filter(county_id=county.id).count()
    h = Handoff.objects.filter(county_id=county.id).count()
    print(f"clue figures bench: {engine()}; {n:,} clues and {h:,} hand-offs in the county over a year")
    period = "period=recent"
    for label, user, node in (("county", office, county), ("one street", street_office, street),
                              ("one community", comm_user, community)):
        c = Client()
        c.force_login(user)
        start_end = "start={}&end={}".format(*_year())
        report(f"figures page, {label}, one year", time_get(c, f"/clues/figures/?node={node.id}&{start_end}"), TARGET_MS)
        report(f"figures API, {label}, one year", time_get(c, f"/api/v1/clues/figures?node={node.id}&{start_end}"), TARGET_MS)
    c = Client()
    c.force_login(street_office)
    report("queue page, one street (for the record)", time_get(c, "/clues/?tab=all", runs=10), TARGET_MS)
    t0 = time.perf_counter()
    r = c.get(f"/clues/figures.xlsx?node={street.id}&{period}")
    size = len(b"".join(r.streaming_content))
    print(f"  ledger .xlsx, one street, six months: {(time.perf_counter() - t0) * 1000:.0f} ms, {size / 1024:.0f} KB (for the record)")


def _year():
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    return (today - dt.timedelta(days=364)).isoformat(), today.isoformat()


if __name__ == "__main__":
    main()
