"""Benchmark: many threads in several processes writing to one SQLite file, as gunicorn's workers do.

    .venv/bin/python bench/sqlite_writers.py [--processes 2] [--threads 16] [--writes 20] [--engine both|fanzha|django]

Each thread repeats: some CPU work outside the transaction (a request's parsing and rendering), then one
short write transaction (`atomic()`, BEGIN IMMEDIATE, a few inserts, a little CPU work under the lock, COMMIT).
Printed per engine: the wait to get into the transaction (BEGIN: queueing for the write lock) and the rest of
the transaction, p50/p99/max in ms, with the total wall time and CPU time. `django` is Django's own SQLite
backend (writers wait in SQLite's busy handler); `fanzha` is fanzha.core.db.sqlite3 (writers take turns).
A temporary database file; nothing else is touched.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common

ENGINES = {"django": "django.db.backends.sqlite3", "fanzha": "fanzha.core.db.sqlite3"}


def _setup(engine: str, path: str) -> None:
    import django
    from django.conf import settings

    from fanzha import settings as fz

    settings.configure(DATABASES={"default": {"ENGINE": ENGINES[engine], "NAME": path, "OPTIONS": fz.SQLITE_OPTIONS}},
                       INSTALLED_APPS=[], USE_TZ=True)
    django.setup()


def _spin(ms: float) -> None:
    end = time.thread_time() + ms / 1000
    while time.thread_time() < end:
        pass


def _worker(engine: str, path: str, threads: int, writes: int, out, switch_ms: float = 0) -> None:
    if switch_ms:
        sys.setswitchinterval(switch_ms / 1000)
    _setup(engine, path)
    from django.db import connection, transaction

    begin_ms: list[float] = []
    rest_ms: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def run(i: int) -> None:
        barrier.wait()
        for n in range(writes):
            _spin(8)  # the request's own work before its transaction
            t0 = time.perf_counter()
            try:
                with transaction.atomic():
                    t1 = time.perf_counter()
                    with connection.cursor() as c:
                        for k in range(3):
                            c.execute("INSERT INTO note (who, n) VALUES (%s, %s)", [f"{os.getpid()}-{i}", n * 10 + k])
                    _spin(1)
                t2 = time.perf_counter()
                with lock:
                    begin_ms.append((t1 - t0) * 1000)
                    rest_ms.append((t2 - t1) * 1000)
            except Exception as e:  # noqa: BLE001 - counted and printed
                with lock:
                    errors.append(str(e))
        connection.close()

    ts = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    out.send(json.dumps({"begin": begin_ms, "rest": rest_ms, "errors": errors,
                         "cpu": time.process_time()}))


def run_engine(engine: str, args) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "w.sqlite3")
        import sqlite3

        db = sqlite3.connect(path)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, who TEXT NOT NULL, n INTEGER NOT NULL)")
        db.commit()
        ctx = multiprocessing.get_context("spawn")
        pipes, procs = [], []
        started = time.perf_counter()
        for _ in range(args.processes):
            a, b = ctx.Pipe(duplex=False)
            p = ctx.Process(target=_worker, args=(engine, path, args.threads, args.writes, b, args.switch_ms))
            p.start()
            pipes.append(a)
            procs.append(p)
        results = [json.loads(a.recv()) for a in pipes]
        for p in procs:
            p.join()
        wall = time.perf_counter() - started
        (stored,) = db.execute("SELECT COUNT(*) FROM note").fetchone()
        db.close()
    begin = sorted(x for r in results for x in r["begin"])
    rest = sorted(x for r in results for x in r["rest"])
    errors = [e for r in results for e in r["errors"]]
    expected = args.processes * args.threads * args.writes
    print(f"{engine:<7} {len(begin)}/{expected} transactions in {wall:.1f} s, rows {stored}/{expected * 3}, "
          f"{len(errors)} errors {sorted(set(errors))[:2]}; CPU {sum(r['cpu'] for r in results):.1f} s")
    for label, values in (("wait at BEGIN", begin), ("rest of txn", rest)):
        if values:
            q = {k: _common.percentile(values, k) for k in (50, 95, 99)}
            print(f"   {label:<14} p50 {q[50]:7.1f} ms  p95 {q[95]:7.1f} ms  p99 {q[99]:7.1f} ms  max {values[-1]:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--writes", type=int, default=20)
    parser.add_argument("--engine", choices=["both", *ENGINES], default="both")
    parser.add_argument("--switch-ms", type=float, default=0, help="sys.setswitchinterval in the workers (default 5 ms)")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}; {args.processes} processes × {args.threads} threads × "
          f"{args.writes} write transactions (8 ms CPU before each, 1 ms under the lock)")
    for engine in (["django", "fanzha"] if args.engine == "both" else [args.engine]):
        run_engine(engine, args)


if __name__ == "__main__":
    main()
