"""Targeted outreach (点对点) list for a grid at county scale: ≤ 100 ms.

    .venv/bin/python bench/outreach_targeted.py

The ranked household list of 30 grids spread over the county (selector), and
the same through the API and the page for a grid worker (full Django stack).
"""

from __future__ import annotations

from _common import engine
from _outreach import county_with_outreach, line, timed
from _pages import bench_user, time_get

TARGET_MS = 100


def main() -> None:
    county = county_with_outreach()
    from django.test import Client

    from fanzha.org.models import Household, Level, Node
    from fanzha.outreach import reports
    from fanzha.outreach import selectors as sel

    grids = list(Node.objects.filter(county_id=county.id, level=Level.GRID).order_by("id"))
    sample = grids[:: max(1, len(grids) // 30)][:30]
    print(f"targeted list bench: {engine()}; {len(grids):,} grids, "
          f"{Household.objects.filter(grid_id=sample[0].id).count()} households in a grid")
    it = iter(sample * 100)
    line("targeted list, one grid (selector, 30 grids in turn)",
         timed(lambda: sel.targeted_list(reports.SYSTEM, next(it)), runs=60, warm=2), TARGET_MS)
    worker = bench_user("bench_targeted_grid_worker", "grid_worker", node=sample[0])
    c = Client()
    c.force_login(worker)
    line("API /outreach/targeted, grid worker", time_get(c, f"/api/v1/outreach/targeted?node={sample[0].id}", runs=30), TARGET_MS)
    line("page /outreach/nodes/<grid>/targeted/, grid worker",
         time_get(c, f"/outreach/nodes/{sample[0].id}/targeted/", runs=30), TARGET_MS)
    top = sel.targeted_list(reports.SYSTEM, sample[0], limit=3)["items"]
    for cand in top:
        print(f"    {cand.address}: {'；'.join(cand.reasons)}")


if __name__ == "__main__":
    main()
