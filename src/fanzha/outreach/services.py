"""Writes of outreach: activities with evidence, home visits with installs,
install state, targets, WeChat pushes, school letters and receipts, settings.

Services take keyword-only arguments, run in a transaction, check what they
are given and raise ValidationError with messages a user can act on. Files
are checked before anything is written, and removed again when the
transaction fails, so a refused submit leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.cases.fraud_types import FraudType
from fanzha.org import counts
from fanzha.org.models import (
    Household,
    Level,
    Node,
    Resident,
    StaffMember,
    Unit,
    UnitKind,
)
from fanzha.outreach import evidence as ev
from fanzha.outreach.models import (
    FLAG_DATE,
    FLAG_VERIFIER,
    FLAGS,
    Activity,
    ActivityKind,
    Audience,
    Evidence,
    HomeVisit,
    InstallStatus,
    InstallTarget,
    LetterReceipt,
    OutreachSetting,
    PersonKind,
    PushContent,
    SchoolLetter,
    TargetGroup,
    Venue,
    VisitAction,
    VisitYear,
    WeChatPush,
)

PLACE_FIELDS = ("county", "street", "community", "grid", "group")
EARLIEST = dt.date(2015, 1, 1)
EARLIEST_INSTALL = dt.date(2021, 1, 1)  # the National Anti-Fraud Centre app came out in 2021
MAX_COUNT = 1_000_000
# Audit actions for corrections of outreach records (plain values of AuditLog.action; see the report to the
# integrator: core.models.AuditAction should name them "修改记录" / "删除记录").
AUDIT_CHANGE = "change"
AUDIT_DELETE = "delete"


def _place(record, source) -> None:
    for f in PLACE_FIELDS:
        setattr(record, f"{f}_id", getattr(source, f"{f}_id"))


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _check_date(errors: dict, field: str, value, today: dt.date, *, what: str, earliest: dt.date = EARLIEST) -> None:
    if value is None:
        errors.setdefault(field, []).append(_("请填写%(what)s") % {"what": what})
    elif value > today:
        errors.setdefault(field, []).append(_("%(what)s不能在未来（今天是%(today)s）") % {"what": what, "today": today.isoformat()})
    elif value < earliest:
        errors.setdefault(field, []).append(_("%(what)s不能早于%(d)s") % {"what": what, "d": earliest.isoformat()})


def _check_count(errors: dict, field: str, value, what: str) -> int:
    try:
        n = int(value or 0)
    except (TypeError, ValueError):
        errors.setdefault(field, []).append(_("%(what)s应为整数") % {"what": what})
        return 0
    if n < 0:
        errors.setdefault(field, []).append(_("%(what)s不能为负数") % {"what": what})
    elif n > MAX_COUNT:
        errors.setdefault(field, []).append(_("%(what)s超过一百万，请核对") % {"what": what})
    return n


def _check_choices(errors: dict, field: str, values, allowed, what: str) -> list[str]:
    values = list(dict.fromkeys(v for v in (values or []) if v))
    bad = [v for v in values if v not in allowed]
    if bad:
        errors.setdefault(field, []).append(_("未知的%(what)s：%(v)s") % {"what": what, "v": "、".join(map(str, bad))})
    return [v for v in values if v in allowed]


def keep_gps_for(street_id: int | None) -> bool:
    if not street_id:
        return False
    return OutreachSetting.objects.filter(street_id=street_id, keep_gps=True).exists()


def prepare_files(files, *, street_id: int | None) -> list[ev.PreparedUpload]:
    """Check every upload before anything is saved; all problems in one ValidationError."""
    files = [f for f in (files or []) if f]
    if len(files) > ev.MAX_FILES:
        raise ValidationError({"files": [_("一次最多上传%(n)d个文件") % {"n": ev.MAX_FILES}]})
    keep = keep_gps_for(street_id)
    prepared, errors = [], []
    for f in files:
        try:
            prepared.append(ev.prepare(f, keep_gps=keep))
        except ValidationError as e:
            errors += e.messages
    if errors:
        raise ValidationError({"files": errors})
    return prepared


def _attach(prepared: list[ev.PreparedUpload], *, user, activity: Activity | None = None,
            visit: HomeVisit | None = None, written: list[str]) -> list[Evidence]:
    owner = activity or visit
    rows = []
    for p in prepared:
        rel = ev.write_new(p.data, p.extension)
        written.append(rel)
        thumb = ""
        if p.thumb:
            thumb = ev.write_new(p.thumb, "jpg")
            written.append(thumb)
        e = Evidence(activity=activity, visit=visit, kind=p.kind, content_type=p.content_type,
                     original_name=p.original_name, size=p.size, sha256=p.sha256, file=rel, thumb=thumb,
                     width=p.width, height=p.height, duration=p.duration, taken_at=p.taken_at, had_gps=p.had_gps, gps_kept=p.gps_kept,
                     uploaded_by=user if getattr(user, "pk", None) else None)
        _place(e, owner)
        rows.append(e)
    Evidence.objects.bulk_create(rows)
    return rows


_with_files = ev.with_files


# --- activities ------------------------------------------------------------------------


@dataclass
class ActivityData:
    held_on: dt.date | None
    place: str
    organiser: str
    kind: str
    venue: str
    audiences: list[str]
    participants: int
    materials: int
    fraud_types: list[str]
    summary: str = ""


def _clean_activity(d: ActivityData, today: dt.date) -> ActivityData:
    errors: dict[str, list[str]] = {}
    _check_date(errors, "held_on", d.held_on, today, what=_("活动日期"))
    place = (d.place or "").strip()
    if not place:
        errors.setdefault("place", []).append(_("请填写活动地点"))
    organiser = (d.organiser or "").strip()
    if not organiser:
        errors.setdefault("organiser", []).append(_("请填写组织者"))
    if d.kind not in ActivityKind.values:
        errors.setdefault("kind", []).append(_("请选择活动形式"))
    if d.venue not in Venue.values:
        errors.setdefault("venue", []).append(_("请选择“六进”类别"))
    audiences = _check_choices(errors, "audiences", d.audiences, Audience.values, _("宣传对象"))
    fraud_types = _check_choices(errors, "fraud_types", d.fraud_types, FraudType.values, _("诈骗类型"))
    participants = _check_count(errors, "participants", d.participants, _("参与人数"))
    materials = _check_count(errors, "materials", d.materials, _("发放资料份数"))
    if len(place) > 200:
        errors.setdefault("place", []).append(_("地点过长（最多200字）"))
    if len(organiser) > 100:
        errors.setdefault("organiser", []).append(_("组织者过长（最多100字）"))
    if errors:
        raise ValidationError(errors)
    return ActivityData(d.held_on, place, organiser, d.kind, d.venue, audiences, participants, materials, fraud_types,
                        (d.summary or "").strip())


def activity_record(*, user, node: Node | None, unit: Unit | None = None, data: ActivityData, files=(),
                    today: dt.date | None = None) -> Activity:
    """Record an activity of a node (or of a unit, placed at the unit) with its photos and videos.

    The caller has resolved node and unit inside the user's scope.
    """
    today = _today(today)
    errors: dict = {}
    try:
        d = _clean_activity(data, today)
    except ValidationError as e:
        errors.update(e.message_dict)
        d = None
    if node is None and unit is None:
        errors.setdefault("node", []).append(_("请选择组织节点"))
    anchor = unit if unit is not None else node
    try:
        prepared = prepare_files(files, street_id=getattr(anchor, "street_id", None))
    except ValidationError as e:
        errors.update(e.message_dict)
        prepared = []
    if errors:
        raise ValidationError(errors)

    def work(written):
        a = Activity(node=unit.node if unit is not None else node, unit=unit, held_on=d.held_on, place=d.place,
                     organiser=d.organiser, kind=d.kind, venue=d.venue, audiences=d.audiences,
                     participants=d.participants, materials=d.materials, fraud_types=d.fraud_types,
                     summary=d.summary, created_by=user if getattr(user, "pk", None) else None)
        _place(a, anchor)
        a.full_clean(exclude=["audiences", "fraud_types", "created_by"])
        a.save()
        _attach(prepared, user=user, activity=a, written=written)
        return a

    return _with_files(work)


ACTIVITY_FIELDS = ("held_on", "place", "organiser", "kind", "venue", "audiences", "participants", "materials",
                   "fraud_types", "summary")


def can_change_activity(user, activity: Activity) -> bool:
    """Who recorded an activity, and the office, may correct or delete it (with the right to record)."""
    from fanzha.core.access import OFFICE, roles_of

    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    if not user.has_perm("outreach.record_outreach"):
        return False
    return activity.created_by_id == user.pk or OFFICE in roles_of(user)


def _activity_snapshot(a: Activity) -> dict:
    return {k: (getattr(a, k).isoformat() if k == "held_on" else getattr(a, k)) for k in ACTIVITY_FIELDS}


def activity_update(*, user, activity: Activity, data: ActivityData, today: dt.date | None = None,
                    request=None) -> Activity:
    """Correct what was recorded (the organising node or unit stays); the evidence stays attached.
    Audited with each changed field's old and new value."""
    from fanzha.core.audit import audit

    d = _clean_activity(data, _today(today))
    with transaction.atomic():
        before = _activity_snapshot(activity)
        for k in ACTIVITY_FIELDS:
            setattr(activity, k, getattr(d, k))
        activity.save()
        after = _activity_snapshot(activity)
        changed = {k: [before[k], after[k]] for k in ACTIVITY_FIELDS if before[k] != after[k]}
        if changed:
            audit(user=user, action=AUDIT_CHANGE, target=f"activity:{activity.pk}",
                  detail=_("修改宣传活动%(a)s：%(c)s") % {"a": activity, "c": json.dumps(changed, ensure_ascii=False)},
                  request=request)
    return activity


