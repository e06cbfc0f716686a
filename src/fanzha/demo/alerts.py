"""Demo alerts: months of handled alerts behind the figures, a live stream in front of them.

- `build_demo_alerts(street)` writes months of closed alerts for the street's
  residents (multi-row INSERTs, a second or two), with the timings and outcomes
  a street would plausibly see: most signed and reached within the limits,
  some late (and escalated), a few unreachable, false alarms, defrauded or not
  ours; plus a handful of open alerts of the last hour so the queue is not empty.
- `replay(street, rate)` pushes new alerts through the same intake as the
  county centre's sender (`alert_ingest`), so a new user sees them arrive.
- `demo_background()` runs `fanzha worker` (and the replay) next to the demo
  web server, as subprocesses stopped with it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import random
import subprocess
import sys
import time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from fanzha.alerts.limits import LimitBook
from fanzha.alerts.models import (
    Alert,
    AlertAssignee,
    AlertEvent,
    AssigneeReason,
    AttemptResult,
    ContactChannel,
    EventKind,
    Grade,
    Outcome,
    Sender,
    Source,
    Stage,
    Status,
)
from fanzha.core.bulk import insert_rows, values_present
from fanzha.org.models import Assignment, Node, Resident, Role

DEMO_SENDER = "县反诈中心（演示）"
TYPES = [("刷单返利", 30, "https://shuadan.example.invalid"), ("虚假网络投资理财", 14, "投资App「金鼎汇」"),
         ("虚假贷款", 9, "0755-8888****"), ("冒充电商物流客服", 8, "95***客服 400-***"),
         ("虚假购物服务", 7, "https://shop.example.invalid"), ("冒充公检法及政府机关", 6, "+852 5***"),
         ("虚假征信", 5, "征信修复热线"), ("冒充领导熟人", 4, "QQ 28****"), ("网络婚恋交友", 3, "婚恋App"),
         ("网络游戏产品虚假交易", 2, "游戏交易网站"), ("冒充亲属", 3, "微信号 wx_****"), ("养老诈骗/保健品", 3, "保健品推销")]
GRADES = [(Grade.HIGH, 15), (Grade.MEDIUM, 45), (Grade.LOW, 40)]
OUTCOMES = [(Outcome.DISSUADED, 72), (Outcome.FALSE_ALARM, 14), (Outcome.UNREACHABLE, 6), (Outcome.DEFRAUDED, 3),
            (Outcome.NOT_OURS, 5)]
# Median seconds to sign and from signing to first contact, by grade.
SIGN_MEDIAN = {Grade.HIGH: 150, Grade.MEDIUM: 600, Grade.LOW: 2400}
CONTACT_MEDIAN = {Grade.HIGH: 200, Grade.MEDIUM: 900, Grade.LOW: 4 * 3600}


def _pick(rng: random.Random, pairs):
    return rng.choices([v for v, _w in pairs], weights=[w for _v, w in pairs])[0]


def _lognormal(rng: random.Random, median: float, spread: float = 0.8) -> float:
    return median * math.exp(rng.gauss(0, spread))


def demo_sender(street: Node) -> Sender:
    """The demo's county-centre sender (created once; its token is never shown)."""
    from fanzha.alerts import services

    sender = Sender.objects.filter(name=DEMO_SENDER).first()
    if sender is None:
        sender, _token = services.sender_create(name=DEMO_SENDER, node=street)
    return sender


def _responders(street: Node) -> tuple[dict[int, list[tuple[int, str]]], list[int]]:
    grids: dict[int, list[tuple[int, str]]] = {}
    reason = {Role.GRID_WORKER: AssigneeReason.GRID_WORKER, Role.GRID_LEADER: AssigneeReason.GRID_LEADER}
    rows = Assignment.objects.filter(node__street=street, role__in=list(reason), user__is_active=True).order_by("role", "id")
    for node_id, user_id, role in rows.values_list("node_id", "user_id", "role"):
        grids.setdefault(node_id, []).append((user_id, reason[role]))
    officers = list(Assignment.objects.filter(node=street, role=Role.OFFICER).values_list("user_id", flat=True))
    return grids, officers


