"""Home page and resident list at county scale: server time against 150 ms.

For a county-wide office user and for a grid worker, through the full Django
stack in process (the test client), p95 of 20 runs after 2 warm-up runs.
"""

from __future__ import annotations

import platform
import sys

from _common import county_db, engine
from _pages import bench_user, report, time_get

TARGET_MS = 150


def main() -> None:
    county_db()
    from django.test import Client

    from fanzha.org.demo import BENCH_COUNTY_CODE
    from fanzha.org.models import Level, Node, Resident

    county = Node.objects.get(code=BENCH_COUNTY_CODE)
    grid = Node.objects.filter(county_id=county.id, level=Level.GRID).order_by("id").first()
    office = bench_user("bench_county_office", "office", node=county)
    worker = bench_user("bench_grid_worker", "grid_worker", node=grid)
    someone = Resident.objects.filter(grid_id=grid.id).first()
    print(f"pages bench: {engine()}, {platform.processor() or platform.machine()}, python {sys.version.split()[0]}; "
          f"{Resident.objects.filter(county_id=county.id).count():,} residents in the county")
    from django.core.cache import cache

    class ColdClient(Client):
        """Every request without cached figures: the first view after the TTL ran out."""

        def get(self, *a, **kw):
            cache.clear()
            return super().get(*a, **kw)

    c = ColdClient()
    c.force_login(office)
    report("home page, county office, figures not cached (cold)", time_get(c, "/", runs=5), TARGET_MS)
    for label, user in (("county office", office), ("grid worker", worker)):
        c = Client()
        c.force_login(user)
        report(f"home page, {label}", time_get(c, "/"), TARGET_MS)
        report(f"resident list, {label}", time_get(c, "/residents/"), TARGET_MS)
        report(f"resident list search by name, {label}", time_get(c, f"/residents/?q={someone.name[:1]}"), TARGET_MS)


if __name__ == "__main__":
    main()