def activity_delete(*, user, activity: Activity, request=None) -> int:
    """Delete an activity from the ledger: it leaves every list, figure and report, but the row (marked
    deleted, by whom and when) and its photos and videos are kept; the audit entry holds what it said
    and the evidence ids. Returns how many evidence files were kept."""
    from fanzha.core.audit import audit

    with transaction.atomic():
        evidence_ids = list(Evidence.objects.filter(activity=activity).values_list("id", flat=True))
        snapshot = dict(_activity_snapshot(activity), node_id=activity.node_id, unit_id=activity.unit_id,
                        created_by_id=activity.created_by_id, evidence_kept=evidence_ids)
        pk, label = activity.pk, str(activity)
        n = Activity.objects.filter(pk=pk).update(deleted_at=timezone.now(),
                                                  deleted_by=user if getattr(user, "pk", None) else None)
        if n != 1:
            raise ValidationError(_("该活动已被删除"))
        audit(user=user, action=AUDIT_DELETE, target=f"activity:{pk}",
              detail=_("删除宣传活动%(a)s（影像资料保留）：%(s)s") % {"a": label, "s": json.dumps(snapshot, ensure_ascii=False)},
              request=request)
    return len(evidence_ids)


def evidence_add(*, user, activity: Activity | None = None, visit: HomeVisit | None = None, files) -> list[Evidence]:
    owner = activity or visit
    prepared = prepare_files(files, street_id=owner.street_id)
    if not prepared:
        raise ValidationError({"files": [_("请选择要上传的照片或视频")]})
    return _with_files(lambda written: _attach(prepared, user=user, activity=activity, visit=visit, written=written))