#: The demo users whose grids get a good share of the open and replayed alerts, so logging in as them shows work.
FEATURED_USERS = ("grid1", "grid2")


def featured_resident_ids(street: Node) -> list[int]:
    """Residents (with a phone) of the grids the featured demo users work in."""
    grids = Assignment.objects.filter(user__username__in=FEATURED_USERS, node__street=street).values_list("node_id", flat=True)
    return list(Resident.objects.filter(grid_id__in=list(grids)).exclude(phone_hash="").values_list("id", flat=True))


RESIDENT_COLUMNS = ("id", "county_id", "street_id", "community_id", "grid_id", "name", "phone_enc", "phone_hash",
                    "phone_masked", "id_number_enc", "id_number_hash", "id_number_masked")


def _sample_residents(street: Node, n: int, rng: random.Random) -> list[tuple]:
    ids = list(Resident.objects.filter(street=street).exclude(phone_hash="").values_list("id", flat=True))
    if not ids:
        return []
    chosen = rng.sample(ids, min(n, len(ids))) if n <= len(ids) else [rng.choice(ids) for _ in range(n)]
    by_id = {}
    for start in range(0, len(chosen), 500):
        for row in Resident.objects.filter(pk__in=chosen[start:start + 500]).values_list(*RESIDENT_COLUMNS):
            by_id[row[0]] = row
    return [by_id[i] for i in chosen if i in by_id]


def build_demo_alerts(street: Node, *, months: int = 6, seed: int = 2026, per_day: float = 9.0, open_now: int = 6,
                      now: dt.datetime | None = None, stdout=None) -> int:
    """Months of closed alerts (and a few open ones) for `street`; returns how many were written.

    1. Sample residents of the street (with a phone) and, per day, a Poisson-like
       number of alerts at plausible hours.
    2. Each alert: grade, fraud type, routed to the resident's grid people (and
       the street's officers for high grade); time to sign and to first contact
       drawn per grade, so most meet the limits and some do not — those carry the
       escalation the sweep would have made; attempts, on-site visits for high
       grade, an outcome and, for some dissuaded ones, the money saved.
    3. Alerts, assignees and timeline events as multi-row INSERTs; ids read back
       by intake key. Skipped entirely when the street already has demo alerts.
    """
    rng = random.Random(seed)
    now = now or timezone.now()
    if Alert.objects.filter(street=street, source=Source.DEMO).exists():
        return 0
    sender = demo_sender(street)
    grids, officers = _responders(street)
    limits = LimitBook([street.pk])
    start_day = timezone.localdate(now) - dt.timedelta(days=int(months * 30.5))
    days = (timezone.localdate(now) - start_day).days
    counts = [max(0, int(rng.gauss(per_day, math.sqrt(per_day)))) for _ in range(days)]
    residents = _sample_residents(street, sum(counts) + open_now, rng)
    if not residents:
        return 0
    featured = featured_resident_ids(street)
    if featured:
        # The open alerts of the last hour: half of them in the featured users' grids.
        rows = {r[0]: r for r in Resident.objects.filter(pk__in=rng.sample(featured, min(len(featured), (open_now + 1) // 2)))
                .values_list(*RESIDENT_COLUMNS)}
        residents[sum(counts):sum(counts) + len(rows)] = list(rows.values())
    tz = timezone.get_current_timezone()
    alerts: list[Alert] = []
    plans: list[dict] = []
    k = 0
    for d, n in enumerate(counts):
        day = start_day + dt.timedelta(days=d)
        for _ in range(n):
            r = residents[k % len(residents)]
            k += 1
            hour = rng.choices(range(24), weights=[1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 7, 7, 8, 8, 8, 7, 6, 6, 5, 4, 3, 2])[0]
            received = dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59), rng.randint(0, 59)), tzinfo=tz)
            if received >= now - dt.timedelta(hours=2):
                continue
            a, plan = _closed_alert(rng, r, received, sender=sender, grids=grids, officers=officers, limits=limits,
                                    key=f"demo:{street.pk}:{day:%Y%m%d}:{k}")
            alerts.append(a)
            plans.append(plan)
    for i in range(open_now):
        r = residents[(sum(counts) + i) % len(residents)]
        received = now - dt.timedelta(minutes=rng.randint(1, 50))
        a, plan = _open_alert(rng, r, received, i, now=now, sender=sender, grids=grids, officers=officers,
                              limits=limits, key=f"demo:{street.pk}:open:{now:%Y%m%d%H%M}:{i}")
        alerts.append(a)
        plans.append(plan)
    with transaction.atomic():
        fields = [f.attname for f in Alert._meta.concrete_fields if not f.primary_key]
        insert_rows(Alert, fields, [tuple(getattr(a, c) for c in fields) for a in alerts])
        ids = values_present(Alert, "intake_key", [a.intake_key for a in alerts])
        assignees, events = [], []
        for a, plan in zip(alerts, plans):
            pk = ids[a.intake_key]
            for u, reason in plan["assignees"]:
                assignees.append((pk, u, reason, a.received_at))
            for at, user, kind, channel, result, note, node in plan["events"]:
                events.append((pk, at, user, kind, channel, result, note, node))
        insert_rows(AlertAssignee, ["alert_id", "user_id", "reason", "assigned_at"], assignees)
        insert_rows(AlertEvent, ["alert_id", "at", "user_id", "kind", "channel", "result", "note", "node_id"], events)
    if stdout is not None:
        stdout.write(f"  alerts: {len(alerts)} demo alerts over {months} months ({open_now} open now)")
    return len(alerts)


