"""The clue workflow: check, merge, hand off (吹哨), answer (报到), close — each step timed and logged."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.core.versioning import check_locked
from fanzha.clues.models import (
    PUBLIC_OUTCOME,
    Clue,
    ClueEvent,
    ClueFile,
    EventKind,
    Handoff,
    HandoffStatus,
    Outcome,
    Status,
    Verdict,
)
from fanzha.clues.services.intake import _remove, department_units, store_files
from fanzha.core.access import DEPARTMENT, OFFICE, OFFICER
from fanzha.core.scoping import scope_of

#: Who checks, hands off and closes clues.
MANAGER_ROLES = frozenset({OFFICE, OFFICER})
MAX_TEXT = 1000


def default_handoff_days() -> int:
    return int(getattr(settings, "FANZHA_CLUE_HANDOFF_DAYS", 3))


def may_manage(user) -> bool:
    return user.is_superuser or bool(scope_of(user).roles & MANAGER_ROLES)


def may_answer(user, clue: Clue) -> bool:
    """The police station's hand-offs are answered by officers; a department's by its own accounts."""
    if clue.status != Status.HANDED:
        return False
    scope = scope_of(user)
    if user.is_superuser:
        return True
    if clue.to_police:
        return OFFICER in scope.roles
    return DEPARTMENT in scope.roles and clue.unit_id in scope.unit_ids


def _require_manager(user) -> None:
    if not may_manage(user):
        raise PermissionDenied


def _seconds(later: dt.datetime, earlier: dt.datetime) -> int:
    return max(0, int((later - earlier).total_seconds()))


def _event(clue: Clue, kind: str, user, text: str, now: dt.datetime) -> ClueEvent:
    return ClueEvent.objects.create(clue=clue, at=now, kind=kind, user=user if user and user.pk else None,
                                    text=(text or "")[:MAX_TEXT])


def _locked(clue: Clue, version: int | None = None) -> Clue:
    """The clue re-read under a row lock: two people acting at once see each other's step.

    Its version moves on (saved with the step); `version`, when the page or request sent the one it showed,
    must still be current, else Conflict (fanzha.core.versioning)."""
    c = Clue.objects.select_for_update().get(pk=clue.pk)
    check_locked(c, version)
    return c


def _notify(user_ids, text: str, clue: Clue, now: dt.datetime) -> None:
    from fanzha.alerts.notify import notify_users

    if user_ids:
        notify_users(user_ids, kind="clue", text=text, now=now, url=reverse("clues:detail", args=[clue.pk]))


def _handlers_of(clue: Clue) -> list[int]:
    """Who answers the clue's current hand-off: the department's accounts, or the street's officers."""
    from fanzha.alerts.notify import users_at
    from fanzha.org.models import Assignment

    if clue.to_police:
        return users_at([clue.street_id], [OFFICER]).get(clue.street_id, [])
    return list(Assignment.objects.filter(unit_id=clue.unit_id, role=DEPARTMENT, user__is_active=True)
                .values_list("user_id", flat=True))


def clue_check(*, clue: Clue, user, verdict: str, note: str = "", duplicate_of: Clue | None = None,
               kind: str | None = None, now: dt.datetime | None = None) -> Clue:
    """Check a new clue: real (ready to hand off), duplicate (merged into another) or no substance (closed)."""
    _require_manager(user)
    now = now or timezone.now()
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": _("请选择核查结论")})
    if verdict == Verdict.DUPLICATE:
        if duplicate_of is None:
            raise ValidationError({"duplicate_of": _("请选择与之重复的线索")})
        return clue_merge(clue=clue, into=duplicate_of, user=user, note=note, now=now)
    with transaction.atomic():
        c = _locked(clue)
        if c.status != Status.NEW:
            raise ValidationError(_("这条线索已经核查过了"))
        c.verdict, c.checked_at, c.checked_by = verdict, now, user
        c.check_seconds = _seconds(now, c.received_at)
        if kind:
            c.kind = kind
        if verdict == Verdict.REAL:
            c.status = Status.CHECKED
            _event(c, EventKind.CHECKED, user, _("属实") + (f"：{note}" if note else ""), now)
        else:
            c.status, c.outcome = Status.CLOSED, Outcome.NO_FRAUD
            c.public_outcome = str(PUBLIC_OUTCOME[Outcome.NO_FRAUD])
            c.closed_at, c.closed_by, c.close_seconds = now, user, _seconds(now, c.received_at)
            _event(c, EventKind.CHECKED, user, _("无实质内容") + (f"：{note}" if note else ""), now)
            _event(c, EventKind.CLOSED, user, str(Outcome.NO_FRAUD.label), now)
        c.full_clean()
        c.save()
    return c


