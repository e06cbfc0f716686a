"""The response to an alert: signing, contact attempts and steps, closing, transfer, reassignment, id conflicts.

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

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.alerts.inputs import AlertInput
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
    ConflictStatus,
    ContactChannel,
    EventKind,
    Judgement,
    Outcome,
    Stage,
    Status,
)
from fanzha.alerts.notify import alert_url, grade_label, notify_users
from fanzha.alerts.routing import Place, Router, place_columns
from fanzha.alerts.services.intake import alert_from_route
from fanzha.core import pii
from fanzha.org.models import Assignment, Level, Node, Role, User

#: Phone attempts without reaching the person before "unreachable" may be chosen (with an on-site visit).
UNREACHABLE_TRIES = 3
MAX_SAVED = Decimal(1000000000)
RESPONDER_ROLES = (Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY, Role.OFFICER, Role.OFFICE)


class AlertTaken(ValidationError):
    """Someone else signed first."""


class AlertEditConflict(ValidationError):
    """The alert changed since the form was shown."""


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
    now = now or timezone.now()
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
    now = now or timezone.now()
    if channel not in ContactChannel.values:
        raise ValidationError({"channel": _("未知的联系方式")})
    if result not in AttemptResult.values:
        raise ValidationError({"result": _("未知的联系结果")})
    if result == AttemptResult.NOT_FOUND and channel != ContactChannel.ONSITE:
        raise ValidationError({"result": _("“未找到本人”只用于上门")})
    if channel == ContactChannel.ONSITE and result not in (AttemptResult.REACHED, AttemptResult.NOT_FOUND):
        raise ValidationError({"result": _("上门的结果应为“已联系上”或“未找到本人”")})
    with transaction.atomic():
        a = _lock(alert)
        _require_signed(a)
        changes = {"attempts": F("attempts") + 1, "version": F("version") + 1, "updated_at": now}
        if a.first_attempt_at is None:
            changes["first_attempt_at"] = a.first_attempt_at = now
        if result == AttemptResult.REACHED and a.first_contact_at is None:
            changes["first_contact_at"] = a.first_contact_at = now
        if channel == ContactChannel.ONSITE and a.onsite_at is None:
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
    now = now or timezone.now()
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
    now = now or timezone.now()
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


def _open_case(a: Alert, *, user, loss: Decimal, note: str, now: dt.datetime):
    """Register the fraud case of an "already defrauded" alert, pre-filled from the alert."""
    from fanzha.cases import services as case_services
    from fanzha.cases import vocabulary

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
        fraud_type=vocabulary.guess_fraud_type(a.fraud_type_text or a.note),
        channel=vocabulary.guess_channel(a.fraud_contact),
        narrative=narrative, victim=victim, community=community, victim_name="" if victim else a.name, today=today)


def alert_transfer_done(*, user: User, alert: Alert, note: str = "", now: dt.datetime | None = None) -> Alert:
    """The office has sent a not-ours alert back to the centre: it is closed as such."""
    now = now or timezone.now()
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
    now = now or timezone.now()
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
    now = now or timezone.now()
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
