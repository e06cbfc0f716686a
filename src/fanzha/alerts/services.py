"""Writes on alerts: intake, routing, assignment, the response steps, closing, and the office's settings.

Concurrency (SPEC §3: two workers never both take or close the same alert,
nothing an operator entered is lost):
- signing is a conditional UPDATE `WHERE signed_by IS NULL`; the row count says
  who won, and the loser is told who has it;
- closing is a conditional UPDATE `WHERE version = <the version the form showed>`;
  a newer edit in between makes it fail with a message, and the form keeps what
  was typed;
- contact attempts and other steps only add rows and timestamps that are still
  empty, under the row lock, so two people recording at once both keep theirs.
Every step writes an `AlertEvent` with time, user and note.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.alerts.inputs import AlertInput, clean_alert, differences
from fanzha.alerts.limits import LimitBook, due_times, first_watch
from fanzha.alerts.models import (
    ACTIVE_STATUSES,
    STAGE_ORDER,
    Alert,
    AlertAssignee,
    AlertConflict,
    AlertEvent,
    AssigneeReason,
    AttemptResult,
    Channel,
    ConflictStatus,
    EventKind,
    Grade,
    Judgement,
    Outcome,
    Sender,
    Source,
    Stage,
    Status,
    TimeLimit,
    Webhook,
)
from fanzha.alerts.notify import notify_users, short_name, users_at, webhook_enqueue
from fanzha.alerts.routing import Place, Route, Router, place_columns
from fanzha.alerts.sql import insert as _insert
from fanzha.alerts.sql import insert_returning_id
from fanzha.core import pii
from fanzha.core.idnumbers import mask_id_number, mask_phone
from fanzha.org.models import Assignment, Level, Node, Role, User

#: Phone attempts without reaching the person before "unreachable" may be chosen (with an on-site visit).
UNREACHABLE_TRIES = 3
MAX_SAVED = Decimal(1000000000)
RESPONDER_ROLES = (Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY, Role.OFFICER, Role.OFFICE)


class AlertTaken(ValidationError):
    """Someone else signed first."""


class AlertEditConflict(ValidationError):
    """The alert changed since the form was shown."""


class AlertIdConflict(Exception):
    """A repeated alert id with different content: kept as `conflict`, nothing merged."""

    def __init__(self, conflict: AlertConflict, created: bool):
        self.conflict = conflict
        self.created = created
        super().__init__(f"alert id conflict #{conflict.pk}")


@dataclass
class IngestResult:
    alert: Alert
    created: bool
    routed: dict | None = None  # for a new alert: {"node": {...}, "assignees": [names]}, known without another query


def _when(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def alert_url(alert_id: int) -> str:
    return f"/alerts/{alert_id}/"


def grade_label(grade: str) -> str:
    return str(Grade(grade).label)


def new_alert_text(alert: Alert, place_name: str) -> str:
    due = ""
    nxt = alert.next_due()
    if nxt:
        minutes = max(0, round((nxt[1] - alert.received_at).total_seconds() / 60))
        due = _("，%(m)d分钟内%(stage)s") % {"m": minutes, "stage": Stage(nxt[0]).label}
    return _("新预警（%(grade)s）#%(id)d：%(name)s %(phone)s，%(place)s%(due)s") % {
        "grade": grade_label(alert.grade), "id": alert.pk, "name": short_name(alert.name),
        "phone": alert.phone_masked, "place": place_name, "due": due}


# --- intake ---------------------------------------------------------------------------------------


def alert_values(inp: AlertInput, route: Route, *, limits: LimitBook, now: dt.datetime, source: str,
                 sender_id: int | None = None, intake_key: str | None = None, batch_id: int | None = None,
                 encrypt=pii.encrypt) -> dict:
    """The column values (attnames) of a new alert for `inp`, placed where `route` says, with its
    due times and first watch; the other columns take their defaults. Plain values, so a batch can
    insert them without building ten thousand model instances."""
    v = {"sender_id": sender_id, "batch_id": batch_id, "source": source, "external_id": inp.external_id,
         "intake_key": intake_key, "content_hash": inp.content_hash(), "grade": inp.grade, "status": route.status,
         "name": inp.name, "fraud_type_text": inp.fraud_type, "fraud_contact": inp.fraud_contact, "note": inp.note,
         "area_code": inp.area_code, "occurred_at": inp.occurred_at, "received_at": now,
         "resident_id": route.resident_id, "route_note": route.note[:200],
         "transfer_reason": route.transfer_reason[:200], "updated_at": now, "max_escalation": route.max_escalation,
         **place_columns(route.place),
         # what PiiMixin's setters store, with the encrypter passed in (a batch looks the key up once)
         "id_number_enc": encrypt(inp.id_number), "phone_enc": encrypt(inp.phone),
         "id_number_hash": pii.lookup_hash("id", inp.id_number), "phone_hash": pii.lookup_hash("phone", inp.phone),
         "id_number_masked": mask_id_number(inp.id_number) if inp.id_number else "",
         "phone_masked": mask_phone(inp.phone) if inp.phone else "",
         "sign_due_at": None, "contact_due_at": None, "onsite_due_at": None, "watch": "", "watch_due_at": None}
    if route.status != Status.TRANSFER:
        dues = due_times(limits.get(route.place.street_id, inp.grade), now)
        v.update(dues)
        v["watch"], v["watch_due_at"] = first_watch(dues, route.max_escalation)
    return v


def alert_from_route(inp: AlertInput, route: Route, *, limits: LimitBook, now: dt.datetime, source: str,
                     sender: Sender | None = None, intake_key: str | None = None) -> Alert:
    """An unsaved Alert for `inp` placed where `route` says, with its due times and first watch."""
    return Alert(**alert_values(inp, route, limits=limits, now=now, source=source,
                                sender_id=sender.pk if sender else None, intake_key=intake_key))


def _queue_staff(route: Route) -> list[int]:
    """Who looks after a queue waiting for manual assignment (or a transfer): community staff, else the office."""
    if route.status == Status.PENDING and route.place.community_id and not route.place.grid_id:
        staff = users_at([route.place.community_id], [Role.COMMUNITY]).get(route.place.community_id, [])
        if staff:
            return staff
    street = route.place.street_id
    if street:
        return users_at([street], [Role.OFFICE]).get(street, [])
    return []


def input_of(alert: Alert) -> AlertInput:
    """The content of a stored alert as an AlertInput (numbers decrypted; stays in memory)."""
    return AlertInput(external_id=alert.external_id, occurred_at=alert.occurred_at, grade=alert.grade, name=alert.name,
                      phone=alert.phone, id_number=alert.id_number, fraud_type=alert.fraud_type_text,
                      fraud_contact=alert.fraud_contact, note=alert.note, area_code=alert.area_code)


def alert_ingest(*, sender: Sender, data: dict, now: dt.datetime | None = None) -> IngestResult:
    """Take one pushed alert; idempotent on (sender, alert id).

    1. Check every field (ValidationError: nothing stored).
    2. The same id again: with the same content it is the same alert (a retry);
       with different content an AlertConflict is kept and AlertIdConflict raised.
    3. Otherwise route it (all reads first, outside the write transaction, so the
       database's write lock is held only for the inserts).
    4. One transaction: the alert, its assignees, the routing event, notifications,
       and for high grade a message to the street's group-chat bots.
    A concurrent identical push loses the unique intake key and answers as a retry.
    The pushes come one by one and often, so the reads and writes here are plain SQL
    on indexed columns (the ORM's compilation would cost more than the statements).
    """
    now = _when(now)
    inp = clean_alert(data, now=now)
    key = f"s{sender.pk}:{inp.external_id}"
    existing = _alert_id_by_key(key)
    if existing is not None:
        return _repeat(Alert.objects.get(pk=existing), inp, sender=sender, now=now)
    router = Router(sender.node).prepare([inp])
    route = router.route(inp)
    limits = LimitBook([route.place.street_id])
    notices = _notices_for(route, inp.grade)
    values = alert_values(inp, route, limits=limits, now=now, source=Source.API, sender_id=sender.pk, intake_key=key)
    try:
        with _intake_lock(), transaction.atomic():
            pk = insert_returning_id(Alert, list(values), tuple(values.values())) or _alert_id_by_key(key)
            alert = Alert(pk=pk, **values)
            alert._state.adding, alert._state.db = False, "default"
            _after_routing(alert, route, notices, now=now)
    except IntegrityError:
        existing = _alert_id_by_key(key)
        if existing is None:
            raise
        return _repeat(Alert.objects.get(pk=existing), inp, sender=sender, now=now)
    routed = {"node": notices.node, "assignees": [router.user_names.get(u, "?") for u, _r in route.assignees]}
    return IngestResult(alert, True, routed)


_SQLITE_WRITERS = threading.Lock()


def _intake_lock():
    """On SQLite, the intake's write transactions of one process queue on a Python lock.

    SQLite lets one writer in at a time; a second one waits in SQLite's busy handler,
    which sleeps in growing steps (1, 2, 5, 10 ... 100 ms) and so turns a 1 ms wait into
    tens of milliseconds under load. A thread waiting on this lock instead wakes the moment
    the previous push commits. Other processes (the worker, more web processes) still
    meet at SQLite's own lock. PostgreSQL locks rows, not the database: nothing to do.
    """
    return _SQLITE_WRITERS if connection.vendor == "sqlite" else contextlib.nullcontext()


def _alert_id_by_key(key: str) -> int | None:
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(f"SELECT id FROM {qn(Alert._meta.db_table)} WHERE intake_key = %s", [key])
        row = cur.fetchone()
    return row[0] if row else None


@dataclass
class _Notices:
    """What the notifications of a new alert need, read before the write transaction opens
    (on SQLite the transaction holds the database's write lock: keep it to the inserts)."""

    node: dict | None
    queue_staff: list[int]
    webhooks: list[int]

    @property
    def place_name(self) -> str:
        return self.node["name"] if self.node else ""


def _notices_for(route: Route, grade: str) -> _Notices:
    qn = connection.ops.quote_name
    node = None
    with connection.cursor() as cur:
        if route.place.node_id:
            cur.execute(f"SELECT id, name, level, code FROM {qn(Node._meta.db_table)} WHERE id = %s", [route.place.node_id])
            row = cur.fetchone()
            node = dict(zip(("id", "name", "level", "code"), row)) if row else None
        hooks = []
        if grade == Grade.HIGH and route.status != Status.TRANSFER and route.place.street_id:
            cur.execute(f"SELECT id FROM {qn(Webhook._meta.db_table)} WHERE street_id = %s AND active = %s",
                        [route.place.street_id, True])
            hooks = [r[0] for r in cur.fetchall()]
    staff = _queue_staff(route) if route.status in (Status.PENDING, Status.TRANSFER) else []
    return _Notices(node, staff, hooks)


def _after_routing(alert: Alert, route: Route, notices: _Notices, *, now: dt.datetime) -> None:
    _insert(AlertAssignee, ["alert_id", "user_id", "reason", "assigned_at"],
            [(alert.pk, u, r, now) for u, r in route.assignees])
    _insert(AlertEvent, ["alert_id", "at", "kind", "node_id", "note"],
                [(alert.pk, now, EventKind.TRANSFER if route.status == Status.TRANSFER else EventKind.ROUTED,
                  route.place.node_id, route.note[:1000])])
    if route.status == Status.TRANSFER:
        notify_users(notices.queue_staff, kind="transfer", now=now, alert_id=alert.pk, url=alert_url(alert.pk),
                     text=_("预警#%(id)d需移交：%(why)s") % {"id": alert.pk, "why": route.transfer_reason})
        return
    text = new_alert_text(alert, notices.place_name)
    people = [u for u, _r in route.assignees]
    if route.status == Status.PENDING:
        people += notices.queue_staff
        text = _("待分派") + "·" + text
    officers = {u for u, r in route.assignees if r == AssigneeReason.OFFICER} if route.phone_first else set()
    if officers:
        notify_users([u for u in people if u in officers], kind="new", now=now, alert_id=alert.pk, url=alert_url(alert.pk),
                     text=_("【请立即电话劝阻】") + text)
    notify_users([u for u in people if u not in officers], kind="new", text=text, now=now, alert_id=alert.pk,
                 url=alert_url(alert.pk))
    told = [u for u in route.notify if u not in set(people)]
    if told:
        notify_users(told, kind="new", text=_("知悉·") + text, now=now, alert_id=alert.pk, url=alert_url(alert.pk))
    if notices.webhooks:
        webhook_enqueue(street_ids=[], hooks=notices.webhooks, text=text, now=now)


def _repeat(existing: Alert, inp: AlertInput, *, sender: Sender | None, now: dt.datetime) -> IngestResult:
    h = inp.content_hash()
    if existing.content_hash == h:
        return IngestResult(existing, False)
    conflict, created = _conflict_keep(existing, inp, h, sender=sender, now=now)
    raise AlertIdConflict(conflict, created)


def _conflict_keep(alert: Alert, inp: AlertInput, h: str, *, sender, now) -> tuple[AlertConflict, bool]:
    found = AlertConflict.objects.filter(alert=alert, content_hash=h).first()
    if found is not None:
        return found, False
    diff = differences(input_of(alert), inp)
    try:
        with transaction.atomic():
            conflict = AlertConflict(alert=alert, sender=sender, external_id=inp.external_id, received_at=now,
                                     content_hash=h, payload_enc=pii.encrypt(inp.canonical()), differences=diff)
            conflict.place_at(None)
            for f in ("county", "street", "community", "grid"):
                setattr(conflict, f"{f}_id", getattr(alert, f"{f}_id"))
            conflict.save()
            fields = "、".join(d["label"] for d in diff)
            AlertEvent.objects.create(alert=alert, at=now, kind=EventKind.CONFLICT,
                                      note=_("发送方以相同编号发来不同内容（%(f)s），已留待人工核对") % {"f": fields})
            if alert.street_id:
                notify_users(users_at([alert.street_id], [Role.OFFICE]).get(alert.street_id, []), kind="conflict",
                             now=now, alert_id=alert.pk, url="/alerts/conflicts/",
                             text=_("预警#%(id)d收到编号相同但内容不同的推送（%(f)s），请核对") % {"id": alert.pk, "f": fields})
    except IntegrityError:
        return AlertConflict.objects.get(alert=alert, content_hash=h), False
    return conflict, True


# --- the office's settings ------------------------------------------------------------------------


def sender_create(*, name: str, node: Node) -> tuple[Sender, str]:
    """A sender and its token (shown once; only the hash is kept)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写名称")})
    if node.level not in (Level.COUNTY, Level.STREET):
        raise ValidationError({"node": _("预警来源的服务区域应为区县或街道")})
    if Sender.objects.filter(name=name).exists():
        raise ValidationError({"name": _("已有同名的预警来源")})
    token, prefix, digest = Sender.new_token()
    sender = Sender.objects.create(name=name, node=node, token_prefix=prefix, token_hash=digest)
    return sender, token


def sender_set_active(*, sender: Sender, active: bool) -> Sender:
    from fanzha.alerts.models import forget_senders

    Sender.objects.filter(pk=sender.pk).update(active=active)
    forget_senders()
    sender.active = active
    return sender


def time_limit_set(*, street: Node, grade: str, sign_minutes: int | None, contact_minutes: int | None,
                   onsite_minutes: int | None) -> TimeLimit:
    """Set a grade's limits for a street; applies to alerts received from now on."""
    if street.level != Level.STREET:
        raise ValidationError({"street": _("时限按街道设置")})
    if grade not in Grade.values:
        raise ValidationError({"grade": _("未知的预警级别")})
    errors: dict[str, list[str]] = {}
    values = {"sign_minutes": sign_minutes, "contact_minutes": contact_minutes, "onsite_minutes": onsite_minutes}
    for k, v in values.items():
        if v is not None and not 1 <= v <= 7 * 24 * 60:
            errors[k] = [_("应为 1 到 10080 之间的分钟数，或留空表示不设此时限")]
    ordered = [v for v in values.values() if v is not None]
    if not errors and ordered != sorted(ordered):
        errors["__all__"] = [_("时限应按 签收 ≤ 联系 ≤ 到场 的顺序")]
    if contact_minutes is None and not errors:
        errors["contact_minutes"] = [_("每个级别都需要联系时限")]
    if errors:
        raise ValidationError(errors)
    limit, _created = TimeLimit.objects.update_or_create(street=street, grade=grade, defaults=values)
    return limit


def webhook_add(*, street: Node, url: str, name: str = "") -> Webhook:
    from django.core.validators import URLValidator

    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError({"url": _("请填写完整的网址（http:// 或 https:// 开头）")}) from None
    return Webhook.objects.create(street=street, url=url, name=(name or "").strip()[:100])


def webhook_remove(*, webhook: Webhook) -> None:
    webhook.delete()


# --- the response -----------------------------------------------------------------------------------


def _lock(alert: Alert | int) -> Alert:
    """The current row, locked until the end of the transaction (SQLite: the IMMEDIATE transaction already is)."""
    pk = alert if isinstance(alert, int) else alert.pk
    return Alert.objects.select_for_update().get(pk=pk)


def _advance_watch(alert: Alert) -> None:
    """Move `watch` past limits that are met; the sweep then watches the next one (or none)."""
    if not alert.watch:
        return
    if alert.escalation_level >= alert.max_escalation or alert.status not in ACTIVE_STATUSES:
        watch, due = "", None
    else:
        watch, due = "", None
        met = {Stage.SIGN: alert.signed_at, Stage.CONTACT: alert.first_contact_at, Stage.ONSITE: alert.onsite_at}
        dues = {Stage.SIGN: alert.sign_due_at, Stage.CONTACT: alert.contact_due_at, Stage.ONSITE: alert.onsite_due_at}
        for stage in STAGE_ORDER[STAGE_ORDER.index(alert.watch):]:
            if dues[stage] is not None and met[stage] is None:
                watch, due = stage, dues[stage]
                break
    if (watch, due) != (alert.watch, alert.watch_due_at):
        Alert.objects.filter(pk=alert.pk).update(watch=watch, watch_due_at=due)
        alert.watch, alert.watch_due_at = watch, due


def _event(alert: Alert, user, kind: str, now: dt.datetime, **kw) -> AlertEvent:
    return AlertEvent.objects.create(alert=alert, at=now, user=user if getattr(user, "pk", None) else None, kind=kind, **kw)


def _who(user) -> str:
    return str(user) if user else _("他人")


def alert_sign(*, user: User, alert: Alert, now: dt.datetime | None = None) -> Alert:
    """Sign for an alert: exactly one person wins; the others get AlertTaken naming who has it."""
    now = _when(now)
    with transaction.atomic():
        won = Alert.objects.filter(pk=alert.pk, signed_by__isnull=True, status__in=[Status.NEW, Status.PENDING]).update(
            signed_by=user, signed_at=now, status=Status.SIGNED, version=F("version") + 1, updated_at=now)
        current = Alert.objects.select_related("signed_by").get(pk=alert.pk)
        if not won:
            if current.signed_by_id == user.pk:
                return current  # a double tap: already theirs
            if current.signed_by_id:
                raise AlertTaken(_("%(who)s已于%(at)s签收此预警") % {
                    "who": _who(current.signed_by), "at": timezone.localtime(current.signed_at).strftime("%H:%M:%S")})
            raise ValidationError(_("此预警当前状态为“%(s)s”，不能签收") % {"s": current.get_status_display()})
        AlertAssignee.objects.get_or_create(alert=current, user=user,
                                            defaults={"reason": AssigneeReason.MANUAL, "assigned_at": now})
        _event(current, user, EventKind.SIGNED, now)
        _advance_watch(current)
    return current


def _require_signed(alert: Alert) -> None:
    if alert.status in (Status.NEW, Status.PENDING):
        raise ValidationError(_("请先签收此预警"))
    if alert.status not in ACTIVE_STATUSES:
        raise ValidationError(_("此预警已%(s)s，不能再记录") % {"s": alert.get_status_display()})


def alert_contact_add(*, user: User, alert: Alert, channel: str, result: str, note: str = "",
                      now: dt.datetime | None = None) -> Alert:
    """Record one contact attempt (phone, on-site, 96110 call-back) with its result."""
    now = _when(now)
    if channel not in Channel.values:
        raise ValidationError({"channel": _("未知的联系方式")})
    if result not in AttemptResult.values:
        raise ValidationError({"result": _("未知的联系结果")})
    if result == AttemptResult.NOT_FOUND and channel != Channel.ONSITE:
        raise ValidationError({"result": _("“未找到本人”只用于上门")})
    if channel == Channel.ONSITE and result not in (AttemptResult.REACHED, AttemptResult.NOT_FOUND):
        raise ValidationError({"result": _("上门的结果应为“已联系上”或“未找到本人”")})
    with transaction.atomic():
        a = _lock(alert)
        _require_signed(a)
        changes = {"attempts": F("attempts") + 1, "version": F("version") + 1, "updated_at": now}
        if a.first_attempt_at is None:
            changes["first_attempt_at"] = a.first_attempt_at = now
        if result == AttemptResult.REACHED and a.first_contact_at is None:
            changes["first_contact_at"] = a.first_contact_at = now
        if channel == Channel.ONSITE and a.onsite_at is None:
            changes["onsite_at"] = a.onsite_at = now
        Alert.objects.filter(pk=a.pk).update(**changes)
        _event(a, user, EventKind.ATTEMPT, now, channel=channel, result=result, note=(note or "").strip()[:1000])
        _advance_watch(a)
        a.refresh_from_db()
    return a


STEP_FIELDS = {EventKind.JUDGED: "judged_at", EventKind.IDENTITY: "identity_at", EventKind.WARNING: "warned_at",
               EventKind.FEEDBACK: "feedback_at", EventKind.NOTE: None}


def alert_step_record(*, user: User, alert: Alert, step: str, note: str = "", judgement: str = "",
                      now: dt.datetime | None = None) -> Alert:
    """Record judge / identity check / face-to-face warning / feedback to the centre / a note."""
    now = _when(now)
    if step not in STEP_FIELDS:
        raise ValidationError({"step": _("未知的处置步骤")})
    note = (note or "").strip()[:1000]
    if step == EventKind.JUDGED and judgement not in Judgement.values:
        raise ValidationError({"judgement": _("请选择研判结论")})
    if step == EventKind.NOTE and not note:
        raise ValidationError({"note": _("请填写备注内容")})
    with transaction.atomic():
        a = _lock(alert)
        _require_signed(a)
        changes = {"version": F("version") + 1, "updated_at": now}
        if STEP_FIELDS[step] and getattr(a, STEP_FIELDS[step]) is None:
            changes[STEP_FIELDS[step]] = now
        if step == EventKind.JUDGED:
            changes["judgement"] = judgement
        if step == EventKind.WARNING and a.first_contact_at is None:
            changes["first_contact_at"] = a.first_contact_at = now  # met face to face: reached
        Alert.objects.filter(pk=a.pk).update(**changes)
        _event(a, user, step, now, result=judgement if step == EventKind.JUDGED else "", note=note)
        _advance_watch(a)
        a.refresh_from_db()
    return a


def _amount(value, field: str) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    try:
        amount = Decimal(str(value).replace(",", "").replace("，", "").replace("元", "").strip())
    except InvalidOperation:
        raise ValidationError({field: _("金额应为数字")}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError({field: _("金额应为不小于0的数字")})
    if amount > MAX_SAVED:
        raise ValidationError({field: _("金额超过10亿元，请核对")})
    return amount.quantize(Decimal("0.01"))


@dataclass
class CloseResult:
    alert: Alert
    case: object | None = None


def _check_outcome(a: Alert, outcome: str, note: str, loss: Decimal) -> None:
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("请选择处置结果")})
    if a.status in (Status.NEW, Status.PENDING):
        raise ValidationError(_("请先签收此预警"))
    if outcome == Outcome.DISSUADED and a.first_contact_at is None:
        raise ValidationError({"outcome": _("劝阻成功须先记录联系上本人（电话接通、上门见到或会面宣防）")})
    if outcome == Outcome.UNREACHABLE:
        problems = []
        if a.attempts < UNREACHABLE_TRIES:
            problems.append(_("至少%(n)d次联系（已记录%(k)d次）") % {"n": UNREACHABLE_TRIES, "k": a.attempts})
        if a.onsite_at is None:
            problems.append(_("一次上门寻找"))
        if problems:
            raise ValidationError({"outcome": _("无法联系须先记录") + "、".join(problems)})
    if outcome == Outcome.NOT_OURS and not note:
        raise ValidationError({"note": _("请写明不属于本辖区的原因，以便移交")})
    if outcome == Outcome.DEFRAUDED:
        if loss <= 0:
            raise ValidationError({"loss": _("已被骗请填写损失金额，将据此生成案件")})
        if not a.community_id:
            raise ValidationError({"outcome": _("请先把预警分派到社区或网格，再登记为已被骗")})


def alert_close(*, user: User, alert: Alert, version: int, outcome: str, note: str = "", saved_amount=None,
                loss=None, now: dt.datetime | None = None) -> CloseResult:
    """Close an alert with its outcome, only if nobody changed it since `version` was shown.

    1. Check the outcome's conditions against the alert as the user saw it.
    2. Conditional UPDATE `WHERE version = <seen>` (and still active); no row:
       AlertEditConflict saying who changed it — the caller keeps the typed input.
    3. "Not ours" leaves the alert waiting for transfer; "already defrauded"
       registers a case pre-filled from the alert and links it.
    """
    now = _when(now)
    note = (note or "").strip()[:2000]
    saved = _amount(saved_amount, "saved_amount")
    loss_amount = _amount(loss, "loss")
    _check_outcome(alert, outcome, note, loss_amount)
    status = Status.TRANSFER if outcome == Outcome.NOT_OURS else Status.CLOSED
    with transaction.atomic():
        changes = {"status": status, "outcome": outcome, "close_note": note, "saved_amount": saved, "closed_at": now,
                   "closed_by": user, "version": F("version") + 1, "updated_at": now, "watch": "", "watch_due_at": None}
        if outcome == Outcome.NOT_OURS:
            changes["transfer_reason"] = note[:200]
        won = Alert.objects.filter(pk=alert.pk, version=version, status__in=ACTIVE_STATUSES).update(**changes)
        if not won:
            raise _edit_conflict(alert.pk)
        a = Alert.objects.get(pk=alert.pk)
        case = None
        if outcome == Outcome.DEFRAUDED:
            case = _open_case(a, user=user, loss=loss_amount, note=note, now=now)
            Alert.objects.filter(pk=a.pk).update(case=case)
            a.case = case
        _event(a, user, EventKind.TRANSFER if outcome == Outcome.NOT_OURS else EventKind.CLOSED, now, result=outcome,
               note=note[:1000])
    return CloseResult(a, case)


def _edit_conflict(pk: int) -> AlertEditConflict:
    current = Alert.objects.get(pk=pk)
    last = current.events.exclude(user=None).select_related("user").order_by("-at", "-id").first()
    who = _who(last.user) if last else _("他人")
    at = timezone.localtime(current.updated_at or current.received_at).strftime("%H:%M:%S")
    if current.status not in ACTIVE_STATUSES:
        return AlertEditConflict(_("%(who)s已于%(at)s将此预警办理为“%(s)s”，您的提交未保存（填写的内容仍在下方）") % {
            "who": who, "at": at, "s": current.get_outcome_display() or current.get_status_display()})
    return AlertEditConflict(_("您打开页面后，%(who)s于%(at)s更新了此预警，请核对最新记录后再提交（填写的内容仍在下方）") % {
        "who": who, "at": at})


def guess_fraud_type(text: str) -> str:
    from fanzha.cases.fraud_types import FraudType

    t = (text or "").strip()
    for value, label in FraudType.choices:
        if t and (t == value or t == label or t in label.split("/")):
            return value
    if t:
        from fanzha.cases.classifier import classify

        s = classify(t)
        if s.confidence >= 0.5:
            return str(s.type)
    return FraudType.OTHER


def guess_channel(contact: str) -> str:
    c = (contact or "").lower()
    if "http" in c or "www." in c or ".com" in c or ".cn" in c:
        return "website"
    if "微信" in c or "wechat" in c:
        return "wechat"
    if "qq" in c:
        return "qq"
    if "app" in c:
        return "app"
    return "phone"


def _open_case(a: Alert, *, user, loss: Decimal, note: str, now: dt.datetime):
    """Register the fraud case of an "already defrauded" alert, pre-filled from the alert."""
    from fanzha.cases import services as case_services

    today = timezone.localdate(now)
    victim = a.resident if a.resident_id else None
    community = None
    if victim is None:
        community = Node.objects.get(pk=a.grid_id or a.community_id)
    narrative = _("【由预警#%(id)d转入，待民警核实】预警时间%(t)s，诈骗类型：%(type)s，涉诈号码/网址：%(c)s。%(note)s%(close)s") % {
        "id": a.pk, "t": timezone.localtime(a.occurred_at).strftime("%Y-%m-%d %H:%M"), "type": a.fraud_type_text or "—",
        "c": a.fraud_contact or "—", "note": (a.note + "。") if a.note else "", "close": note}
    return case_services.case_register(
        user=user, reported_on=today, loss_on=min(timezone.localdate(a.occurred_at), today), loss=loss,
        fraud_type=guess_fraud_type(a.fraud_type_text or a.note), channel=guess_channel(a.fraud_contact),
        narrative=narrative, victim=victim, community=community, victim_name="" if victim else a.name, today=today)


def alert_transfer_done(*, user: User, alert: Alert, note: str = "", now: dt.datetime | None = None) -> Alert:
    """The office has sent a not-ours alert back to the centre: it is closed as such."""
    now = _when(now)
    with transaction.atomic():
        won = Alert.objects.filter(pk=alert.pk, status=Status.TRANSFER).update(
            status=Status.CLOSED, outcome=Outcome.NOT_OURS, closed_at=now, closed_by=user,
            version=F("version") + 1, updated_at=now, watch="", watch_due_at=None)
        if not won:
            raise ValidationError(_("此预警不在待移交状态"))
        a = Alert.objects.get(pk=alert.pk)
        _event(a, user, EventKind.CLOSED, now, result=Outcome.NOT_OURS, note=(note or _("已移交/退回预警中心"))[:1000])
    return a


# --- reassignment -------------------------------------------------------------------------------------


def assignable_users(alert: Alert, scope) -> list[tuple[User, Node, str]]:
    """People the alert may be handed to: responders whose node lies in the alert's street and in `scope`."""
    if not alert.street_id:
        return []
    nodes = Node.objects.filter(street_id=alert.street_id, level__in=[Level.STREET, Level.COMMUNITY, Level.GRID])
    nodes = scope.filter(nodes) if not scope.everything else nodes
    node_by_id = {n.pk: n for n in nodes}
    out = []
    seen = set()
    rows = (Assignment.objects.filter(node_id__in=list(node_by_id), role__in=RESPONDER_ROLES, user__is_active=True)
            .select_related("user").order_by("node__sort", "node__code", "role", "user__username"))
    for a in rows:
        if a.user_id in seen:
            continue
        seen.add(a.user_id)
        out.append((a.user, node_by_id[a.node_id], a.get_role_display()))
    return out


def alert_assign(*, user: User, alert: Alert, to_user: User, note: str = "", scope=None,
                 now: dt.datetime | None = None) -> Alert:
    """Hand an alert to one person (one click), logged.

    1. `to_user` must be a responder at a node of the alert's street (and in
       the assigning user's scope when `scope` is given).
    2. If none of their nodes holds the alert's place, the alert moves to their
       node (a grid or community; a pending or transfer alert becomes new there).
    3. The routed people are replaced by `to_user`; a signed alert's signature
       passes to them (its time limits keep running from receipt).
    """
    now = _when(now)
    mine = list(Assignment.objects.filter(user=to_user, role__in=RESPONDER_ROLES, node__isnull=False,
                                          user__is_active=True).select_related("node"))
    mine = [m for m in mine if m.node.street_id == alert.street_id]
    if scope is not None and not scope.everything:
        mine = [m for m in mine if scope.contains_node(m.node)]
    if not mine:
        raise ValidationError({"to_user": _("只能改派给本街道在岗的处置人员")})
    with transaction.atomic():
        a = _lock(alert)
        if a.status == Status.CLOSED:
            raise ValidationError(_("此预警已办结，不能改派"))
        current = Place(a.county_id, a.street_id, a.community_id, a.grid_id)
        holder = next((m.node for m in mine if current.column(m.node.level) == m.node.pk), None)
        changes: dict = {"version": F("version") + 1, "updated_at": now}
        if holder is None:
            target = max((m.node for m in mine), key=lambda n: Place.of_node(n).depth)  # the narrowest of their nodes
            place = Place.of_node(target)
            changes.update(place_columns(place))
            changes["max_escalation"] = a.max_escalation = max(0, place.depth - 1)
            holder = target
        if a.status in (Status.PENDING, Status.TRANSFER):
            changes["status"] = a.status = Status.NEW
            changes["transfer_reason"] = ""
            if a.sign_due_at is None and a.contact_due_at is None:  # came in as a transfer: no limits yet
                dues = due_times(LimitBook([a.street_id]).get(a.street_id, a.grade), now)
                changes.update(dues)
                for k, v in dues.items():
                    setattr(a, k, v)
        if a.signed_by_id and a.signed_by_id != to_user.pk:
            changes["signed_by"] = to_user
        Alert.objects.filter(pk=a.pk).update(**changes)
        AlertAssignee.objects.filter(alert=a).delete()
        AlertAssignee.objects.create(alert=a, user=to_user, reason=AssigneeReason.MANUAL, assigned_at=now)
        _event(a, user, EventKind.ASSIGNED, now, node=holder,
               note=(_("改派给%(who)s") % {"who": to_user} + (f"：{note.strip()}" if note and note.strip() else ""))[:1000])
        a.refresh_from_db()
        if not a.watch and a.status in ACTIVE_STATUSES and a.escalation_level < a.max_escalation:
            # Newly in a queue that can escalate: watch the limits still ahead (one already
            # missed while the alert waited for assignment does not escalate it again).
            def ahead(due, met):
                return due if due is not None and met is None and due > now else None

            stage, due = first_watch({"sign_due_at": ahead(a.sign_due_at, a.signed_at),
                                      "contact_due_at": ahead(a.contact_due_at, a.first_contact_at),
                                      "onsite_due_at": ahead(a.onsite_due_at, a.onsite_at)},
                                     a.max_escalation - a.escalation_level)
            Alert.objects.filter(pk=a.pk).update(watch=stage, watch_due_at=due)
            a.watch, a.watch_due_at = stage, due
        else:
            _advance_watch(a)
        notify_users([to_user.pk], kind="assigned", now=now, alert_id=a.pk, url=alert_url(a.pk),
                     text=_("%(who)s把预警#%(id)d（%(grade)s）改派给您") % {"who": user, "id": a.pk, "grade": grade_label(a.grade)})
    return a


# --- conflicts ----------------------------------------------------------------------------------------


def alert_conflict_resolve(*, user: User, conflict: AlertConflict, apply: bool, now: dt.datetime | None = None) -> AlertConflict:
    """Keep the alert as it is, or correct it to the conflicting version (logged, with the differences).

    A correction of an alert nobody has signed yet routes it again; a signed one keeps its
    place and people. The new content's hash becomes the alert's, so a further retry of it
    is recognised as the same alert.
    """
    now = _when(now)
    with transaction.atomic():
        c = AlertConflict.objects.select_for_update().get(pk=conflict.pk)
        if c.status != ConflictStatus.OPEN:
            raise ValidationError(_("此冲突已处理"))
        a = _lock(c.alert_id)
        if apply:
            inp = AlertInput.from_canonical(c.external_id, pii.decrypt(c.payload_enc))
            a.set_phone(inp.phone)
            a.set_id_number(inp.id_number)
            a.name, a.grade, a.occurred_at = inp.name, inp.grade, inp.occurred_at
            a.fraud_type_text, a.fraud_contact, a.note, a.area_code = inp.fraud_type, inp.fraud_contact, inp.note, inp.area_code
            a.content_hash = c.content_hash
            if a.status in (Status.NEW, Status.PENDING) and a.signed_by_id is None and a.sender_id:
                route = Router(a.sender.node).prepare([inp]).route(inp)
                fresh = alert_from_route(inp, route, limits=LimitBook([route.place.street_id]), now=a.received_at,
                                         source=a.source)
                for f in ("county_id", "street_id", "community_id", "grid_id", "status", "resident_id", "route_note",
                          "transfer_reason", "max_escalation", "sign_due_at", "contact_due_at", "onsite_due_at",
                          "watch", "watch_due_at"):
                    setattr(a, f, getattr(fresh, f))
                a.escalation_level = min(a.escalation_level, a.max_escalation)
                AlertAssignee.objects.filter(alert=a).delete()
                AlertAssignee.objects.bulk_create([AlertAssignee(alert=a, user_id=u, reason=r, assigned_at=now)
                                                   for u, r in route.assignees])
            a.version += 1
            a.updated_at = now
            a.save()
            fields = "、".join(f"{d['label']}：{d['old']} → {d['new']}" for d in c.differences)
            _event(a, user, EventKind.CORRECTED, now, note=(_("按编号冲突#%(id)d更正：") % {"id": c.pk} + fields)[:1000])
        else:
            _event(a, user, EventKind.NOTE, now, note=_("编号冲突#%(id)d：核对后保留原预警") % {"id": c.pk})
        c.status = ConflictStatus.APPLIED if apply else ConflictStatus.KEPT
        c.resolved_by, c.resolved_at = user, now
        c.save(update_fields=["status", "resolved_by", "resolved_at"])
    return c