def evidence_delete(*, evidence: Evidence) -> None:
    files = (evidence.file, evidence.thumb)
    with transaction.atomic():
        evidence.delete()
        transaction.on_commit(lambda: ev.remove_quietly(*files))


# --- install state -----------------------------------------------------------------------


@dataclass
class InstallChange:
    """One flag of one person, ticked (done=True) or unticked, as seen on a form."""

    person: Resident | StaffMember
    flag: str  # app / call_warning / jinzhongzhao
    done: bool


def _verifier_name(user, verifier: str) -> str:
    name = (verifier or "").strip() or (getattr(user, "display_name", "") or getattr(user, "username", ""))
    return name[:50]


def _rows_for(people: list, kind: str) -> dict[int, InstallStatus]:
    """Install rows of these people, created empty where missing, locked for the update."""
    key = "resident_id" if kind == PersonKind.RESIDENT else "staff_id"
    ids = [p.id for p in people]
    existing = set(InstallStatus.objects.filter(**{f"{key}__in": ids}).values_list(key, flat=True))
    new = []
    for p in people:
        if p.id not in existing:
            row = InstallStatus(kind=kind, **{key: p.id})
            _place(row, p)
            new.append(row)
    if new:
        InstallStatus.objects.bulk_create(new, ignore_conflicts=True)
    return {getattr(r, key): r for r in InstallStatus.objects.select_for_update().filter(**{f"{key}__in": ids})}


