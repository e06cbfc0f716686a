"""Benchmark: resident search by name across the county (target: p95 ≤ 50 ms).

    .venv/bin/python bench/name_search.py            # SQLite, the county data set
    DATABASE_URL=postgres://... .venv/bin/python bench/name_search.py

On the county data set (bench/_common.py `county_db()`, 450,000 residents), a
county office user searches names taken from random residents, typed the ways
people type them: surname (王), surname and first character of the given name
(王建), full name (王建国), given name (建国), pinyin initials (wjg, wj). Each
search is timed as the resident list runs it: `resident_search` and the capped
pager (`CappedPaginator`: a count up to 2,000 and the first 50 rows with their
household, grid and community). The same searches are also timed through the
whole page (test client), beside the unfiltered resident list as the page's
floor, and the old `name LIKE '%x%'` query is timed on the full names as the
figure before the index.

The floor of the search is the bare indexed query: first 50 ids whose name
starts with the text, raw SQL, no scoping, joins or model instances.
The query plans of the name-prefix and initials searches are printed.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

TARGET_MS = 50.0
PEOPLE = 100  # each typed in every way below: 600 searches
KINDS = ("surname", "surname+1", "full name", "given name", "initials", "initials (2)")


def typed(name: str) -> dict[str, str]:
    from fanzha.core.names import name_keys, split_name

    surname, given = split_name(name)
    _given, initials = name_keys(name)
    return {"surname": surname, "surname+1": surname + given[:1], "full name": name, "given name": given,
            "initials": initials, "initials (2)": initials[:2]}


def line(label: str, times, target: float | None = TARGET_MS) -> float:
    wall, cpu = times
    p50, p95 = _common.percentile(wall, 50), _common.percentile(wall, 95)
    out = (f"  {label:<40} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  max {wall[-1]:8.2f} ms"
           f"  (CPU p50 {_common.percentile(cpu, 50):6.2f}  p95 {_common.percentile(cpu, 95):6.2f})")
    if target:
        out += f"  target p95 ≤ {target:.0f} ms {_common.verdict(p95, target)}"
    print(out)
    return p95


def planner_costs() -> str:
    """PostgreSQL's page costs, which decide between walking the county's index and the name indexes."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('random_page_cost'), current_setting('seq_page_cost')")
        random_cost, seq_cost = cur.fetchone()
    return f"; random_page_cost {random_cost}, seq_page_cost {seq_cost}"


def explain(sql: str, params) -> None:
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) "
    with connection.cursor() as cur:
        cur.execute(prefix + sql, params)
        for row in cur.fetchall():
            print("      " + (" | ".join(str(c) for c in row[-1:]) if connection.vendor == "sqlite" else row[0]))


def main() -> int:
    t0 = time.perf_counter()
    home = _common.county_db()  # migrates: the name keys of an existing county are filled here, once
    setup_s = time.perf_counter() - t0
    from django.db import connection
    from django.test import Client

    from fanzha.core.paging import CappedPaginator
    from fanzha.demo.org import BENCH_COUNTY_CODE
    from fanzha.org.models import Node, Resident
    from fanzha.org.selectors import resident_search
    from fanzha.org.views import PAGE_SIZE
    from lookup import bench_user

    county = Node.objects.get(code=BENCH_COUNTY_CODE)
    user = bench_user(county)
    rng = random.Random(2026)
    qs = Resident.objects.filter(county=county)
    hi = qs.order_by("-id").values_list("id", flat=True).first()
    ids = rng.sample(range(1, hi + 1), PEOPLE * 3)
    names = list(qs.filter(id__in=ids).values_list("name", flat=True)[:PEOPLE])
    searches = {kind: [typed(n)[kind] for n in names] for kind in KINDS}
    searches["given name"] = [g for g in searches["given name"] if g]
    total = qs.count()
    print(f"name search on {_common.engine()}, FANZHA_HOME={home}, {total:,} residents in the county, "
          f"{len(names)} names typed {len(KINDS)} ways (set-up and migrations {setup_s:.1f} s){planner_costs()}")

    def search(q: str):
        page = CappedPaginator(resident_search(user, q=q), PAGE_SIZE).get_page(1)
        rows = list(page.object_list)
        assert rows, q
        return page

    table = connection.ops.quote_name("org_resident")

    def floor(q: str):
        with connection.cursor() as cur:
            if connection.vendor == "sqlite":
                cur.execute(f"SELECT id FROM {table} WHERE name >= %s AND name < %s LIMIT 50", [q, q + "\U0010ffff"])
            else:
                cur.execute(f"SELECT id FROM {table} WHERE name LIKE %s LIMIT 50", [q + "%"])
            assert cur.fetchall()

    def old_contains(q: str):
        page = CappedPaginator(Resident.objects.filter(county=county, name__contains=q)
                               .select_related("household", "grid", "community").order_by("id"), PAGE_SIZE).get_page(1)
        assert list(page.object_list)

    for kind in KINDS:  # warm the caches and code paths
        _common.timings(search, searches[kind][:20])
    worst = 0.0
    everything = ([], [])
    for kind in KINDS:
        wall, cpu = _common.timings(search, searches[kind])
        everything[0].extend(wall)
        everything[1].extend(cpu)
        worst = max(worst, line(f"search by {kind}", (wall, cpu)))
    everything = (sorted(everything[0]), sorted(everything[1]))
    overall = line("all searches", everything)
    line("floor: bare name-prefix query, 50 ids", _common.timings(floor, searches["full name"]), None)
    line("before: name LIKE '%x%', full names", _common.timings(old_contains, searches["full name"][:50]), None)
    page_sample = [searches[k][i] for i in range(10) for k in KINDS]
    c = Client()
    c.force_login(user)

    def page(q: str):
        r = c.get(f"/residents/?q={quote(q)}")
        assert r.status_code == 200

    page("王")
    line("resident list page, search by name", _common.timings(page, page_sample), None)
    line("floor: resident list page, no search", _common.timings(lambda _q: page(""), page_sample[:20]), None)

    print("  query plans (county office, first page):")
    for label, q in (("surname", "王"), ("full name", searches["full name"][0]), ("initials", "wj")):
        sql, params = resident_search(user, q=q)[:PAGE_SIZE].query.sql_with_params()
        print(f"    {label} {q!r}:")
        explain(sql, params)
    print(f"  load average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    return 0 if overall <= TARGET_MS else 2


if __name__ == "__main__":
    sys.exit(main())
