"""Benchmark: build the county-scale data set (targets: ≤ 90 s, peak memory ≤ 2 GB).

    .venv/bin/python bench/build_county.py

Builds 10 streets, 150 communities, 1,500 grids, 15,000 household groups,
150,000 households, 450,000 residents, 3,000 units and 60,000 staff with
`fanzha.demo.org.build_county` into a fresh FANZHA_HOME and prints the time,
rows per second and the process's peak RSS against the targets.

The fresh FANZHA_HOME is a temporary directory, deleted afterwards, unless
FANZHA_BENCH_DB names a directory that holds no database yet: then the county
is built there and kept for the other benchmarks (see bench/_common.py).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

TARGET_SECONDS = 90
TARGET_MB = 2048


def main() -> int:
    keep = os.environ.get("FANZHA_BENCH_DB")
    if keep and not (Path(keep) / "fanzha.sqlite3").exists():
        # With DATABASE_URL the directory keeps only the keys; the database itself must be empty (checked below).
        home, temporary = Path(keep), False
    else:
        if keep:
            print(f"FANZHA_BENCH_DB={keep} already holds a database: measuring in a temporary directory instead")
        home, temporary = Path(tempfile.mkdtemp(prefix="fanzha-bench-county-")), True
    try:
        _common.setup(home)
        if _common.has_county():
            print("the database already holds the county data set (BENCH-K); use an empty one to measure")
            return 1
        from fanzha.demo.org import build_county

        rss_before = _common.peak_rss_mb()
        cpu_before = _common.cpu_seconds()
        print(f"build_county on {_common.engine()}, FANZHA_HOME={home}{' (temporary)' if temporary else ' (kept)'}")
        started = time.perf_counter()

        class Progress:
            def write(self, msg: str) -> None:
                sys.stdout.write(f"  {time.perf_counter() - started:6.1f} s {msg.strip()}\n")
                sys.stdout.flush()

        counts = build_county(stdout=Progress())
        seconds = time.perf_counter() - started
        cpu = _common.cpu_seconds() - cpu_before
        peak = _common.peak_rss_mb()
        rows = counts["streets"] + counts["communities"] + counts["grids"] + counts["groups"] + 1 + sum(
            counts[k] for k in ("households", "residents", "units", "staff", "family_members"))
        print()
        print("  " + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + f"  ({rows:,} rows)")
        print(f"  time      {seconds:8.1f} s    target ≤ {TARGET_SECONDS} s      {_common.verdict(seconds, TARGET_SECONDS)}")
        print(f"  CPU time  {cpu:8.1f} s    (this process; wall time above includes waiting for a core: "
              f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")
        print(f"  rows/s    {rows / seconds:8,.0f}")
        print(f"  residents/s {counts['residents'] / seconds:6,.0f}")
        print(f"  peak RSS  {peak:8.0f} MB   target ≤ {TARGET_MB} MB  {_common.verdict(peak, TARGET_MB)}"
              f"   (after Django set-up and migrate: {rss_before:.0f} MB)")
        db = home / "fanzha.sqlite3"
        if db.exists():
            print(f"  database  {db.stat().st_size / 2**20:8.0f} MB on disk")
        return 0 if seconds <= TARGET_SECONDS and peak <= TARGET_MB else 2
    finally:
        if temporary:
            from django.db import connections

            connections.close_all()
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
