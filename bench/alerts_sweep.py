"""Benchmark: one escalation sweep over 100,000 open alerts (target ≤ 1 s).

    .venv/bin/python bench/alerts_sweep.py [--alerts 100000] [--due 0.1]

On the county data set (bench/_common.py `county_db()`), 100,000 open alerts
spread over the county's 1,500 grids (grades 15/45/40%, received over the last
two days, the time limits of SPEC §3), of which a share `--due` has a watched
limit that has just passed. One `run_sweep()` — claims, timeline events,
notifications to the community staff / office / officers, chat messages —
is timed; then, as the worst case, a sweep in which every alert is overdue.
The alerts are deleted afterwards.
"""

from __future__ import annotations

import argparse
import os
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common
import alerts_common

TARGET_S = 1.0


def make_alerts(county, sender, n: int, due_share: float, now: dt.datetime, rng: random.Random) -> None:
    """n open alerts as plain rows (multi-row INSERTs); `due_share` of them past their watched limit at `now`."""
    from fanzha.alerts.limits import DEFAULT_LIMITS, due_times, first_watch
    from fanzha.alerts.models import Alert, Grade, Status
    from fanzha.core.bulk import insert_rows
    from fanzha.org.models import Level, Node

    grids = list(Node.objects.filter(county=county, level=Level.GRID).values_list("county_id", "street_id", "community_id", "id"))
    columns = ["sender_id", "source", "external_id", "intake_key", "grade", "status", "name", "occurred_at", "received_at",
               "county_id", "street_id", "community_id", "grid_id", "max_escalation", "sign_due_at", "contact_due_at",
               "onsite_due_at", "watch", "watch_due_at", "updated_at"]
    rows = []
    for i in range(n):
        grade = rng.choices([Grade.HIGH, Grade.MEDIUM, Grade.LOW], weights=[15, 45, 40])[0]
        limits = DEFAULT_LIMITS[grade]
        first = limits.sign or limits.contact
        if rng.random() < due_share:  # the watched limit passed a moment ago
            received = now - dt.timedelta(minutes=first, seconds=rng.randint(1, 60))
        else:  # still inside it
            received = now - dt.timedelta(minutes=first) + dt.timedelta(seconds=rng.randint(5, first * 60 - 5))
        dues = due_times(limits, received)
        watch, watch_due = first_watch(dues, 2)
        county_id, street_id, community_id, grid_id = rng.choice(grids)
        rows.append((sender.pk, "api", f"SW{i}", f"bench-sweep:{i}", grade, Status.NEW, f"居民{i}", received, received,
                     county_id, street_id, community_id, grid_id, 2, dues["sign_due_at"], dues["contact_due_at"],
                     dues["onsite_due_at"], watch, watch_due, received))
    insert_rows(Alert, columns, rows)


class _Undo(Exception):
    pass


def floor_seconds(sender, now: dt.datetime) -> float:
    """One UPDATE rewriting every bench alert once (a timestamp column, rolled back): the least any
    sweep that touches them all costs on this database and machine, measured in the same run."""
    from django.db import connection, transaction

    started = elapsed = time.perf_counter()
    try:
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute("UPDATE alerts_alert SET updated_at = %s WHERE sender_id = %s",
                            [connection.ops.adapt_datetimefield_value(now), sender.pk])
            elapsed = time.perf_counter() - started
            raise _Undo
    except _Undo:
        pass
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--due", type=float, default=0.1, help="share of alerts past their limit (default 0.1)")
    args = parser.parse_args()
    _common.county_db()
    from django.db import connection, transaction
    from django.utils import timezone

    from fanzha.alerts.models import Alert, AlertEvent, Notification
    from fanzha.alerts.sweep import run_sweep

    county = alerts_common.county_node()
    alerts_common.ensure_responders(county)
    from fanzha.org.models import Assignment, Node, Role, User

    # community staff for every community, so escalations have people to notify (plain rows with an
    # unusable password, as ensure_responders makes: hashing 150 passwords would take longer than the sweep)
    if not User.objects.filter(username__startswith=f"{alerts_common.PREFIX}cs-").exists():
        with transaction.atomic():
            communities = list(Node.objects.filter(county=county, level="community").order_by("id"))
            User.objects.bulk_create([User(username=f"{alerts_common.PREFIX}cs-{c.pk}", display_name=f"社区{c.pk}",
                                           password="!") for c in communities])
            ids = dict(User.objects.filter(username__startswith=f"{alerts_common.PREFIX}cs-").values_list("username", "id"))
            Assignment.objects.bulk_create([Assignment(user_id=ids[f"{alerts_common.PREFIX}cs-{c.pk}"], role=Role.COMMUNITY,
                                                       node_id=c.pk) for c in communities])
    sender, _token = alerts_common.bench_sender(county, "bench-sweep")
    alerts_common.vacuum()
    rng = random.Random(7)
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        make_alerts(county, sender, args.alerts, args.due, now, rng)
    with connection.cursor() as cur:  # fresh statistics, as autovacuum / a routine ANALYZE would give
        cur.execute("ANALYZE alerts_alert")
    print(f"engine {_common.engine()}; {args.alerts:,} open alerts written in {time.perf_counter() - started:.1f} s, "
          f"{args.due:.0%} past their limit")
    from django.urls import reverse

    reverse("alerts:queue")  # the worker loads its URLconf (notification links) once, in its first round: not timed here
    try:
        started = time.perf_counter()
        r = run_sweep(now=now)
        seconds = time.perf_counter() - started
        events = AlertEvent.objects.filter(kind="escalated", alert__sender=sender).count()
        print(f"sweep over {args.alerts:,} open alerts: {seconds * 1000:.0f} ms, escalated {r.escalated:,} "
              f"(events {events:,}, notifications {Notification.objects.filter(kind='escalated').count():,})  "
              f"(target ≤ {TARGET_S:.0f} s)  {_common.verdict(seconds, TARGET_S)}")
        started = time.perf_counter()
        r = run_sweep(now=now)
        print(f"  a second sweep at the same moment (nothing due): {(time.perf_counter() - started) * 1000:.1f} ms, "
              f"escalated {r.escalated}")
        # Worst case: every alert past its first limit at once (e.g. the worker was stopped for a while).
        Alert.objects.filter(sender=sender).update(escalation_level=0, watch_due_at=now - dt.timedelta(seconds=1))
        alerts_common.vacuum()
        floor = floor_seconds(sender, now)
        started = time.perf_counter()
        r = run_sweep(now=now)
        seconds = time.perf_counter() - started
        print(f"  worst case, all {args.alerts:,} past a limit at once: {seconds * 1000:.0f} ms for {r.escalated:,} "
              f"escalations  {_common.verdict(seconds, TARGET_S)}")
        print(f"  floor: one UPDATE rewriting the {args.alerts:,} rows once: {floor * 1000:.0f} ms; the worst-case sweep "
              f"is {seconds / floor:.1f}× that (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    finally:
        removed = alerts_common.purge_alerts("sender_id = %s", [sender.pk])
        sender.delete()
        alerts_common.remove_responders()
        alerts_common.vacuum()
        print(f"  cleaned up {removed:,} bench alerts and the bench responders")


if __name__ == "__main__":
    main()
