"""Shared set-up for the benchmarks in bench/.

`setup(home)` points Django at a FANZHA_HOME and migrates it; `county_db()`
returns a FANZHA_HOME holding the county-scale data set, building it on first
use, so benchmarks after the first (look-up, import, pages) reuse it.

The county is kept in $FANZHA_BENCH_DB (a directory used as FANZHA_HOME),
default var/bench/county/ in the checkout. The directory holds the SQLite
file *and* the pii_key that encrypted its ID and phone numbers: move or delete
them together. With DATABASE_URL set, the data lives in that database instead
and the directory keeps only the keys.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_COUNTY_HOME = ROOT / "var" / "bench" / "county"

if str(ROOT / "src") not in sys.path:  # runnable from a checkout without an editable install
    sys.path.insert(0, str(ROOT / "src"))

_home: Path | None = None


def setup(home: Path) -> Path:
    """Set FANZHA_HOME (before Django reads its settings), set Django up and migrate.

    Django can be set up once per process, so a second call must name the same home.
    """
    global _home
    home = Path(home).resolve()
    if _home is not None:
        if _home != home:
            raise RuntimeError(f"Django is already set up on {_home}, cannot switch to {home}")
        return home
    home.mkdir(parents=True, exist_ok=True)
    os.environ["FANZHA_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanzha.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    _home = home
    return home


def engine() -> str:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]


def county_home() -> Path:
    return Path(os.environ.get("FANZHA_BENCH_DB") or DEFAULT_COUNTY_HOME).resolve()


def has_county() -> bool:
    from fanzha.demo.org import BENCH_COUNTY_CODE
    from fanzha.org.models import Node

    return Node.objects.filter(code=BENCH_COUNTY_CODE).exists()


def county_db(*, out=sys.stdout) -> Path:
    """The FANZHA_HOME with the county data set, Django set up on it (built on first use)."""
    home = setup(county_home())
    if not has_county():
        from fanzha.demo.org import build_county

        out.write(f"county data set not found in {home}: building it (once) ...\n")
        started = time.perf_counter()
        counts = build_county(stdout=out)
        out.write(f"built in {time.perf_counter() - started:.1f} s: {counts}\n")
    return home


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User + system CPU time of this process so far."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


def timings(fn, items) -> tuple[list[float], list[float]]:
    """Sorted wall-clock and CPU (this thread) milliseconds of `fn(item)`, one call per item.

    CPU time leaves out waiting for a core, which on a shared 2-core machine
    can dwarf the work itself; SQLite runs in this thread, so it is counted,
    PostgreSQL's own work is not. Benchmarks print both.
    """
    wall, cpu = [], []
    for item in items:
        c0, t0 = time.thread_time_ns(), time.perf_counter_ns()
        fn(item)
        wall.append((time.perf_counter_ns() - t0) / 1e6)
        cpu.append((time.thread_time_ns() - c0) / 1e6)
    return sorted(wall), sorted(cpu)


def time_runs(fn, *, runs: int, warm: int = 0) -> dict:
    """`fn()` run `warm` times untimed, then `runs` times: wall p50, p95 and max, CPU p50 and p95, in ms."""
    for _ in range(warm):
        fn()
    wall, cpu = timings(lambda _i: fn(), range(runs))
    return {"p50": percentile(wall, 50), "p95": percentile(wall, 95), "max": wall[-1],
            "cpu50": percentile(cpu, 50), "cpu95": percentile(cpu, 95)}


def verdict(value: float, target: float) -> str:
    ratio = value / target
    return f"ratio {ratio:5.2f}  {'OK' if ratio <= 1 else 'OVER TARGET'}"
