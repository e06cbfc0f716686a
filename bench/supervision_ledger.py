"""The measures ledger export (.xlsx) at county scale: ≤ 2 s.

Server time (median of 5 runs; the slowest is printed too) of /supervision/ledger.xlsx (every measure and task with one row per unit) for a
county-wide office (10 streets, 5 years) and for one street's office, including writing the file.
"""

from __future__ import annotations

import time

from _common import engine, percentile, verdict
from _pages import bench_user
from _supervision import counts, cpu_ms, supervision_county

TARGET_S = 2.0


def _time_export(client, url: str, runs: int = 5) -> dict:
    times, size = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        r = client.get(url)
        body = b"".join(r.streaming_content)
        times.append(time.perf_counter() - t0)
        assert r.status_code == 200
        size = len(body)
    times.sort()
    return {"p50": percentile(times, 50), "max": times[-1], "bytes": size}


def main() -> None:
    county = supervision_county()
    from django.test import Client

    from fanzha.org.models import Level, Node
    from fanzha.supervision.models import Responsibility

    street = Node.objects.filter(county_id=county.id, level=Level.STREET).order_by("id").first()
    print(f"supervision ledger bench: {engine()}; {counts(county)}")
    for label, user, rows in (
        ("county office", bench_user("bench_county_office", "office", node=county),
         Responsibility.objects.filter(county_id=county.id).count()),
        ("street office", bench_user("bench_street_office", "office", node=street),
         Responsibility.objects.filter(street_id=street.id).count()),
    ):
        c = Client()
        c.force_login(user)
        t = _time_export(c, "/supervision/ledger.xlsx")
        print(f"  measures ledger .xlsx, {label} ({rows:,} rows, {t['bytes'] / 1024:,.0f} KB)  p50 {t['p50']:.2f} s  "
              f"max {t['max']:.2f} s  target {TARGET_S:.0f} s  {verdict(t['p50'], TARGET_S)}  "
              f"CPU {cpu_ms(c, '/supervision/ledger.xlsx', runs=3) / 1000:.2f} s")


if __name__ == "__main__":
    main()