def clue_merge(*, clue: Clue, into: Clue, user, note: str = "", now: dt.datetime | None = None) -> Clue:
    """Merge a duplicate into another open clue of the same street. The duplicate's receipt code keeps
    working: its lookup shows the clue it was merged into. Clues already merged into the duplicate move too."""
    _require_manager(user)
    now = now or timezone.now()
    with transaction.atomic():
        c = _locked(clue)
        target = _locked(into)
        while target.merged_into_id:  # merge into the surviving clue, never into a merged one
            target = _locked(target.merged_into)
        if target.pk == c.pk:
            raise ValidationError({"duplicate_of": _("不能与自己合并")})
        if c.status not in (Status.NEW, Status.CHECKED):
            raise ValidationError(_("只有待核查或待交办的线索可以合并"))
        if target.status not in (Status.NEW, Status.CHECKED, Status.HANDED, Status.ANSWERED, Status.CLOSED):
            raise ValidationError({"duplicate_of": _("不能合并到该线索")})
        if target.street_id != c.street_id:
            raise ValidationError({"duplicate_of": _("只能合并本街道的线索")})
        c.status, c.verdict, c.merged_into = Status.MERGED, Verdict.DUPLICATE, target
        c.checked_at, c.checked_by = c.checked_at or now, c.checked_by or user
        c.check_seconds = c.check_seconds if c.check_seconds is not None else _seconds(now, c.received_at)
        c.full_clean()
        c.save()
        Clue.objects.filter(merged_into=c).update(merged_into=target)
        _event(c, EventKind.MERGED, user, _("与线索 %(code)s 重复，已合并") % {"code": target.receipt_display}
               + (f"：{note}" if note else ""), now)
        _event(target, EventKind.MERGED, user, _("合并了重复线索 %(code)s") % {"code": c.receipt_display}, now)
    return c


def clue_hand_off(*, clue: Clue, user, to_police: bool = False, unit=None, due_at: dt.datetime | None = None,
                  days: int | None = None, instructions: str = "", now: dt.datetime | None = None) -> Handoff:
    """Hand a checked clue to the police station or a department with a deadline (吹哨).

    A clue already handed off is re-routed: the open hand-off is withdrawn first.
    """
    _require_manager(user)
    now = now or timezone.now()
    if not to_police and unit is None:
        raise ValidationError({"target": _("请选择交办给派出所还是哪个部门")})
    if due_at is None:
        d = days if days is not None else default_handoff_days()
        if not 1 <= int(d) <= 90:
            raise ValidationError({"days": _("办理时限应为1到90天")})
        due_at = now + dt.timedelta(days=int(d))
    if due_at <= now:
        raise ValidationError({"days": _("办理时限必须晚于现在")})
    with transaction.atomic():
        c = _locked(clue)
        if c.status not in (Status.CHECKED, Status.HANDED, Status.ANSWERED):
            raise ValidationError(_("核查属实后才能交办"))
        if not to_police and not department_units(c.street_id).filter(pk=unit.pk).exists():
            raise ValidationError({"target": _("“%(u)s”不是本街道有账号的职能部门，无法交办") % {"u": unit}})
        Handoff.objects.filter(clue=c, status=HandoffStatus.OPEN).update(status=HandoffStatus.WITHDRAWN)
        h = Handoff(clue=c, to_police=bool(to_police), unit=None if to_police else unit, handed_by=user, handed_at=now,
                    due_at=due_at, instructions=(instructions or "").strip()[:500])
        h.place_like(c)
        h.full_clean()
        h.save()
        c.status, c.to_police, c.unit, c.due_at, c.escalated_at = Status.HANDED, h.to_police, h.unit, due_at, None
        if c.handed_at is None:
            c.handed_at, c.handoff_seconds = now, _seconds(now, c.received_at)
        c.answered_at = None
        c.save()
        local_due = timezone.localtime(due_at)
        _event(c, EventKind.HANDED, user, _("交办%(to)s，时限%(due)s") % {"to": h.target_label, "due": f"{local_due:%Y-%m-%d %H:%M}"}
               + (f"：{h.instructions}" if h.instructions else ""), now)
        _notify(_handlers_of(c), _("新交办线索 %(code)s，请于%(due)s前报到") % {"code": c.receipt_display,
                                                                         "due": f"{local_due:%m-%d %H:%M}"}, c, now)
    return h