def installs_apply(*, user, changes: list[InstallChange], on: dt.date | None, verifier: str = "",
                   today: dt.date | None = None) -> int:
    """Apply ticked/unticked flags; returns the number of flags that changed.

    1. A date in the future (or before the app existed) is refused.
    2. Ticked and not yet set: set to `on` with the verifier's name. Already
       set: left alone, so the first verified date stays. Unticked: cleared.
    3. A staff member who is also a registered resident is one person: the
       same change is applied to the other row, so resident rates and unit
       rates agree.
    Only flags the form shows as changed are passed in, so two people
    working on the same household at once do not undo each other's ticks.
    """
    today = _today(today)
    if any(c.done for c in changes):
        errors: dict = {}
        _check_date(errors, "installed_on", on, today, what=_("安装核验日期"), earliest=EARLIEST_INSTALL)
        if errors:
            raise ValidationError(errors)
    if not changes:
        return 0
    name = _verifier_name(user, verifier)
    for c in changes:
        if c.flag not in FLAGS:
            raise ValidationError({"installs": [_("未知的安装项目：%(f)s") % {"f": c.flag}]})
    # Expand to linked rows: staff ↔ resident.
    residents = {c.person.id: c.person for c in changes if isinstance(c.person, Resident)}
    staff = {c.person.id: c.person for c in changes if isinstance(c.person, StaffMember)}
    expanded = [(PersonKind.RESIDENT if isinstance(c.person, Resident) else PersonKind.STAFF, c.person.id, c.flag, c.done)
                for c in changes]
    if residents:
        for s in StaffMember.objects.filter(resident_id__in=list(residents)):
            staff.setdefault(s.id, s)
            for c in changes:
                if isinstance(c.person, Resident) and c.person.id == s.resident_id:
                    expanded.append((PersonKind.STAFF, s.id, c.flag, c.done))
    linked_ids = [s.resident_id for s in staff.values() if s.resident_id and s.resident_id not in residents]
    if linked_ids:
        for r in Resident.objects.filter(pk__in=linked_ids):
            residents[r.id] = r
    for c in changes:
        if isinstance(c.person, StaffMember) and c.person.resident_id:
            expanded.append((PersonKind.RESIDENT, c.person.resident_id, c.flag, c.done))
    with transaction.atomic():
        rows = {}
        if residents:
            rows.update({(PersonKind.RESIDENT, k): v for k, v in _rows_for(list(residents.values()), PersonKind.RESIDENT).items()})
        if staff:
            rows.update({(PersonKind.STAFF, k): v for k, v in _rows_for(list(staff.values()), PersonKind.STAFF).items()})
        changed_rows, changed = {}, 0
        reach: dict = {}
        for kind, pid, flag, done in expanded:
            row = rows.get((kind, pid))
            if row is None:
                continue
            date_f, who_f = FLAG_DATE[flag], FLAG_VERIFIER[flag]
            current = getattr(row, date_f)
            if done and current is None:
                setattr(row, date_f, on)
                setattr(row, who_f, name)
            elif not done and current is not None:
                setattr(row, date_f, None)
                setattr(row, who_f, "")
            else:
                continue
            row.updated_by = user if getattr(user, "pk", None) else None
            changed_rows[row.pk] = row
            changed += 1
            if kind == PersonKind.RESIDENT:
                _reach_delta(reach, row, flag, 1 if done else -1)
        if changed_rows:
            InstallStatus.objects.bulk_update(
                list(changed_rows.values()),
                ["app_installed_on", "app_verifier", "call_warning_on", "call_warning_verifier", "jinzhongzhao_on",
                 "jinzhongzhao_verifier", "updated_by", "updated_at"])
        _reach_apply(reach)
    return changed


def _reach_delta(reach: dict, row: InstallStatus, flag: str, d: int) -> None:
    """Collect a resident's flag set (+1) or cleared (-1), by the place of its install row."""
    place = tuple(getattr(row, f"{f}_id") for f in PLACE_FIELDS)
    _row, deltas = reach.setdefault(place, (row, dict.fromkeys(FLAGS, 0)))
    deltas[flag] += d


