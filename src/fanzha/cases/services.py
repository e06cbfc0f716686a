"""Writes for cases and reduction targets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.core.versioning import Conflict, concrete_names, save_if_current
from fanzha.cases.fraud_types import FraudType
from fanzha.cases.models import MAJOR_LOSS, Case, CaseChange, Channel, Outcome, ReductionTarget, StaffLink
from fanzha.cases.periods import Period
from fanzha.org.models import Level, Node, Residency, Resident, Unit

MAX_LOSS = Decimal("1000000000")  # 10亿: anything above is a typing error
TRACKED = ("number", "reported_on", "loss_on", "victim_id", "victim_name", "victim_age", "victim_gender",
           "victim_occupation", "victim_student", "victim_floating", "staff_link", "unit_id", "loss", "stopped",
           "fraud_type", "channel", "narrative", "community_id", "grid_id", "outcome")


def _money(value, field: str) -> Decimal:
    if value in (None, ""):
        return Decimal("0")
    try:
        amount = Decimal(str(value).replace(",", "").replace("，", "").replace("元", "").strip())
    except InvalidOperation:
        raise ValidationError({field: _("金额应为数字")}) from None
    if not amount.is_finite():
        raise ValidationError({field: _("金额应为数字")})
    if amount < 0:
        raise ValidationError({field: _("金额不能为负数")})
    if amount > MAX_LOSS:
        raise ValidationError({field: _("金额超过10亿元，请核对")})
    return amount.quantize(Decimal("0.01"))


def _victim_snapshot(resident: Resident, on: dt.date) -> dict:
    age = None
    if resident.birth_date:
        b = resident.birth_date
        age = on.year - b.year - ((on.month, on.day) < (b.month, b.day))
    return dict(
        victim_name=resident.name,
        victim_age=age,
        victim_gender=resident.gender,
        victim_occupation=resident.occupation,
        victim_student=resident.is_student,
        victim_floating=resident.residency != Residency.PERMANENT,
    )


def _validate(case: Case, today: dt.date) -> None:
    errors: dict[str, list[str]] = {}
    if case.reported_on and case.reported_on > today:
        errors.setdefault("reported_on", []).append(_("报案日期不能在未来"))
    if case.loss_on and case.reported_on and case.loss_on > case.reported_on:
        errors.setdefault("loss_on", []).append(_("发案日期不能晚于报案日期"))
    if case.stopped > case.loss:
        errors.setdefault("stopped", []).append(_("止付冻结返还金额不能大于损失金额"))
    if case.fraud_type not in FraudType.values:
        errors.setdefault("fraud_type", []).append(_("未知的诈骗类型"))
    if case.channel not in Channel.values:
        errors.setdefault("channel", []).append(_("未知的接触渠道"))
    if case.staff_link and not case.unit_id:
        errors.setdefault("unit", []).append(_("受害人为职工或家属时须选择单位"))
    if not case.community_id:
        errors.setdefault("community", []).append(_("请选择社区，或选择已登记的受害人"))
    if case.victim_age is not None and case.victim_age > 120:
        errors.setdefault("victim_age", []).append(_("年龄不合理"))
    if errors:
        raise ValidationError(errors)


def _apply(case: Case, *, reported_on, loss_on, loss, stopped, fraud_type, channel, narrative, victim,
           community, victim_name, victim_age, victim_gender, victim_occupation, victim_student, victim_floating,
           staff_link, unit, number, suggested_type, suggested_confidence, outcome=None) -> None:
    errors: dict = {}
    if outcome is not None:
        if outcome not in Outcome.values:
            errors["outcome"] = [_("请选择既遂或未遂")]
        else:
            case.outcome = outcome
    try:
        case.loss = _money(loss, "loss")
    except ValidationError as e:
        errors.update(e.message_dict)
        case.loss = Decimal("0")
    try:
        case.stopped = _money(stopped, "stopped")
    except ValidationError as e:
        errors.update(e.message_dict)
        case.stopped = Decimal("0")
    if reported_on is None:
        errors["reported_on"] = [_("请填写报案日期")]
    if loss_on is None:
        errors["loss_on"] = [_("请填写发案日期")]
    if errors:
        raise ValidationError(errors)
    case.reported_on, case.loss_on = reported_on, loss_on
    case.fraud_type, case.channel, case.narrative = fraud_type, channel, (narrative or "").strip()
    case.number = (number or "").strip()
    case.staff_link = staff_link or StaffLink.NONE
    case.unit = unit
    case.victim = victim
    if victim is not None:
        for k, v in _victim_snapshot(victim, loss_on).items():
            setattr(case, k, v)
        case.place_like(victim)
    else:
        case.victim_name = (victim_name or "").strip()
        case.victim_age = victim_age
        case.victim_gender = victim_gender or ""
        case.victim_occupation = (victim_occupation or "").strip()
        case.victim_student = bool(victim_student)
        case.victim_floating = bool(victim_floating)
        if community is not None and community.level not in (Level.COMMUNITY, Level.GRID):
            raise ValidationError({"community": _("请选择社区或网格")})
        case.place_at(community)
    if suggested_type:
        case.suggested_type = suggested_type
        case.suggested_confidence = suggested_confidence
    case.is_major = case.loss >= MAJOR_LOSS


def _snapshot(case: Case) -> dict:
    return {f: (str(getattr(case, f)) if getattr(case, f) is not None else None) for f in TRACKED}


@transaction.atomic
def case_register(*, user, reported_on: dt.date | None, loss_on: dt.date | None, loss, fraud_type: str,
                  channel: str = Channel.PHONE, stopped=0, narrative: str = "", victim: Resident | None = None,
                  community: Node | None = None, victim_name: str = "", victim_age: int | None = None,
                  victim_gender: str = "", victim_occupation: str = "", victim_student: bool = False,
                  victim_floating: bool = False, staff_link: str = "", unit: Unit | None = None, number: str = "",
                  suggested_type: str = "", suggested_confidence: float | None = None,
                  today: dt.date | None = None, outcome: str = Outcome.COMPLETED) -> Case:
    """Register a case (既遂 unless `outcome="attempted"`, 未遂); the victim's community and group come from the
    resident when known."""
    case = Case(created_by=user if getattr(user, "pk", None) else None)
    _apply(case, reported_on=reported_on, loss_on=loss_on, loss=loss, stopped=stopped, fraud_type=fraud_type,
           channel=channel, narrative=narrative, victim=victim, community=community, victim_name=victim_name,
           victim_age=victim_age, victim_gender=victim_gender, victim_occupation=victim_occupation,
           victim_student=victim_student, victim_floating=victim_floating, staff_link=staff_link, unit=unit,
           number=number, suggested_type=suggested_type, suggested_confidence=suggested_confidence,
           outcome=outcome or Outcome.COMPLETED)
    if not suggested_type and case.narrative:
        from fanzha.cases.classifier import classify

        s = classify(case.narrative)
        case.suggested_type, case.suggested_confidence = s.type, s.confidence
    _validate(case, today or timezone.localdate())
    case.full_clean(exclude=["county", "street", "community", "grid", "group", "victim", "unit", "created_by"])
    case.save()
    return case


@transaction.atomic
def case_update(*, user, case: Case, source: str = "form", today: dt.date | None = None, version: int | None = None,
                **fields) -> Case:
    """Edit a case and record what changed (old → new) in its history.

    `version`: the one the form or request started from; if the case was saved since, Conflict (409 / merge
    panel) and nothing is written."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    expected = case.version if version is None else version
    before = _snapshot(case)
    params = dict(
        reported_on=case.reported_on, loss_on=case.loss_on, loss=case.loss, stopped=case.stopped,
        fraud_type=case.fraud_type, channel=case.channel, narrative=case.narrative, victim=case.victim,
        community=None, victim_name=case.victim_name, victim_age=case.victim_age, victim_gender=case.victim_gender,
        victim_occupation=case.victim_occupation, victim_student=case.victim_student,
        victim_floating=case.victim_floating, staff_link=case.staff_link, unit=case.unit, number=case.number,
        suggested_type="", suggested_confidence=None, outcome=case.outcome,
    )
    if case.victim is None and case.community_id:
        params["community"] = Node.objects.get(pk=case.grid_id or case.community_id)
    params.update(fields)
    _apply(case, **params)
    _validate(case, today or timezone.localdate())
    case.full_clean(exclude=["county", "street", "community", "grid", "group", "victim", "unit", "created_by"])
    after = _snapshot(case)
    diff = {k: [before[k], after[k]] for k in TRACKED if before[k] != after[k]}
    if not diff and version is not None and int(version) != case.version:
        raise Conflict(case)
    if diff:
        save_if_current(case, expected, concrete_names(case))
        CaseChange.objects.create(case=case, user=user if getattr(user, "pk", None) else None, source=source, changes=diff)
    return case


