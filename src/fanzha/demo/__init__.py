"""Built-in demo data: the demo street of `fanzha demo` and the county-scale data set of the benchmarks.

Everything is fictitious. One module per app builds that app's part:

- `org` — the tree, households, residents, units, staff and users
  (split by what it builds: `tree`, `people`, `staff`, `users`, written in
  bulk through `rows`);
- `cases`, `outreach`, `alerts`, `risk`, `clues`, `supervision`, `duties`,
  `assessment`, `analysis` — each with `load_demo(street, stdout)` for the demo street
  and `load_county(county, stdout)` for the county data set, registered in
  `LOADERS` in the order they must run.

`load_street()` and `load_county()` run the whole thing; `load_city()` builds
the city's org data only (`city`: twenty counties in their own transactions). The demo writes in
bulk, beside the services, so it ends by doing what the services would have
done after each write (`refresh`): the head counts of every node are counted
again.
"""

from __future__ import annotations

from importlib import import_module

#: Each app's demo data, loaded after the org tree, in this order: duties tags outreach's activities,
#: assessment reads the cases, files, findings and criticism the others made, analysis's briefing all of them.
LOADERS = ("cases", "outreach", "alerts", "risk", "clues", "supervision", "duties", "assessment", "analysis")


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


def load_city(*, stdout=None, **sizes) -> dict:
    """Build the city-scale data set (`fanzha.demo.city.build_city`, org data only: twenty counties'
    worth of residents, each county counted in its own transaction); return the row counts."""
    from fanzha.demo.city import build_city

    return build_city(stdout=stdout, **sizes)


def refresh(root) -> None:
    """After a bulk load under `root`: what the services refresh after their writes.

    The org services keep every node's head counts (`NodeCounts`) in step with each record they write;
    the demo writes in bulk beside them, so every node is counted again (`fanzha.org.counts.recount_all`,
    in the caller's transaction) and home pages agree with the records at once. Risk's premises tallies
    and the sweeps' counts are rebuilt by the risk loader itself; alerts, clues and supervision records
    that need their side effects (routing, escalation, deadlines) go through the services there.
    Nothing else the pages read is derived and stored: the figures caches of clues and analysis are
    time-limited by design, as after a service write.
    """
    from fanzha.org.counts import recount_all

    recount_all()