def _reach_apply(reach: dict) -> None:
    """The stored install counts of every node above the changed rows (`org.counts`), in the same transaction."""
    for _place_key, (row, deltas) in sorted(reach.items(), key=lambda kv: tuple(i or 0 for i in kv[0])):
        counts.installs_changed(row, **deltas)


def install_set(*, user, person: Resident | StaffMember, app_installed_on: dt.date | None,
                call_warning_on: dt.date | None, jinzhongzhao_on: dt.date | None, verifier: str = "",
                today: dt.date | None = None) -> InstallStatus:
    """Set one person's three dates outright (API, corrections); None clears a date."""
    today = _today(today)
    errors: dict = {}
    dates = {"app_installed_on": app_installed_on, "call_warning_on": call_warning_on, "jinzhongzhao_on": jinzhongzhao_on}
    labels = {"app_installed_on": _("APP安装日期"), "call_warning_on": _("来电预警开通日期"), "jinzhongzhao_on": _("金钟罩注册日期")}
    for f, v in dates.items():
        if v is not None:
            _check_date(errors, f, v, today, what=labels[f], earliest=EARLIEST_INSTALL)
    if call_warning_on and not app_installed_on:
        errors.setdefault("call_warning_on", []).append(_("来电预警是APP的功能：请先填写APP安装日期"))
    if errors:
        raise ValidationError(errors)
    name = _verifier_name(user, verifier)
    kind = PersonKind.RESIDENT if isinstance(person, Resident) else PersonKind.STAFF
    others: list = []
    if kind == PersonKind.STAFF and person.resident_id:
        others = [(PersonKind.RESIDENT, Resident.objects.get(pk=person.resident_id))]
    elif kind == PersonKind.RESIDENT:
        others = [(PersonKind.STAFF, s) for s in StaffMember.objects.filter(resident_id=person.id)]
    with transaction.atomic():
        result = None
        reach: dict = {}
        for k, p in [(kind, person)] + others:
            row = _rows_for([p], k)[p.id]
            for flag in FLAGS:
                value = dates[FLAG_DATE[flag]]
                current = getattr(row, FLAG_DATE[flag])
                if current != value:
                    if k == PersonKind.RESIDENT and (current is None) != (value is None):
                        _reach_delta(reach, row, flag, 1 if value else -1)
                    setattr(row, FLAG_DATE[flag], value)
                    setattr(row, FLAG_VERIFIER[flag], name if value else "")
            row.updated_by = user if getattr(user, "pk", None) else None
            row.save()
            result = result or row
        _reach_apply(reach)
    return result


# --- home visits -------------------------------------------------------------------------


def home_visit_record(*, user, household: Household, visited_on: dt.date | None, visitors: str, actions: list[str],
                      materials: int = 0, note: str = "", installs: list[InstallChange] = (), verifier: str = "",
                      files=(), today: dt.date | None = None) -> HomeVisit:
    """Record a home visit and, in the same transaction, the residents' install ticks and photos.

    Install flags ticked on the visit are dated with the visit date.
    """
    today = _today(today)
    errors: dict[str, list[str]] = {}
    _check_date(errors, "visited_on", visited_on, today, what=_("走访日期"))
    visitors = (visitors or "").strip()
    if not visitors:
        errors.setdefault("visitors", []).append(_("请填写走访人"))
    elif len(visitors) > 100:
        errors.setdefault("visitors", []).append(_("走访人过长（最多100字）"))
    actions = _check_choices(errors, "actions", actions, VisitAction.values, _("走访内容"))
    materials = _check_count(errors, "materials", materials, _("发放资料份数"))
    for c in installs:
        if not isinstance(c.person, Resident) or c.person.household_id != household.id:
            errors.setdefault("installs", []).append(_("只能勾选本户居民的安装情况"))
            break
    if any(c.done for c in installs) and visited_on and visited_on < EARLIEST_INSTALL:
        errors.setdefault("visited_on", []).append(_("国家反诈中心APP于2021年上线，安装日期不能早于2021年"))
    try:
        prepared = prepare_files(files, street_id=household.street_id)
    except ValidationError as e:
        errors.update(e.message_dict)
        prepared = []
    if errors:
        raise ValidationError(errors)
    for flag, action in (("app", VisitAction.APP_HELP), ("call_warning", VisitAction.CALL_WARNING),
                         ("jinzhongzhao", VisitAction.JINZHONGZHAO)):
        if any(c.done and c.flag == flag for c in installs) and action not in actions:
            actions.append(action)

    def work(written):
        v = HomeVisit(household=household, visited_on=visited_on, visitors=visitors, actions=actions,
                      materials=materials, note=(note or "").strip(), recorded_by=user if getattr(user, "pk", None) else None)
        _place(v, household)
        v.save()
        _visit_year_add(household, visited_on)
        installs_apply(user=user, changes=list(installs), on=visited_on, verifier=verifier, today=today)
        _attach(prepared, user=user, visit=v, written=written)
        return v

    return _with_files(work)


