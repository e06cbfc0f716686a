"""Built-in demo data: the demo street of `fanzha demo` and the county-scale data set of the benchmarks.

Everything is fictitious. One module per app builds that app's part:

- `org` — the tree, households, residents, units, staff and users
  (split by what it builds: `tree`, `people`, `staff`, `users`, written in
  bulk through `rows`);
- `cases`, `outreach`, `alerts`, `risk`, `clues`, `supervision`, `duties`,
  `assessment` — each with `load_demo(street, stdout)` for the demo street
  and `load_county(county, stdout)` for the county data set, registered in
  `LOADERS` in the order they must run.

`load_street()` and `load_county()` run the whole thing. The demo writes in
bulk, beside the services, so it ends by doing what the services would have
done after each write (`refresh`): the head counts of every node are counted
again and the cached figures of the nodes written under are dropped.
"""

from __future__ import annotations

from importlib import import_module

#: Each app's demo data, loaded after the org tree, in this order: duties tags outreach's activities,
#: assessment reads the cases, files, findings and criticism the others made.
LOADERS = ("cases", "outreach", "alerts", "risk", "clues", "supervision", "duties", "assessment")


def loaders():
    """The loader modules (`fanzha.demo.<app>`) in load order."""
    return [import_module(f"fanzha.demo.{name}") for name in LOADERS]


def load_street(*, stdout=None):
    """Build the demo street and every app's demo data on it, then refresh (`refresh`); return the street.

    Run it in one transaction (the caller's): a first start interrupted half-way
    leaves no half-built street behind. Only when no node with code DEMO exists.
    """
    from fanzha.demo import org
    from fanzha.org.models import Node

    org.build_demo_street(stdout=stdout)
    street = Node.objects.get(code=org.DEMO_STREET_CODE)
    for module in loaders():
        module.load_demo(street, stdout=stdout)
    refresh(street)
    return street


def load_county(*, stdout=None, **sizes) -> dict:
    """Build the county-scale data set and every app's data on it, then refresh; return the org row counts."""
    from fanzha.demo import org
    from fanzha.org.models import Node

    counts = org.build_county(stdout=stdout, **sizes)
    county = Node.objects.get(code=org.BENCH_COUNTY_CODE)
    for module in loaders():
        module.load_county(county, stdout=stdout)
    refresh(county)
    return counts


def refresh(root) -> None:
    """After a bulk load under `root`: what the services refresh after their writes.

    1. Head counts: every node counted again (`fanzha.org.counts.recount_all`),
       so home pages agree with the records at once.
    2. Cached figures of the root and its ancestors dropped (home-page figures and outreach roll-ups).
    Risk's premises tallies and the sweeps' counts are rebuilt by the risk loader itself.
    """
    from fanzha.org.counts import recount_all
    from fanzha.org.figures import refresh_after_bulk_write

    recount_all()
    refresh_after_bulk_write(root)
