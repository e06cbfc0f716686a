"""Benchmark: build the city-scale data set, 3,000,000 residents in 20 counties (targets: ≤ 10 min, ≤ 2 GB).

    DATABASE_URL=postgres://…/fz_city FANZHA_BENCH_DB=var/bench/city .venv/bin/python bench/build_city.py

Builds `fanzha.demo.city.build_city` (20 counties of 150,000 residents, each in its own transaction, shared
between two worker processes) into an empty database and prints the time, rows per second, the CPU time
of this process and its workers, and peak memory against the targets. FANZHA_BENCH_DB (default
var/bench/city) is kept: it holds the pii_key that encrypted the city's numbers. The first county is
BENCH-K, so the county benchmarks run on it with the same DATABASE_URL and FANZHA_BENCH_DB.
CITY_COUNTIES, CITY_RESIDENTS_PER_COUNTY and CITY_WORKERS change the size and the number of workers.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

TARGET_SECONDS = 600
TARGET_MB = 2048


def main() -> int:
    home = Path(os.environ.get("FANZHA_BENCH_DB") or _common.ROOT / "var" / "bench" / "city")
    _common.setup(home)
    if _common.has_county():
        print("the database already holds the city (BENCH-K); use an empty one to measure")
        return 1
    from fanzha.demo.city import build_city

    counties = int(os.environ.get("CITY_COUNTIES", 20))
    per_county = int(os.environ.get("CITY_RESIDENTS_PER_COUNTY", 150_000))
    workers = int(os.environ.get("CITY_WORKERS", 2))
    load_before = os.getloadavg()
    print(f"build_city on {_common.engine()}: {counties} counties × {per_county:,} residents, {workers} workers, "
          f"FANZHA_HOME={home}; load average {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f} "
          f"on {os.cpu_count()} cores")
    sys.stdout.flush()
    parent_rss = _common.peak_rss_mb()
    cpu_before = _common.cpu_seconds()
    started = time.perf_counter()

    class Progress:
        def write(self, msg: str) -> None:
            sys.stdout.write(f"  {time.perf_counter() - started:6.1f} s {msg.strip()}  "
                             f"(load {os.getloadavg()[0]:.2f})\n")
            sys.stdout.flush()

    counts = build_city(counties=counties, residents_per_county=per_county, workers=workers, stdout=Progress())
    seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = _common.cpu_seconds() - cpu_before + children.ru_utime + children.ru_stime
    rows = sum(counts[k] for k in ("streets", "communities", "grids", "groups", "units", "households", "residents",
                                   "staff", "family_members")) + counties
    peak = counts["workers_rss_mb"] + (parent_rss if workers > 1 else 0)
    print()
    print("  " + ", ".join(f"{k} {v:,}" for k, v in counts.items() if not k.endswith("_mb")) + f"  ({rows:,} rows)")
    print(f"  time      {seconds:8.1f} s    target ≤ {TARGET_SECONDS} s     {_common.verdict(seconds, TARGET_SECONDS)}")
    print(f"  CPU time  {cpu:8.1f} s    (this process and its workers; the database server's is not counted: "
          f"load average {os.getloadavg()[0]:.2f} at the end, {load_before[0]:.2f} at the start, on "
          f"{os.cpu_count()} cores)")
    print(f"  rows/s    {rows / seconds:8,.0f}")
    print(f"  residents/s {counts['residents'] / seconds:6,.0f}")
    print(f"  peak RSS  {peak:8.0f} MB   target ≤ {TARGET_MB} MB  {_common.verdict(peak, TARGET_MB)}   "
          f"(sum of the workers' peaks{' and the parent' if workers > 1 else ''}; largest worker "
          f"{counts['peak_rss_mb']:.0f} MB)")
    return 0 if seconds <= TARGET_SECONDS and peak <= TARGET_MB else 2


if __name__ == "__main__":
    sys.exit(main())