def _visit_year_add(household: Household, day: dt.date) -> None:
    """Count the visit in the household's row of the year (first / last visit), race-free.

    1. Insert the row if missing (a concurrent insert is ignored by the unique key).
    2. One UPDATE widens first/last to the day and adds one visit (and locks the row).
    3. The row now counting one visit is the household's first of the year: one more household visited
       that year on every node above it (`org.counts`). Of two first visits at once, the second waits on
       the lock of step 2 and reads two.
    """
    row = VisitYear(household=household, year=day.year, first_visited_on=day, last_visited_on=day, visits=0)
    _place(row, household)
    VisitYear.objects.bulk_create([row], ignore_conflicts=True)
    mine = VisitYear.objects.filter(household=household, year=day.year)
    mine.update(
        first_visited_on=Least(F("first_visited_on"), Value(day)), last_visited_on=Greatest(F("last_visited_on"), Value(day)),
        visits=F("visits") + 1)
    stored = mine.values("visits", *(f"{f}_id" for f in PLACE_FIELDS)).first()
    if stored and stored["visits"] == 1:
        placed = VisitYear(**{f"{f}_id": stored[f"{f}_id"] for f in PLACE_FIELDS})
        counts.visit_year_added(placed, day.year)


# --- targets -------------------------------------------------------------------------------


def _rate(value) -> Decimal | None:
    try:
        return Decimal(str(value).strip().rstrip("%")).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        return None


def install_target_set(*, user, node: Node, group: str, rate, deadline: dt.date | None, note: str = "",
                       today: dt.date | None = None, allow_past: bool = False) -> InstallTarget:
    """Create a target, or change the rate of an existing one (same node, group and deadline).

    The rate is a percentage above 0 and at most 100. A new target whose
    deadline has already passed is a past plan entered for history and the
    assessment: it is kept, flagged `historical` (never refused). Year-end
    targets (deadline 31 December) of a node and group are the plan's yearly
    steps and must rise year on year (seed 002: 逐年上升), 100% staying 100%.
    `allow_past` is accepted for older callers and changes nothing.
    """
    today = _today(today)
    errors: dict[str, list[str]] = {}
    if group not in TargetGroup.values:
        errors.setdefault("group", []).append(_("请选择对象"))
    r = _rate(rate)
    if r is None or not r.is_finite():
        errors.setdefault("rate", []).append(_("目标安装率应为数字，如 60 或 95.5"))
    elif r > 100:
        errors.setdefault("rate", []).append(_("目标安装率不能超过100%%（填写的是%(r)s%%）") % {"r": r})
    elif r <= 0:
        errors.setdefault("rate", []).append(_("目标安装率应大于0"))
    if deadline is None:
        errors.setdefault("deadline", []).append(_("请填写完成期限"))
    if node.level == Level.GROUP:
        errors.setdefault("node", []).append(_("安装目标设到网格及以上节点"))
    existing = None
    if deadline is not None and group in TargetGroup.values:
        existing = InstallTarget.objects.filter(node=node, group=group, deadline=deadline).first()
        if r is not None and r.is_finite() and 0 < r <= 100 and (deadline.month, deadline.day) == (12, 31):
            for msg in _yearly_step_errors(node=node, group=group, rate=r, deadline=deadline):
                errors.setdefault("rate", []).append(msg)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        t = existing or InstallTarget(node=node, group=group, deadline=deadline, historical=deadline < today,
                                      created_by=user if getattr(user, "pk", None) else None)
        t.rate = r
        t.note = (note or "").strip()[:200]
        t.save()
    return t