def clue_answer(*, clue: Clue, user, accepted: bool, action: str = "", result: str = "", photos=(),
                now: dt.datetime | None = None) -> Handoff:
    """The department's answer (报到): accepted with the action taken and the result (and evidence), or
    declined with a reason — then the clue goes back to the office to be handed elsewhere."""
    now = now or timezone.now()
    action, result = (action or "").strip(), (result or "").strip()
    if not may_answer(user, clue):
        raise PermissionDenied
    if accepted and not (action or result):
        raise ValidationError({"action": _("请填写采取的措施或办理结果")})
    if not accepted and not result:
        raise ValidationError({"result": _("退回时请说明原因")})
    if len(action) > MAX_TEXT or len(result) > MAX_TEXT:
        raise ValidationError(_("每项最多%(n)d个字") % {"n": MAX_TEXT})
    stored = store_files(photos, when=timezone.localdate(now)) if photos else []
    try:
        with transaction.atomic():
            c = _locked(clue)
            if not may_answer(user, c):
                raise ValidationError(_("这条线索已不在您这里办理"))
            h = Handoff.objects.select_for_update().filter(clue=c, status=HandoffStatus.OPEN).order_by("-handed_at").first()
            if h is None:
                raise ValidationError(_("这条线索没有待报到的交办"))
            h.answered_by, h.answered_at, h.accepted = user, now, bool(accepted)
            h.action, h.result = action, result
            h.answer_seconds = _seconds(now, h.handed_at)
            h.within_deadline = now <= h.due_at
            h.status = HandoffStatus.ANSWERED if accepted else HandoffStatus.DECLINED
            h.save()
            ClueFile.objects.bulk_create([ClueFile(clue=c, handoff=h, uploaded_at=now, uploaded_by=user, **f) for f in stored])
            if accepted:
                c.status, c.answered_at = Status.ANSWERED, now
                text = "；".join(t for t in (action and _("措施：%(t)s") % {"t": action}, result and _("结果：%(t)s") % {"t": result}) if t)
                _event(c, EventKind.ANSWERED, user, f"{h.target_label}：{text}", now)
            else:
                c.status, c.to_police, c.unit, c.due_at = Status.CHECKED, False, None, None
                _event(c, EventKind.DECLINED, user, f"{h.target_label}：{result}", now)
            c.save()
            _notify(_office_of(c), _("线索 %(code)s：%(who)s已%(what)s") % {
                "code": c.receipt_display, "who": h.target_label, "what": _("报到") if accepted else _("退回")}, c, now)
    except BaseException:
        _remove(stored)
        raise
    return h


def _office_of(clue: Clue) -> list[int]:
    from fanzha.alerts.notify import users_at

    return users_at([clue.street_id], [OFFICE]).get(clue.street_id, [])


def clue_close(*, clue: Clue, user, outcome: str, public_outcome: str = "", note: str = "",
               now: dt.datetime | None = None) -> Clue:
    """Close a clue with its outcome; the reporter reads `public_outcome` (a plain default per outcome)."""
    _require_manager(user)
    now = now or timezone.now()
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("请选择办结结果")})
    public_outcome = (public_outcome or "").strip() or str(PUBLIC_OUTCOME[outcome])
    if len(public_outcome) > 500:
        raise ValidationError({"public_outcome": _("对外答复最多500字")})
    with transaction.atomic():
        c = _locked(clue)
        if c.status not in (Status.CHECKED, Status.HANDED, Status.ANSWERED):
            raise ValidationError(_("这条线索现在不能办结（状态：%(s)s）") % {"s": c.get_status_display()})
        Handoff.objects.filter(clue=c, status=HandoffStatus.OPEN).update(status=HandoffStatus.WITHDRAWN)
        c.status, c.outcome, c.public_outcome = Status.CLOSED, outcome, public_outcome
        c.closed_at, c.closed_by, c.close_seconds = now, user, _seconds(now, c.received_at)
        c.full_clean()
        c.save()
        _event(c, EventKind.CLOSED, user, str(Outcome(outcome).label) + (f"：{note}" if note else ""), now)
    return c


def clue_add_note(*, clue: Clue, user, text: str, now: dt.datetime | None = None) -> ClueEvent:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("备注不能为空")})
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": _("备注最多%(n)d字") % {"n": MAX_TEXT}})
    return _event(clue, EventKind.NOTE, user, text, now or timezone.now())