def _base(rng, r, received, *, sender, grids, officers, limits, key, grade: str | None = None) -> tuple[Alert, dict]:
    grade = _pick(rng, GRADES) if grade is None else grade
    ftype, _w, contact = rng.choices(TYPES, weights=[t[1] for t in TYPES])[0]
    (rid, county, street, community, grid, name, phone_enc, phone_hash, phone_masked, id_enc, id_hash, id_masked) = r
    lim = limits.get(street, grade)
    due = {"sign_due_at": received + dt.timedelta(minutes=lim.sign) if lim.sign else None,
           "contact_due_at": received + dt.timedelta(minutes=lim.contact) if lim.contact else None,
           "onsite_due_at": received + dt.timedelta(minutes=lim.onsite) if lim.onsite else None}
    people = list(grids.get(grid, []))
    if grade == Grade.HIGH:
        people += [(u, AssigneeReason.OFFICER) for u in officers if u not in {p for p, _r in people}]
    a = Alert(sender=sender, source=Source.DEMO, external_id=f"YJ{timezone.localtime(received):%Y%m%d%H%M%S}{rng.randint(10, 99)}",
              intake_key=key, content_hash="", grade=grade, status=Status.NEW, name=name, fraud_type_text=ftype,
              fraud_contact=contact, note="", area_code="", occurred_at=received - dt.timedelta(seconds=rng.randint(5, 90)),
              received_at=received, resident_id=rid, route_note="按手机号匹配到居民", max_escalation=2,
              county_id=county, street_id=street, community_id=community, grid_id=grid, group_id=None,
              phone_enc=phone_enc, phone_hash=phone_hash, phone_masked=phone_masked, id_number_enc=id_enc,
              id_number_hash=id_hash, id_number_masked=id_masked, updated_at=received, **due)
    plan = {"assignees": people, "events": [(received, None, EventKind.ROUTED, "", "", a.route_note, grid)]}
    return a, plan


def _escalate(a: Alert, plan: dict, stage: str, due: dt.datetime) -> None:
    if a.escalation_level >= a.max_escalation:
        return
    a.escalation_level += 1
    a.escalated_at, a.escalated_for = due, stage
    a.escalated_to_id = a.community_id if a.escalation_level == 1 else a.street_id
    plan["events"].append((due, None, EventKind.ESCALATED, "", stage, "", a.escalated_to_id))