def _yearly_step_errors(*, node: Node, group: str, rate: Decimal, deadline: dt.date) -> list[str]:
    """The year-end steps of a node and group must rise: a later year's rate above an earlier one's (100 may stay 100)."""
    out = []
    steps = InstallTarget.objects.filter(node=node, group=group, deadline__month=12, deadline__day=31).exclude(deadline=deadline)
    for s in steps:
        if s.deadline < deadline and not (rate > s.rate or rate == s.rate == 100):
            out.append(_("安装率应逐年上升：%(y)d年底目标%(r)s%%不高于%(y0)d年底的%(r0)s%%") % {
                "y": deadline.year, "r": rate, "y0": s.deadline.year, "r0": s.rate})
        elif s.deadline > deadline and not (rate < s.rate or rate == s.rate == 100):
            out.append(_("安装率应逐年上升：%(y)d年底目标%(r)s%%不低于%(y1)d年底的%(r1)s%%") % {
                "y": deadline.year, "r": rate, "y1": s.deadline.year, "r1": s.rate})
    return out


def install_target_delete(*, target: InstallTarget) -> None:
    target.delete()


PLAN_TARGETS = "plan"
CAMPAIGN_TARGETS = "campaign"


DEFAULT_YEARLY_STEPS = (55, 75)  # whole street at the ends of the plan's 2nd and 3rd years (set by the office)


def preset_targets(year: int, kind: str, steps: tuple | list | None = None) -> list[tuple[str, int, dt.date, str]]:
    """The target shapes of seed 002, as (group, rate, deadline, note).

    plan (2021–2024 in the seed, `year` its first year): street staff (机关 and
    the police station included) 100%, industry staff 60% and residents 30%
    by the end of `year`; the whole street rising every year (`steps`, the
    office's yearly figures for the years between, checked to rise) to 95%
    by the end of `year` + 3;
    campaign: 30% / 60% / 100% by 31 July / 31 August / 30 September, for
    every community (residents) and every department (departments).
    """
    if kind == CAMPAIGN_TARGETS:
        return [(g, rate, dt.date(year, m, d), note)
                for g in (TargetGroup.RESIDENTS, TargetGroup.DEPARTMENTS)
                for rate, m, d, note in ((30, 7, 31, _("7月底前完成辖区30%")), (60, 8, 31, _("8月底前完成60%")),
                                         (100, 9, 30, _("9月底前完成100%")))]
    steps = list(DEFAULT_YEARLY_STEPS if steps is None else steps)
    rows = [(TargetGroup.STREET_STAFF, 100, dt.date(year, 12, 31), _("全街道干部职工安装率达100%")),
            (TargetGroup.INDUSTRY_STAFF, 60, dt.date(year, 12, 31), _("各单位职能部门管辖的行业人员安装率达60%以上")),
            (TargetGroup.RESIDENTS, 30, dt.date(year, 12, 31), _("各村（社区）群众安装率达30%以上"))]
    for i, rate in enumerate(steps):
        rows.append((TargetGroup.ALL, rate, dt.date(year + 1 + i, 12, 31), _("安装率逐年上升（年度目标）")))
    rows.append((TargetGroup.ALL, 95, dt.date(year + 1 + len(steps), 12, 31), _("全街道安装率整体达95%以上")))
    return rows


def preset_targets_set(*, user, node: Node, year: int, kind: str, today: dt.date | None = None,
                       steps: tuple | list | None = None) -> list[InstallTarget]:
    """Set one of the seed's target shapes on a node, all or nothing (a bad yearly step refuses the lot).

    A plan whose deadlines have passed is entered as history (flagged, not refused).
    """
    with transaction.atomic():
        return [install_target_set(user=user, node=node, group=g, rate=r, deadline=d, note=n, today=today)
                for g, r, d, n in preset_targets(year, kind, steps)]


# --- WeChat pushes --------------------------------------------------------------------------


def wechat_push_record(*, user, node: Node, group_name: str, pushed_on: dt.date | None, title: str,
                       content_kind: str = PushContent.TEXT, today: dt.date | None = None) -> WeChatPush:
    today = _today(today)
    errors: dict[str, list[str]] = {}
    _check_date(errors, "pushed_on", pushed_on, today, what=_("推送日期"))
    group_name, title = (group_name or "").strip(), (title or "").strip()
    if not group_name:
        errors.setdefault("group_name", []).append(_("请填写微信群名称"))
    if not title:
        errors.setdefault("title", []).append(_("请填写推送内容"))
    if content_kind not in PushContent.values:
        errors.setdefault("content_kind", []).append(_("请选择形式"))
    if node.level not in (Level.STREET, Level.COMMUNITY, Level.GRID, Level.GROUP):
        errors.setdefault("node", []).append(_("请选择社区或网格"))
    if errors:
        raise ValidationError(errors)
    p = WeChatPush(node=node, group_name=group_name[:100], pushed_on=pushed_on, title=title[:200],
                   content_kind=content_kind, recorded_by=user if getattr(user, "pk", None) else None)
    _place(p, node)
    p.save()
    return p


