"""Timing pages and API calls in process, as server time (no network), for the benchmarks."""

from __future__ import annotations

import time

from _common import percentile, verdict


def bench_user(username: str, role: str, *, node=None, unit=None):
    """A user with one assignment, created once and reused across runs."""
    from fanzha.org import services
    from fanzha.org.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        user = services.user_create(username=username, password="bench-only-pw", role=role, node=node, unit=unit)
    elif not user.assignments.filter(role=role, node=node, unit=unit).exists():
        # Two benches asking for one name at different places would time the wrong scope (or a 404).
        raise SystemExit(f"bench user {username} exists with another role or place: give this bench its own name")
    return user


def time_get(client, url: str, *, runs: int = 20, warm: int = 2, headers: dict | None = None) -> dict:
    """Server time of GET url through the full Django stack (middleware, view, template)."""
    for _ in range(warm):
        r = client.get(url, headers=headers)
        assert r.status_code == 200, (url, r.status_code)
    times, cpu = [], []
    for _ in range(runs):
        c0, t0 = time.thread_time(), time.perf_counter()
        r = client.get(url, headers=headers)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        assert r.status_code == 200
    times.sort()
    cpu.sort()
    # CPU time of this thread (view, ORM and SQLite all run in it) leaves out waiting for a core,
    # which on a shared machine can dwarf the work itself.
    return {"p50": percentile(times, 50), "p95": percentile(times, 95), "max": times[-1],
            "cpu50": percentile(cpu, 50), "cpu95": percentile(cpu, 95)}


def report(label: str, t: dict, target_ms: float) -> None:
    cpu = f"  (CPU p50 {t['cpu50']:6.1f}  p95 {t['cpu95']:6.1f})" if "cpu50" in t else ""
    print(f"  {label:<58} p50 {t['p50']:7.1f} ms  p95 {t['p95']:7.1f} ms  max {t['max']:7.1f} ms{cpu}  "
          f"target {target_ms:.0f} ms  {verdict(t['p95'], target_ms)}")