def _closed_alert(rng, r, received, **kw) -> tuple[Alert, dict]:
    a, plan = _base(rng, r, received, **kw)
    people = plan["assignees"]
    by_reason: dict[str, list[int]] = {}
    for u, reason in people:
        by_reason.setdefault(reason, []).append(u)
    if a.grade == Grade.HIGH and by_reason.get(AssigneeReason.OFFICER) and rng.random() < 0.3:
        signer = rng.choice(by_reason[AssigneeReason.OFFICER])
    elif by_reason.get(AssigneeReason.GRID_WORKER) and (rng.random() < 0.75 or not by_reason.get(AssigneeReason.GRID_LEADER)):
        signer = rng.choice(by_reason[AssigneeReason.GRID_WORKER])
    else:
        signer = rng.choice(by_reason.get(AssigneeReason.GRID_LEADER) or [u for u, _r in people] or [None])
    outcome = _pick(rng, OUTCOMES)
    t = received + dt.timedelta(seconds=_lognormal(rng, SIGN_MEDIAN[a.grade]))
    a.signed_at, a.signed_by_id, a.status = t, signer, Status.CLOSED
    if a.sign_due_at and t > a.sign_due_at:
        _escalate(a, plan, Stage.SIGN, a.sign_due_at)
    plan["events"].append((t, signer, EventKind.SIGNED, "", "", "", None))
    reach = t + dt.timedelta(seconds=_lognormal(rng, CONTACT_MEDIAN[a.grade]))
    tries = 1 if rng.random() < 0.75 else rng.randint(2, 3)
    if outcome == Outcome.UNREACHABLE:
        tries = rng.randint(3, 5)
    at = t
    for i in range(tries):
        at = at + dt.timedelta(seconds=rng.randint(30, 300)) if i else t + dt.timedelta(seconds=rng.randint(20, 120))
        last = i == tries - 1
        result = AttemptResult.REACHED if last and outcome != Outcome.UNREACHABLE else rng.choice(
            [AttemptResult.NO_ANSWER, AttemptResult.REFUSED, AttemptResult.UNAVAILABLE])
        if last and result == AttemptResult.REACHED:
            at = max(at, reach)
            a.first_contact_at = at
        a.first_attempt_at = a.first_attempt_at or at
        channel = ContactChannel.CALLBACK_96110 if i == 1 and rng.random() < 0.3 else ContactChannel.PHONE
        plan["events"].append((at, signer, EventKind.ATTEMPT, channel, result, "", None))
    a.attempts = tries
    if a.contact_due_at and (a.first_contact_at is None or a.first_contact_at > a.contact_due_at):
        _escalate(a, plan, Stage.CONTACT, a.contact_due_at)
    if a.grade == Grade.HIGH or outcome == Outcome.UNREACHABLE:
        a.onsite_at = at + dt.timedelta(minutes=rng.randint(5, 25))
        found = outcome != Outcome.UNREACHABLE
        plan["events"].append((a.onsite_at, signer, EventKind.ATTEMPT, ContactChannel.ONSITE,
                               AttemptResult.REACHED if found else AttemptResult.NOT_FOUND, "", None))
        if found and a.first_contact_at is None:
            a.first_contact_at = a.onsite_at
        if found:
            a.warned_at = a.onsite_at + dt.timedelta(minutes=rng.randint(2, 15))
            plan["events"].append((a.warned_at, signer, EventKind.WARNING, "", "", "", None))
    a.attempts += 1 if a.onsite_at else 0
    a.feedback_at = max(x for x in (a.first_contact_at, a.onsite_at, at) if x) + dt.timedelta(minutes=rng.randint(3, 40))
    plan["events"].append((a.feedback_at, signer, EventKind.FEEDBACK, "", "", "", None))
    a.closed_at = a.feedback_at + dt.timedelta(minutes=rng.randint(1, 30))
    a.closed_by_id, a.outcome = signer, outcome
    if outcome == Outcome.DISSUADED and rng.random() < 0.4:
        a.saved_amount = Decimal(int(_lognormal(rng, 20000, 1.0)) // 100 * 100)
    if outcome == Outcome.NOT_OURS:
        a.transfer_reason = a.close_note = "本人已迁出本辖区，已退回县反诈中心"
    a.watch, a.watch_due_at, a.version = "", None, 6
    plan["events"].append((a.closed_at, signer, EventKind.CLOSED, "", outcome, a.close_note, None))
    return a, plan


def _open_alert(rng, r, received, i: int, *, now, **kw) -> tuple[Alert, dict]:
    """The open ones: new (one high), signed and working, and one already escalated."""
    # The first is high grade, decided before routing so its people include the police station's officers.
    a, plan = _base(rng, r, received, grade=Grade.HIGH if i == 0 else None, **kw)
    people = plan["assignees"]
    signer = people[0][0] if people else None
    if i in (2, 3) and signer:
        a.status, a.signed_by_id = Status.SIGNED, signer
        a.signed_at = received + dt.timedelta(seconds=rng.randint(40, 200))
        plan["events"].append((a.signed_at, signer, EventKind.SIGNED, "", "", "", None))
    if i == 3 and a.signed_at:
        a.first_attempt_at = a.signed_at + dt.timedelta(seconds=60)
        a.attempts = 1
        plan["events"].append((a.first_attempt_at, signer, EventKind.ATTEMPT, ContactChannel.PHONE, AttemptResult.NO_ANSWER, "", None))
    # Point the sweep at the next limit; a limit already passed escalates at once, as it would have.
    for stage, due, met in ((Stage.SIGN, a.sign_due_at, a.signed_at), (Stage.CONTACT, a.contact_due_at, a.first_contact_at),
                            (Stage.ONSITE, a.onsite_due_at, a.onsite_at)):
        if due is not None and met is None:
            a.watch, a.watch_due_at = stage, due
            break
    return a, plan


AWKWARD_PREFIX = "DEMO-AWK-"


def build_awkward_alerts(street: Node, *, now: dt.datetime | None = None, stdout=None) -> int:
    """The cases a demo must show, pushed through the real intake (so routed as in production):

    1. a person not on the register, medium grade: waits in the street's queue for assignment;
    2. one not on the register, high grade, with a community's area code: that community's
       queue, and the police station's officers (high grade);
    3. one whose area code is outside the jurisdiction: marked for transfer back;
    4. a registered resident of a featured grid, high grade, unsigned for 40 minutes:
       overdue, escalated to the community by the sweep;
    5. a registered resident, medium grade, signed but not reached for two hours: overdue
       and escalated;
    6. a person not on the register, low grade, a day and more old: overdue at the street
       (a street queue cannot climb higher).
    Once only (skipped when the first one exists); returns how many were pushed.
    """
    from fanzha.alerts import services
    from fanzha.alerts.sweep import run_sweep

    now = now or timezone.now()
    sender = demo_sender(street)
    if Alert.objects.filter(sender=sender, external_id=f"{AWKWARD_PREFIX}1").exists():
        return 0
    community = Node.objects.filter(street=street, level="community").order_by("sort", "code").first()
    featured = featured_resident_ids(street) or list(Resident.objects.filter(street=street).exclude(phone_hash="")
                                                     .values_list("id", flat=True)[:2])
    residents = list(Resident.objects.filter(pk__in=featured[:2]).order_by("id"))
    cases = [
        (1, 25, {"grade": "中", "name": "未登记人员甲", "phone": "17000000001", "fraud_type": "刷单返利"}),
        (2, 8, {"grade": "高", "name": "未登记人员乙", "phone": "17000000002", "fraud_type": "冒充公检法及政府机关",
                "area_code": community.code if community else ""}),
        (3, 15, {"grade": "中", "name": "外地人员丙", "phone": "17000000003", "fraud_type": "虚假贷款",
                 "area_code": "OUTSIDE-0001"}),
    ]
    if residents:
        r = residents[0]
        cases.append((4, 40, {"grade": "高", "name": r.name, "phone": r.phone, "fraud_type": "虚假网络投资理财"}))
        r = residents[-1]
        cases.append((5, 120, {"grade": "中", "name": r.name, "phone": r.phone, "fraud_type": "虚假征信"}))
    cases.append((6, 26 * 60, {"grade": "低", "name": "未登记人员丁", "phone": "17000000006", "fraud_type": "网络婚恋交友"}))
    pushed = 0
    for n, minutes_ago, data in cases:
        at = now - dt.timedelta(minutes=minutes_ago)
        data = {"external_id": f"{AWKWARD_PREFIX}{n}", "occurred_at": at - dt.timedelta(seconds=40),
                "note": "演示：难办的情形", **data}
        result = services.alert_ingest(sender=sender, data=data, now=at)
        pushed += 1
        if n == 5:
            people = list(result.alert.assignees.select_related("user").order_by("id"))
            if people:
                who = people[0].user
                a = services.alert_sign(user=who, alert=result.alert, now=at + dt.timedelta(minutes=3))
                services.alert_contact_add(user=who, alert=a, channel=ContactChannel.PHONE, result=AttemptResult.NO_ANSWER,
                                           now=at + dt.timedelta(minutes=5), note="无人接听")
    run_sweep(now=now)  # the limits already missed escalate, as the worker would have done
    if stdout is not None:
        stdout.write(f"  alerts: {pushed} awkward cases (not on the register, out of area, escalated, overdue)")
    return pushed


def load_demo(street: Node, stdout=None) -> None:
    """Demo loader hook (`fanzha demo`): six months of alerts for the demo street, and the awkward cases."""
    build_demo_alerts(street, months=6, stdout=stdout)
    build_awkward_alerts(street, stdout=stdout)


def load_county(county: Node, stdout=None) -> None:
    """Nothing at county scale: the benchmarks make their own alerts."""


# --- the live stream ---------------------------------------------------------------------------------


def replay_one(rng: random.Random, street: Node, sender: Sender, resident_ids: list[int], featured: list[int] = ()):
    """Push one plausible alert for a random resident of the street (a few for nobody on the register,
    a third for residents of the featured demo users' grids)."""
    from fanzha.alerts import services

    now = timezone.now()
    ftype, _w, contact = rng.choices(TYPES, weights=[t[1] for t in TYPES])[0]
    data = {"external_id": f"DEMO{now:%Y%m%d%H%M%S}{rng.randint(1000, 9999)}", "occurred_at": now - dt.timedelta(seconds=rng.randint(3, 60)),
            "grade": _pick(rng, [(Grade.HIGH, 25), (Grade.MEDIUM, 45), (Grade.LOW, 30)]), "fraud_type": ftype,
            "fraud_contact": contact}
    if rng.random() < 0.06 or not resident_ids:
        data.update(name="未登记人员", phone=f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}")
    else:
        r = Resident.objects.get(pk=rng.choice(featured if featured and rng.random() < 0.35 else resident_ids))
        data.update(name=r.name, phone=r.phone, id_number=r.id_number if rng.random() < 0.5 else "")
    return services.alert_ingest(sender=sender, data=data)


def replay(street: Node, *, rate: float = 2.0, count: int | None = None, seed: int | None = None, stdout=None) -> int:
    """Push `rate` alerts a minute (jittered) until `count` are pushed or interrupted; returns how many."""
    rng = random.Random(seed)
    sender = demo_sender(street)
    resident_ids = list(Resident.objects.filter(street=street).exclude(phone_hash="").values_list("id", flat=True))
    featured = featured_resident_ids(street)
    pushed = 0
    try:
        while count is None or pushed < count:
            result = replay_one(rng, street, sender, resident_ids, featured)
            pushed += 1
            if stdout is not None:
                a = result.alert
                stdout.write(f"alert #{a.pk} ({a.get_grade_display()}) → {a.get_status_display()} {a.route_note}")
            if count is not None and pushed >= count:
                break
            time.sleep(max(0.2, rng.expovariate(rate / 60.0)) if rate > 0 else 0)
    except KeyboardInterrupt:
        pass
    return pushed


@contextlib.contextmanager
def demo_background(*, street_code: str = "DEMO", alerts: bool = False, rate: float = 2.0, stdout=None):
    """Run `fanzha worker` (and with `alerts` the replay, after building the alert history once)
    as subprocesses while the block runs; stop them after."""
    if alerts:
        street = Node.objects.filter(code=street_code).first()
        if street is not None and not Alert.objects.filter(street=street).exists():
            build_demo_alerts(street, stdout=stdout)
    cmd = [sys.executable, "-m", "fanzha"]
    procs = [subprocess.Popen([*cmd, "worker"], env=os.environ.copy())]
    if alerts:
        procs.append(subprocess.Popen([*cmd, "alerts_replay", "--street", street_code, "--rate", str(rate)],
                                      env=os.environ.copy()))
    if stdout is not None:
        stdout.write("fanzha: worker started" + (f"; replaying demo alerts ({rate:g}/min)" if alerts else ""))
    try:
        yield procs
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
