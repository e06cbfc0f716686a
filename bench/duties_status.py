"""Duty status at county scale: every person, group, unit and community of the county for the current period
≤ 500 ms; who is behind in one community ≤ 100 ms (selector time, and the page through the full Django stack);
the home page's duties panel for the county leader (the user's own rows, the area's behind count) against a
budget of 25 ms (half the home panels fragment's 50 ms target, not a target of its own), printed against the floor of the full county status listed in the same run.

Runs on the county data set (bench/_common.py). Everything this bench adds (WeChat groups from the pushes'
group names, links, unit sectors, a grid worker per grid and a 平安专干 per community with their activities)
is made inside a transaction that is rolled back at the end: the shared county data set is left as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import time

from _common import county_db, cpu_seconds, engine, verdict

COUNTY_MS = 500
COMMUNITY_MS = 100
PANEL_MS = 25


class Rollback(Exception):
    pass


def timed(fn, runs: int) -> tuple[float, float, object]:
    fn()
    times, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), cpu_seconds()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((cpu_seconds() - c0) * 1000)
    return statistics.median(times), statistics.median(cpu), out


def setup_people(county, today):
    from django.contrib.auth.hashers import make_password

    from fanzha.org.models import Assignment, Level, Node, User
    from fanzha.outreach.models import Activity

    rng = random.Random(7)
    pw = make_password(None)
    grids = list(Node.objects.filter(county=county, level=Level.GRID).values_list("id", "community_id"))
    comms = list(Node.objects.filter(county=county, level=Level.COMMUNITY).values_list("id", flat=True))
    users = [User(username=f"bench_duty_gw_{g}", password=pw) for g, _c in grids]
    users += [User(username=f"bench_duty_ps_{c}", password=pw) for c in comms]
    User.objects.bulk_create(users, batch_size=1000)
    by_name = dict(User.objects.filter(username__startswith="bench_duty_").values_list("username", "id"))
    asg = [Assignment(user_id=by_name[f"bench_duty_gw_{g}"], role="grid_worker", node_id=g) for g, _c in grids]
    asg += [Assignment(user_id=by_name[f"bench_duty_ps_{c}"], role="safety_staff", node_id=c) for c in comms]
    Assignment.objects.bulk_create(asg, batch_size=1000)
    # give each grid worker 0–3 of this quarter's activities (created_by): a third are behind
    ids = list(Activity.objects.filter(county=county, held_on__gte=today.replace(month=10, day=1), held_on__lte=today)
               .values_list("id", flat=True))
    rng.shuffle(ids)
    it = iter(ids)
    updates: dict[int, list[int]] = {}
    for g, _c in grids:
        for _ in range(rng.choice([0, 1, 2, 3])):
            a = next(it, None)
            if a:
                updates.setdefault(by_name[f"bench_duty_gw_{g}"], []).append(a)
    for uid, aids in updates.items():
        Activity.objects.filter(id__in=aids).update(created_by_id=uid)
    return len(asg)


def main() -> None:
    county_db()
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from _pages import bench_user, report, time_get
    from fanzha.core.scoping import scope_of
    from fanzha.demo import duties as demo
    from fanzha.duties import selectors
    from fanzha.demo.org import BENCH_COUNTY_CODE
    from fanzha.org.models import Level, Node

    county = Node.objects.get(code=BENCH_COUNTY_CODE)
    today = timezone.localdate()
    try:
        with transaction.atomic():
            t0 = time.perf_counter()
            demo.load_county(county)
            people = setup_people(county, today)
            print(f"duties bench: {engine()}; set up in {time.perf_counter() - t0:.1f} s (rolled back at the end), "
                  f"{people:,} people with duties added; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
            wall, cpu, rows = timed(lambda: selectors.status_rows(today=today), runs=5)
            s = selectors.summary(rows)
            kinds = {}
            for r in rows:
                kinds[r.key.split(":")[0]] = kinds.get(r.key.split(":")[0], 0) + 1
            print(f"  county status, current period of every duty: {s['total']:,} rows {kinds}, {s['behind']:,} behind")
            print(f"    median {wall:7.1f} ms (CPU {cpu:6.1f} ms)  target {COUNTY_MS} ms  {verdict(wall, COUNTY_MS)}")
            leader = bench_user("bench_county_leader", "leader", node=county)
            full_wall, full_cpu, _rows = timed(lambda: selectors.status_rows(scope=scope_of(leader), today=today), runs=5)
            wall, cpu, panel = timed(lambda: selectors.home_panel(leader, today=today), runs=20)
            print(f"  home duties panel, county leader: {panel['behind_count']:,} of {panel['total']:,} behind "
                  f"(the status page: {s['behind']:,} of {s['total']:,}), {len(panel['mine'])} own rows")
            print(f"    median {wall:7.1f} ms (CPU {cpu:6.1f} ms)  budget {PANEL_MS} ms: {'within' if wall <= PANEL_MS else 'over'} (a share of the home panels' 50 ms target, which analysis_pages.py measures); "
                  f"floor (the leader's full status listed): {full_wall:.1f} ms (CPU {full_cpu:.1f} ms), panel "
                  f"{wall / full_wall:.2f}x wall, {cpu / full_cpu:.2f}x CPU of it")
            community = Node.objects.filter(county=county, level=Level.COMMUNITY).order_by("id")[3]
            street_office = bench_user("bench_duty_office", "office", node=Node.objects.get(id=community.street_id))
            scope = scope_of(street_office)
            wall, cpu, rows = timed(lambda: selectors.ranked_behind(
                selectors.status_rows(scope=scope, community_id=community.id, today=today)), runs=20)
            print(f"  who is behind in one community ({community.name}): {len(rows)} behind")
            print(f"    median {wall:7.1f} ms (CPU {cpu:6.1f} ms)  target {COMMUNITY_MS} ms  {verdict(wall, COMMUNITY_MS)}")
            c = Client()
            c.force_login(street_office)
            report("behind page for one community (full stack)", time_get(c, f"/duties/?community={community.id}", runs=10),
                   COMMUNITY_MS)
            raise Rollback
    except Rollback:
        pass
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
