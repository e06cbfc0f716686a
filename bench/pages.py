"""Home page and resident list at county scale: server time against 150 ms.

For a county-wide office user, a street leader and a grid worker, through the
full Django stack in process (the test client), p95 of 20 runs after 2
warm-up runs. The home page carries the campaign tiles (open / overdue /
escalated alerts, cases against target, installs against target, visit
coverage): the county gets a year of outreach and three years of cases once
(as the outreach and case benches build them), and 20,000 open alerts for
the run (10% past a limit, 300 escalated to their street), deleted afterwards.
The tiles load after the page (htmx), so the page and the tiles' fragment are
timed apart; the campaign selector is also timed alone, and the search by a
phone's last four digits.
"""

from __future__ import annotations

import os
import platform
import sys

import random
import time

from _common import engine, time_runs
from _outreach import county_with_outreach
from _pages import bench_user, report, time_get

TARGET_MS = 150
OPEN_ALERTS = 20_000


def ensure_cases(county) -> None:
    from fanzha.demo.cases import build_cases
    from fanzha.cases.models import Case

    if not Case.objects.filter(county_id=county.id).exists():
        t0 = time.perf_counter()
        n = build_cases(root=county, per_10k_per_year=185)
        print(f"built {n:,} cases in {time.perf_counter() - t0:.1f} s (once)")


def add_alerts(county):
    """20,000 open alerts of a bench sender, 10% overdue, 300 escalated to their street; returns the sender."""
    import datetime as dt

    from alerts_common import bench_sender
    from alerts_sweep import make_alerts
    from django.db import connection, transaction
    from django.db.models import F
    from django.utils import timezone

    from fanzha.alerts.models import Alert

    sender, _token = bench_sender(county, "bench-pages")
    with transaction.atomic():
        make_alerts(county, sender, OPEN_ALERTS, 0.1, timezone.now() - dt.timedelta(minutes=1), random.Random(11))
        ids = list(Alert.objects.filter(sender=sender).order_by("id").values_list("id", flat=True)[:300])
        Alert.objects.filter(pk__in=ids).update(escalation_level=2, escalated_to_id=F("street_id"),
                                                escalated_at=timezone.now())
    with connection.cursor() as cur:
        cur.execute("ANALYZE alerts_alert")
    return sender


def unlimited_number_searches() -> None:
    """The bench times the search itself: lift the per-user allowance of number searches (fanzha.core.ratelimit)."""
    from django.conf import settings

    for name in ("FANZHA_SEARCH_PER_MINUTE", "FANZHA_SEARCH_PER_DAY", "FANZHA_SEARCH_REVEAL_PER_MINUTE",
                 "FANZHA_SEARCH_REVEAL_PER_DAY"):
        setattr(settings, name, 10**9)


def main() -> None:
    county = county_with_outreach()
    ensure_cases(county)
    from alerts_common import purge_alerts
    from django.test import Client

    from fanzha.org.campaign import campaign
    from fanzha.org.models import Level, Node, Resident, User

    street = Node.objects.filter(county_id=county.id, level=Level.STREET).order_by("id").first()
    unlimited_number_searches()
    grid = Node.objects.filter(county_id=county.id, level=Level.GRID).order_by("id").first()
    office = bench_user("bench_county_office", "office", node=county)
    leader = bench_user("bench_street_leader", "leader", node=street)
    worker = bench_user("bench_grid_worker", "grid_worker", node=grid)
    someone = Resident.objects.filter(grid_id=grid.id).first()
    tail = Resident.objects.filter(grid_id=grid.id).exclude(phone_masked="").values_list("phone_masked", flat=True).first()[-4:]
    print(f"pages bench (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores): {engine()}, {platform.processor() or platform.machine()}, python {sys.version.split()[0]}; "
          f"{Resident.objects.filter(county_id=county.id).count():,} residents in the county")
    sender = add_alerts(county)
    # As `fanzha serve` does once the application is loaded (core/management/commands/serve.py
    # loaded_application): what lives for the whole process is kept out of the collector's full passes.
    from fanzha.core.management.commands.serve import loaded_application

    loaded_application()
    try:
        from django.core.cache import cache

        class ColdClient(Client):
            """Every request without cached figures: the first view after the TTL ran out."""

            def get(self, *a, **kw):
                cache.clear()
                return super().get(*a, **kw)

        c = ColdClient()
        c.force_login(office)
        report("home page, county office, figures not cached (cold)", time_get(c, "/", runs=5), TARGET_MS)
        for label, user, root in (("county office", office, county), ("street leader", leader, street),
                                  ("grid worker", worker, grid)):
            u = User.objects.get(pk=user.pk)  # one user object: its scope is computed once, as per request
            report(f"campaign tiles alone, {label}", time_runs(lambda u=u, root=root: campaign(u, [root]), runs=20, warm=2), TARGET_MS)
            c = Client()
            c.force_login(user)
            report(f"home page, {label}", time_get(c, "/"), TARGET_MS)
            report(f"home page campaign tiles (fragment), {label}",
                   time_get(c, "/home/campaign/", headers={"HX-Request": "true"}), TARGET_MS)
            report(f"resident list, {label}", time_get(c, "/residents/"), TARGET_MS)
            report(f"resident list search by name, {label}", time_get(c, f"/residents/?q={someone.name[:1]}"), TARGET_MS)
            report(f"resident list search by phone tail, {label}", time_get(c, f"/residents/?q={tail}"), TARGET_MS)
    finally:
        removed = purge_alerts("sender_id = %s", [sender.pk])
        sender.delete()
        print(f"  cleaned up {removed:,} bench alerts")


if __name__ == "__main__":
    main()