@transaction.atomic
def reduction_target_set(*, node: Node, kind: str, period: str, base_period: str, change_pct, note: str = "") -> ReductionTarget:
    """Create or change the target for a node, kind and period."""
    errors = {}
    try:
        p = Period.parse(period)
    except ValueError as e:
        errors["period"] = [str(e)]
    try:
        b = Period.parse(base_period)
    except ValueError as e:
        errors["base_period"] = [str(e)]
    try:
        pct = Decimal(str(change_pct))
        if not pct.is_finite() or not Decimal("-100") <= pct <= Decimal("1000"):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["change_pct"] = [_("目标变化应为 -100 到 1000 之间的百分数")]
    if errors:
        raise ValidationError(errors)
    if b.end >= p.start:
        raise ValidationError({"base_period": _("对比期必须早于考核期")})
    if p.months != b.months:
        raise ValidationError({"base_period": _("对比期与考核期长度应相同")})
    target, _created = ReductionTarget.objects.update_or_create(
        node=node, kind=kind, period=str(p),
        defaults={"base_period": str(b), "change_pct": pct, "note": note},
    )
    return target


SEED_002_TARGETS = [
    # (kind, period, base period, change %): seed 002's plan for 2021–2024.
    ("all", "2021H2", "2021H1", -10), ("all", "2022", "2021", -5), ("all", "2023", "2022", -5), ("all", "2024", "2023", -5),
    ("staff", "2021H2", "2021H1", -50), ("staff", "2022", "2021", -30), ("staff", "2023", "2022", -30), ("staff", "2024", "2023", -30),
]


def default_targets_apply(*, node: Node, years: tuple[int, ...] = ()) -> list[ReductionTarget]:
    """Seed 002's targets for a node, continued for later years at the 2024 rate."""
    rows = list(SEED_002_TARGETS)
    for y in years:
        if y > 2024:
            rows += [("all", str(y), str(y - 1), -5), ("staff", str(y), str(y - 1), -30)]
    return [reduction_target_set(node=node, kind=k, period=p, base_period=b, change_pct=c) for k, p, b, c in rows]
