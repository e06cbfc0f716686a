"""The query plans of the hot reads on the city data set: EXPLAIN (ANALYZE, BUFFERS) of each one's slowest queries.

    DATABASE_URL=postgres://…/fz_city FANZHA_BENCH_DB=var/bench/city .venv/bin/python bench/city_plans.py

On the city built by bench/build_city.py (3,000,000 residents in 20 counties; PostgreSQL), as a county
office user of BENCH-K: the resident look-up by phone, by ID number and by name, the resident list page
searched by a surname, the case statistics API
of the county and the county's outreach roll-up. Each is run once to warm up, then once with its SQL
captured; the `CITY_PLANS_TOP` (default 2) slowest SELECTs of each are explained with ANALYZE and BUFFERS,
so the output shows which index each query walks and how many rows and pages it touched beside the time.
What makes them fast at city scale is written down there: every scoped read leads with an indexed
ancestor column (county_id, street_id, …) or an exact keyed hash, never a scan of the city's rows.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import sys

from _common import county_db, engine
from _pages import bench_user


PLUMBING = re.compile(r'FROM "(core_|django_|auth_|org_user|org_assignment)')


def page_cost() -> str:
    """The planner's random page cost: at 4 (the default) it walks the county's 150,000 ids for a surname."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('random_page_cost')")
        return cur.fetchone()[0]


def main() -> int:
    county_db()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from fanzha.cases.models import Case
    from fanzha.demo.org import BENCH_COUNTY_CODE
    from fanzha.org.models import Node, Resident
    from fanzha.org.selectors import resident_search
    from fanzha.outreach import reports
    from fanzha.outreach import selectors as sel
    from fanzha.outreach.periods import preset

    if connection.vendor != "postgresql":
        print("city_plans explains PostgreSQL's plans: run it with DATABASE_URL=postgres://…")
        return 1
    top = int(os.environ.get("CITY_PLANS_TOP", 2))
    county = Node.objects.get(code=BENCH_COUNTY_CODE)
    office = bench_user("bench_county_office", "office", node=county)
    rng = random.Random(7)
    ids = list(Resident.objects.filter(county_id=county.id).exclude(phone_hash="").values_list("id", flat=True)[:2000])
    person = Resident.objects.get(pk=rng.choice(ids))
    today = timezone.localdate()
    period = preset("semimonth", today)
    client = Client()
    client.force_login(office)
    print(f"city plans: {engine()}; {Resident.objects.count():,} residents in all, "
          f"{Resident.objects.filter(county_id=county.id).count():,} in {county.code}, "
          f"{Case.objects.filter(county_id=county.id).count():,} cases there; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; "
          f"random_page_cost {page_cost()}")

    def api(url):
        def get():
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)
        return get

    operations = (
        ("resident look-up by phone", lambda: list(resident_search(office, q=person.phone)[:5])),
        ("resident look-up by ID number", lambda: list(resident_search(office, q=person.id_number)[:5])),
        ("resident look-up by name", lambda: list(resident_search(office, q=person.name)[:50])),
        # The list page's capped count of a one-character name search: the slowest read found on the city.
        ("resident list searched by surname (page), county", api(f"/residents/?q={person.name[:1]}")),
        ("case statistics API, county", api(f"/api/v1/stats/cases?node={county.id}")),
        ("outreach roll-up, county", lambda: sel.rollup(reports.SYSTEM, county, period=period,
                                                         since=dt.date(today.year, 1, 1))),
    )
    for label, fn in operations:
        fn()
        with CaptureQueriesContext(connection) as captured:
            fn()
        # The data's reads; the session, user and rate-limit look-ups of every request are left out.
        selects = [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
                   and not PLUMBING.search(q["sql"].split(" WHERE ")[0])]
        selects.sort(key=lambda q: float(q["time"]), reverse=True)
        total = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        print(f"\n== {label}: {len(captured.captured_queries)} queries, {total:.1f} ms in the database; "
              f"the {min(top, len(selects))} slowest explained")
        for q in selects[:top]:
            print(f"-- {float(q['time']) * 1000:.1f} ms as timed in the run: {q['sql'][:600]}"
                  f"{' …' if len(q['sql']) > 600 else ''}")
            with connection.cursor() as cur:
                cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {q['sql']}")
                for (row,) in cur.fetchall():
                    print(f"   {row}")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
