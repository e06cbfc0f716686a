"""The escalation sweep: an alert past its time limit climbs one level up the tree, visibly.

Set-based, so one sweep over 100,000 open alerts is a few statements, not a
Python loop: for each escalation level L (0: still at its queue, 1: already
at the level above, ...) one conditional UPDATE claims every alert whose
watched limit has passed and which is still at level L:

    UPDATE alert SET escalation_level = L + 1, escalated_to = <node above>,
                     watch = <next limit>, sweep_token = <this round's token>, ...
    WHERE escalation_level = L AND watch_due_at <= now AND status IN (active)
    RETURNING escalated_to, street, id, grade, name, escalated_for

The `escalation_level = L` condition is the claim: of two workers running at
once, only one UPDATE matches a row (SQLite serialises the two write
transactions; PostgreSQL re-checks the WHERE clause on the row the first worker
committed and skips it), so no alert is escalated twice for one limit. The
claimed rows come back from the UPDATE itself (counts per node, the first few
for notifications and chat lines); their timeline events are written by one
INSERT ... SELECT on this round's token, all in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Case, CharField, DateTimeField, F, Q, Value, When
from django.db.models.sql import UpdateQuery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.alerts.models import (
    ACTIVE_STATUSES,
    Alert,
    AlertEvent,
    EventKind,
    Grade,
    Notification,
    Stage,
)
from fanzha.alerts.notify import alert_url, short_name, users_at, webhook_enqueue
from fanzha.org.models import Level, Node, Role

#: Alerts climb at most grid → community → street.
TOP_LEVEL = 2
#: Up to this many alerts escalated to one node in one round get a notification each; more get one summary.
PER_ALERT_NOTIFICATIONS = 5
WEBHOOK_LINES = 10
#: Who hears about an escalation to a node of each level.
ROLES_AT = {Level.COMMUNITY: (Role.COMMUNITY,), Level.STREET: (Role.OFFICE, Role.OFFICER)}
MISSED = {Stage.SIGN: "超时未签收", Stage.CONTACT: "超时未联系上", Stage.ONSITE: "超时未到场"}


@dataclass
class SweepResult:
    escalated: int = 0
    rounds: int = 0
    by_node: dict[int, int] = field(default_factory=dict)


def _next_watch(level: int):
    """(watch, watch_due_at) expressions for the row after this escalation: the next limit not yet met."""
    last = Q(max_escalation__lte=level + 1)
    watch = Case(
        When(last, then=Value("")),
        When(Q(watch=Stage.SIGN, first_contact_at__isnull=True, contact_due_at__isnull=False), then=Value(Stage.CONTACT)),
        When(Q(watch__in=[Stage.SIGN, Stage.CONTACT], onsite_at__isnull=True, onsite_due_at__isnull=False),
             then=Value(Stage.ONSITE)),
        default=Value(""), output_field=CharField())
    due = Case(
        When(last, then=Value(None)),
        When(Q(watch=Stage.SIGN, first_contact_at__isnull=True, contact_due_at__isnull=False), then=F("contact_due_at")),
        When(Q(watch__in=[Stage.SIGN, Stage.CONTACT], onsite_at__isnull=True, onsite_due_at__isnull=False),
             then=F("onsite_due_at")),
        default=Value(None), output_field=DateTimeField())
    return watch, due


#: What the claim hands back of each alert it escalated (UPDATE ... RETURNING: no second look-up).
CLAIMED = ("escalated_to_id", "street_id", "id", "grade", "name", "escalated_for")


def claim_level(level: int, now: dt.datetime, token: str) -> list[tuple]:
    """Escalate every due alert at `level` by one; returns `CLAIMED` of each alert this call claimed.

    One conditional UPDATE ... RETURNING (SQLite 3.35+, PostgreSQL): the rows it claimed come back
    with it, so recording them needs no further read of the claimed set."""
    watch, due = _next_watch(level)
    qs = Alert.objects.filter(
        escalation_level=level, max_escalation__gt=level, watch_due_at__lte=now, status__in=ACTIVE_STATUSES)
    query = qs.query.chain(UpdateQuery)
    query.add_update_values({
        "escalation_level": level + 1,
        "escalated_at": now,
        "escalated_for": F("watch"),  # SET expressions see the row as it was: the limit just missed
        "escalated_to_id": Case(When(max_escalation=level + 1, then=F("street_id")),
                                When(max_escalation=level + 2, then=F("community_id")), default=Value(None)),
        "watch": watch,
        "watch_due_at": due,
        "sweep_token": token,
    })
    sql, params = query.get_compiler(qs.db).as_sql()
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(f"{sql} RETURNING {', '.join(qn(c) for c in CLAIMED)}", params)
        return cur.fetchall()


def _record(token: str, claimed: list[tuple], now: dt.datetime) -> dict[int, int]:
    """Timeline events, notifications and chat messages for the alerts claimed under `token` (`claimed`: their
    `CLAIMED` columns)."""
    qn = connection.ops.quote_name
    ev, al = AlertEvent._meta, Alert._meta
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {qn(ev.db_table)} ({qn('alert_id')}, {qn('at')}, {qn('user_id')}, {qn('kind')}, {qn('channel')}, "
            f"{qn('result')}, {qn('note')}, {qn('node_id')}) "
            f"SELECT {qn('id')}, %s, NULL, %s, '', {qn('escalated_for')}, '', {qn('escalated_to_id')} "
            f"FROM {qn(al.db_table)} WHERE {qn('sweep_token')} = %s",
            [connection.ops.adapt_datetimefield_value(now), EventKind.ESCALATED, token])
    # How many went to each node, and the first few of each (by id) for per-alert notifications and chat lines.
    counts: dict[tuple[int, int], int] = defaultdict(int)
    few: dict[int, list[tuple]] = defaultdict(list)
    keep = max(PER_ALERT_NOTIFICATIONS, WEBHOOK_LINES)
    for node_id, street_id, pk, grade, name, missed in sorted(claimed, key=lambda r: r[2]):
        if node_id:
            counts[(node_id, street_id)] += 1
            if len(few[node_id]) < keep:
                few[node_id].append((pk, grade, name, missed))
    if not counts:
        return {}
    nodes = Node.objects.in_bulk([n for n, _s in counts])
    people: dict[int, list[int]] = {}
    for level, roles in ROLES_AT.items():
        people.update(users_at([n.pk for n in nodes.values() if n.level == level], roles))
    notes: list[Notification] = []
    lines_by_street: dict[int, list[str]] = defaultdict(list)
    totals_by_street: dict[int, int] = defaultdict(int)
    by_node: dict[int, int] = defaultdict(int)
    for (node_id, street_id), n in counts.items():
        node = nodes[node_id]
        rows = sorted(few[node_id])
        if n <= PER_ALERT_NOTIFICATIONS:
            for pk, grade, _name, missed in rows:
                text = _("预警#%(id)d（%(g)s）%(missed)s，已升级至%(node)s") % {
                    "id": pk, "g": Grade(grade).label, "missed": _(MISSED.get(missed, "超时")), "node": node.name}
                notes += [Notification(user_id=u, created_at=now, kind="escalated", text=text[:300], alert_id=pk,
                                       url=alert_url(pk)) for u in people.get(node_id, [])]
        else:
            text = _("%(n)d条预警超时，已升级至%(node)s") % {"n": n, "node": node.name}
            notes += [Notification(user_id=u, created_at=now, kind="escalated", text=text, url=reverse("alerts:queue") + "?tab=escalated")
                      for u in people.get(node_id, [])]
        totals_by_street[street_id] += n
        by_node[node_id] += n
        for pk, grade, name, missed in rows[:WEBHOOK_LINES]:
            lines_by_street[street_id].append(f"#{pk}（{Grade(grade).label}）{short_name(name)} "
                                              f"{_(MISSED.get(missed, '超时'))} → {node.name}")
    Notification.objects.bulk_create(notes, batch_size=1000)
    for street_id, lines in lines_by_street.items():
        total = totals_by_street[street_id]
        more = _("\n……共%(n)d条") % {"n": total} if total > len(lines[:WEBHOOK_LINES]) else ""
        webhook_enqueue(street_ids=[street_id], now=now,
                        text=_("【预警超时升级】") + "\n" + "\n".join(lines[:WEBHOOK_LINES]) + more)
    return dict(by_node)


def run_sweep(*, now: dt.datetime | None = None, max_rounds: int = TOP_LEVEL + 1) -> SweepResult:
    """Escalate every alert past its watched limit (once per missed limit).

    1. For each level 0..TOP_LEVEL-1, in its own transaction: claim the due
       alerts at that level with one conditional UPDATE (see module docstring),
       then record events, notifications and webhook messages for them.
    2. Repeat while anything was claimed (an alert that missed two limits while
       no worker ran climbs one level per missed limit), at most `max_rounds`.
    """
    now = now or timezone.now()
    result = SweepResult()
    for _round in range(max_rounds):
        claimed = 0
        for level in range(TOP_LEVEL):
            token = uuid.uuid4().hex
            with transaction.atomic():
                rows = claim_level(level, now, token)
                n = len(rows)
                if n:
                    for node_id, k in _record(token, rows, now).items():
                        result.by_node[node_id] = result.by_node.get(node_id, 0) + k
            claimed += n
        result.rounds += 1
        result.escalated += claimed
        if not claimed:
            break
    return result