# --- school letters ------------------------------------------------------------------------


def school_letter_create(*, user, unit: Unit, title: str, sent_on: dt.date | None, classes: list[tuple[str, int]],
                         note: str = "", today: dt.date | None = None) -> SchoolLetter:
    """A letter sent home by a school, with the letters handed out per class."""
    today = _today(today)
    errors: dict[str, list[str]] = {}
    if unit.kind != UnitKind.SCHOOL:
        errors.setdefault("unit", []).append(_("致家长的一封信只能由学校登记"))
    title = (title or "").strip()
    if not title:
        errors.setdefault("title", []).append(_("请填写标题"))
    _check_date(errors, "sent_on", sent_on, today, what=_("发放日期"))
    cleaned = _clean_classes(errors, [(c, n, 0) for c, n in classes])
    if not cleaned and "classes" not in errors:
        errors.setdefault("classes", []).append(_("请至少填写一个班级和发放份数"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        letter = SchoolLetter(unit=unit, title=title[:200], sent_on=sent_on, note=(note or "").strip()[:500],
                              created_by=user if getattr(user, "pk", None) else None)
        _place(letter, unit)
        letter.save()
        LetterReceipt.objects.bulk_create([LetterReceipt(letter=letter, class_name=c, letters_sent=s, receipts_returned=r,
                                                         updated_by=letter.created_by) for c, s, r in cleaned])
    return letter


def _clean_classes(errors: dict, rows) -> list[tuple[str, int, int]]:
    out, seen = [], set()
    for name, sent, returned in rows:
        name = (name or "").strip()
        if not name and not sent and not returned:
            continue
        if not name:
            errors.setdefault("classes", []).append(_("有一行缺少班级名称"))
            continue
        if name in seen:
            errors.setdefault("classes", []).append(_("班级“%(c)s”重复") % {"c": name})
            continue
        seen.add(name)
        s = _check_count(errors, "classes", sent, _("%(c)s发放份数") % {"c": name})
        r = _check_count(errors, "classes", returned, _("%(c)s回执数") % {"c": name})
        if r > s:
            errors.setdefault("classes", []).append(
                _("%(c)s回收回执%(r)d份，多于发放的%(s)d份") % {"c": name, "r": r, "s": s})
        out.append((name[:50], s, r))
    return out


def receipts_update(*, user, letter: SchoolLetter, rows: list[tuple[str, int, int]]) -> list[LetterReceipt]:
    """Set letters handed out and receipts returned per class (adds new classes, keeps others)."""
    errors: dict[str, list[str]] = {}
    cleaned = _clean_classes(errors, rows)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        existing = {r.class_name: r for r in LetterReceipt.objects.select_for_update().filter(letter=letter)}
        changed, new = [], []
        for name, sent, returned in cleaned:
            r = existing.get(name)
            if r is None:
                new.append(LetterReceipt(letter=letter, class_name=name, letters_sent=sent, receipts_returned=returned,
                                         updated_by=user if getattr(user, "pk", None) else None))
            elif (r.letters_sent, r.receipts_returned) != (sent, returned):
                r.letters_sent, r.receipts_returned = sent, returned
                r.updated_by = user if getattr(user, "pk", None) else None
                r.save()
                changed.append(r)
        LetterReceipt.objects.bulk_create(new)
    return changed + new


# --- settings -------------------------------------------------------------------------------


def outreach_setting_set(*, user, street: Node, keep_gps: bool) -> OutreachSetting:
    if street.level != Level.STREET:
        raise ValidationError({"street": _("此设置按街道设置")})
    s, _created = OutreachSetting.objects.update_or_create(
        street=street, defaults={"keep_gps": bool(keep_gps), "updated_by": user if getattr(user, "pk", None) else None})
    return s
