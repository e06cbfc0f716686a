"""Shared set-up of the alert benchmarks (not a benchmark itself).

The county data set (bench/_common.py) has no staff accounts; the alert
benchmarks need people to route to: `ensure_responders()` adds one grid worker
per grid, a grid leader per four grids and two officers per street (plain
users, unusable passwords, names starting with `bench-`). Every benchmark
deletes the alerts it made (`purge_alerts`) and these people
(`remove_responders`), so the shared county data set is left as it was.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: F401 - sets sys.path for the package

PREFIX = "bench-"


def county_node():
    from fanzha.demo.org import BENCH_COUNTY_CODE
    from fanzha.org.models import Node

    return Node.objects.get(code=BENCH_COUNTY_CODE)


def ensure_responders(county) -> dict[int, int]:
    """{grid id: its bench grid worker's user id}; creates the bench responders on first use."""
    from django.db import transaction

    from fanzha.org.models import Assignment, Level, Node, Role, User

    grids = list(Node.objects.filter(county=county, level=Level.GRID).order_by("id").values_list("id", "street_id"))
    have = dict(Assignment.objects.filter(node_id__in=[g for g, _s in grids], role=Role.GRID_WORKER,
                                          user__username__startswith=PREFIX).values_list("node_id", "user_id"))
    if len(have) == len(grids):
        return have
    with transaction.atomic():
        users = [User(username=f"{PREFIX}gw-{g}", display_name=f"网格员{g}", password="!") for g, _s in grids]
        users += [User(username=f"{PREFIX}gl-{g}", display_name=f"网格长{g}", password="!") for g, _s in grids[::4]]
        streets = sorted({s for _g, s in grids})
        users += [User(username=f"{PREFIX}po-{s}-{k}", display_name=f"民警{s}-{k}", password="!") for s in streets for k in (1, 2)]
        User.objects.bulk_create(users, batch_size=1000)
        by_name = dict(User.objects.filter(username__startswith=PREFIX).values_list("username", "id"))
        rows = [Assignment(user_id=by_name[f"{PREFIX}gw-{g}"], role=Role.GRID_WORKER, node_id=g) for g, _s in grids]
        for i in range(0, len(grids), 4):
            for g, _s in grids[i:i + 4]:
                rows.append(Assignment(user_id=by_name[f"{PREFIX}gl-{grids[i][0]}"], role=Role.GRID_LEADER, node_id=g))
        rows += [Assignment(user_id=by_name[f"{PREFIX}po-{s}-{k}"], role=Role.OFFICER, node_id=s) for s in streets for k in (1, 2)]
        Assignment.objects.bulk_create(rows, batch_size=2000)
    return dict(Assignment.objects.filter(node_id__in=[g for g, _s in grids], role=Role.GRID_WORKER,
                                          user__username__startswith=PREFIX).values_list("node_id", "user_id"))


def county_office(county):
    from django.utils.crypto import get_random_string

    from fanzha.org import services
    from fanzha.org.models import Role, User

    user = User.objects.filter(username=f"{PREFIX}office").first()
    if user is None:
        user = services.user_create(username=f"{PREFIX}office", password=get_random_string(24), display_name="基准测试",
                                    role=Role.OFFICE, node=county)
    return User.objects.get(pk=user.pk)


def sample_residents(county, n: int, rng: random.Random) -> list[tuple[int, int, str, str]]:
    """(resident id, grid id, phone, ID number) of `n` random residents of the county with a phone."""
    from django.db.models import Max, Min

    from fanzha.core import pii
    from fanzha.org.models import Resident

    qs = Resident.objects.filter(county=county)
    bounds = qs.aggregate(lo=Min("id"), hi=Max("id"))
    out: dict[int, tuple] = {}
    while len(out) < n:
        ids = [rng.randint(bounds["lo"], bounds["hi"]) for _ in range(min(n * 2, 20000))]
        for start in range(0, len(ids), 500):
            for rid, grid, phone_enc, id_enc in (qs.filter(id__in=ids[start:start + 500]).exclude(phone_hash="")
                                                 .values_list("id", "grid_id", "phone_enc", "id_number_enc")):
                out.setdefault(rid, (rid, grid, pii.decrypt(phone_enc), pii.decrypt(id_enc)))
    return list(out.values())[:n]


def bench_sender(county, name: str):
    from fanzha.alerts import services
    from fanzha.alerts.models import Sender

    old = Sender.objects.filter(name=name).first()
    if old is not None:
        purge_alerts("sender_id = %s", [old.pk])
        Sender.objects.filter(pk=old.pk).delete()
    sender, token = services.sender_create(name=name, node=county)
    return sender, token


def purge_alerts(where: str, params: list) -> int:
    """Delete the alerts matching a WHERE clause on alerts_alert, with everything hanging off them."""
    from django.db import connection, transaction

    ids = f"SELECT id FROM alerts_alert WHERE {where}"
    with transaction.atomic(), connection.cursor() as cur:
        for table in ("alerts_alertevent", "alerts_alertassignee", "alerts_notification", "alerts_alertconflict"):
            cur.execute(f"DELETE FROM {table} WHERE alert_id IN ({ids})", params)
        cur.execute(f"DELETE FROM alerts_alert WHERE {where}", params)
        n = cur.rowcount
        cur.execute("DELETE FROM alerts_notification WHERE user_id IN (SELECT id FROM org_user WHERE username LIKE %s)",
                    [PREFIX + "%"])
    return n


def vacuum() -> None:
    """PostgreSQL: clear the dead rows earlier runs left (autovacuum would, in its own time)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for table in ("alerts_alert", "alerts_alertevent", "alerts_alertassignee", "alerts_notification"):
                cur.execute(f"VACUUM ANALYZE {table}")


RESPONDER_PREFIXES = ("gw-", "gl-", "po-", "cs-")


def remove_responders() -> None:
    """Delete the people `ensure_responders` (and the sweep bench's community staff) added."""
    from django.db.models import Q

    from fanzha.org.models import User

    q = Q(pk__in=[])
    for p in RESPONDER_PREFIXES:
        q |= Q(username__startswith=PREFIX + p)
    User.objects.filter(q).delete()
