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
    return user


def time_get(client, url: str, *, runs: int = 20, warm: int = 2, headers: dict | None = None) -> dict:
    """Server time of GET url through the full Django stack (middleware, view, template)."""
    for _ in range(warm):
        r = client.get(url, headers=headers)
        assert r.status_code == 200, (url, r.status_code)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = client.get(url, headers=headers)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200
    times.sort()
    return {"p50": percentile(times, 50), "p95": percentile(times, 95), "max": times[-1]}


def report(label: str, t: dict, target_ms: float) -> None:
    print(f"  {label:<58} p50 {t['p50']:7.1f} ms  p95 {t['p95']:7.1f} ms  max {t['max']:7.1f} ms  "
          f"target {target_ms:.0f} ms  {verdict(t['p95'], target_ms)}")
