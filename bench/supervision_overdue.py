"""The leader's overdue list at county scale (10 streets' plans, 5 years of meetings and visits): ≤ 100 ms.

Server time of the supervision home page (the overdue list sorted by days overdue) and of the
overdue API, for a street leader and for a county-wide leader, through the full Django stack. The
"floor" line is a page of the same layout (menu, tabs) with almost nothing on it: on a loaded
machine it shows how much of a page's time is the layout rather than the overdue list.
"""

from __future__ import annotations

from _common import engine
from _pages import bench_user, report, time_get
from _supervision import counts, cpu_ms, supervision_county

TARGET_MS = 100


def main() -> None:
    county = supervision_county()
    from django.test import Client

    from fanzha.org.models import Level, Node
    from fanzha.supervision.selectors import overdue_items

    street = Node.objects.filter(county_id=county.id, level=Level.STREET).order_by("id").first()
    leader = bench_user("bench_street_leader", "leader", node=street)
    county_leader = bench_user("bench_county_leader", "leader", node=county)
    print(f"supervision overdue bench: {engine()}; {counts(county)}")
    for label, user in (("street leader", leader), ("county leader", county_leader)):
        _items, total = overdue_items(user)
        c = Client()
        c.force_login(user)
        report(f"  floor: a page with the same menu and tabs, {label}", time_get(c, "/supervision/criticisms/", runs=40), TARGET_MS)
        report(f"overdue list page, {label} ({total:,} items)", time_get(c, "/supervision/", runs=40), TARGET_MS)
        print(f"    CPU time (median): page {cpu_ms(c, '/supervision/'):.1f} ms, layout floor "
              f"{cpu_ms(c, '/supervision/criticisms/'):.1f} ms, API {cpu_ms(c, '/api/v1/supervision/overdue'):.1f} ms")
        report(f"overdue API, {label}", time_get(c, "/api/v1/supervision/overdue", runs=40), TARGET_MS)


    # The worker's reminder job: the first pass of a day sends; later passes find nothing new.
    import time

    from django.utils import timezone

    from fanzha.supervision.jobs import remind_due

    now = timezone.now()
    t0 = time.perf_counter()
    sent = remind_due(now)
    first = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    again = remind_due(now)
    later = (time.perf_counter() - t0) * 1000
    print(f"  reminder job: first pass of the day {first:,.0f} ms ({sent:,} items told), a later pass "
          f"{later:,.0f} ms ({again} told)")


if __name__ == "__main__":
    main()
