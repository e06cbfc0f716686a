"""The city-scale data set: twenty counties' worth of residents (3,000,000 by default) in one database.

Used by `fanzha demo --scale city` and bench/build_city.py, on PostgreSQL (on SQLite it works, slowly:
one writer at a time). The first county is the benchmarks' county code ``BENCH-K``, so the county
benchmarks run on one county of the city; the others are ``CITY-K02`` … Each county is
`fanzha.demo.org.build_county` with a smaller shape (150,000 residents: 10 streets, 5 communities
each, 10 grids, 10 household groups, 10 households of about 3), in its own transaction.
"""

from __future__ import annotations

import multiprocessing
import random
import resource
import time

from fanzha.demo.org import BENCH_COUNTY_CODE, build_county
from fanzha.demo.people import BENCH_LOCAL_REGIONS, People

CITY_COUNTY_NAMES = ("东江县", "西岭县", "南溪县", "北原县", "青田区", "松阳区", "云和县", "龙湾区", "瑞安市", "乐清市",
                     "永嘉县", "文成县", "泰顺县", "平阳县", "苍南县", "洞头区", "鹿城区", "瓯海区", "江山市", "常山县")
#: Residents per household group in the city's counties (10 households of 3 on average).
_PER_GROUP = 30
#: Streets, grids per community and groups per grid of a city county; communities per street follow from the size.
_STREETS, _GRIDS, _GROUPS = 10, 10, 10


def city_county_code(i: int) -> str:
    """The node code of the city's county number i (0-based): the first is the benchmarks' county."""
    return BENCH_COUNTY_CODE if i == 0 else f"CITY-K{i + 1:02d}"


def city_county_name(i: int) -> str:
    return CITY_COUNTY_NAMES[i] if i < len(CITY_COUNTY_NAMES) else f"第{i + 1}县"


def county_shape(residents_per_county: int) -> dict:
    """build_county's keyword arguments for a county of exactly `residents_per_county` residents."""
    per_street = _GRIDS * _GROUPS * _PER_GROUP * _STREETS
    if residents_per_county % per_street:
        raise ValueError(f"residents_per_county must be a multiple of {per_street:,}")
    return {"streets": _STREETS, "communities_per_street": residents_per_county // per_street,
            "grids_per_community": _GRIDS, "groups_per_grid": _GROUPS, "households_per_group": 10,
            "residents_per_household": 3, "units": residents_per_county // 150, "staff_per_unit": 20}


def build_city(*, counties: int = 20, residents_per_county: int = 150_000, workers: int = 2, seed: int = 2026,
               stdout=None) -> dict:
    """Build `counties` counties of `residents_per_county` residents each; return the summed row counts.

    1. The counties are shared out between `workers` processes (county i to worker i mod workers): on two
       cores one process builds rows (names, ID numbers, encryption) while the database writes the other's.
       Connections are closed before the fork; each worker opens its own.
    2. Each worker draws people from its own `People`, with its own range of ID sequence numbers, so ID
       numbers stay distinct across the whole city.
    3. Each county is one transaction (`build_county`: tree, households, residents, units, staff, family,
       planner statistics, head counts), so a failure keeps the counties already built and nothing half-built.
    Adds "peak_rss_mb": the largest peak RSS of a worker, and "workers_rss_mb": the sum of the workers' peaks.
    Run it only on a database without these county codes (they are unique).
    """
    shape = county_shape(residents_per_county)
    workers = max(1, min(workers, counties))
    if workers == 1:
        results = [_build_share(0, 1, counties, shape, seed, stdout)]
    else:
        from django.db import connections

        connections.close_all()
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        procs = [ctx.Process(target=_worker, args=(w, workers, counties, shape, seed, stdout, queue), daemon=True)
                 for w in range(workers)]
        for p in procs:
            p.start()
        results = [queue.get() for _ in procs]
        for p in procs:
            p.join()
        failed = [r["error"] for r in results if "error" in r]
        if failed:
            raise RuntimeError("city build failed in a worker: " + "; ".join(failed))
    total: dict = {}
    for r in results:
        for k, v in r.items():
            if k != "peak_rss_mb":
                total[k] = total.get(k, 0) + v
    total["peak_rss_mb"] = max(r["peak_rss_mb"] for r in results)
    total["workers_rss_mb"] = sum(r["peak_rss_mb"] for r in results)
    return total


def _worker(w: int, workers: int, counties: int, shape: dict, seed: int, stdout, queue) -> None:
    try:
        result = _build_share(w, workers, counties, shape, seed, stdout)
    except BaseException as e:  # reported to the parent, which raises
        result = {"error": f"worker {w}: {type(e).__name__}: {e}"}
    finally:
        from django.db import connections

        connections.close_all()
    queue.put(result)


def _build_share(w: int, workers: int, counties: int, shape: dict, seed: int, stdout) -> dict:
    """Build counties w, w + workers, ... with this worker's own People."""
    span = 600 // workers // 2 * 2  # even: People splits it between the genders
    people = People(random.Random(seed + w), local_regions=BENCH_LOCAL_REGIONS, seq_base=400 + w * span,
                    seq_span=span)
    total: dict = {}
    for i in range(w, counties, workers):
        started = time.perf_counter()
        counts = build_county(code=city_county_code(i), name=city_county_name(i), people=people, **shape)
        for k, v in counts.items():
            total[k] = total.get(k, 0) + v
        if stdout is not None:
            stdout.write(f"county {i + 1}/{counties} {city_county_code(i)} {city_county_name(i)} (worker {w}): "
                         f"{counts['residents']:,} residents, {counts['staff']:,} staff in "
                         f"{time.perf_counter() - started:.1f} s\n")
            getattr(stdout, "flush", lambda: None)()
    total["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return total

