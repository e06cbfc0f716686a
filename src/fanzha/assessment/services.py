"""Writes of the assessment: open a run, recompute it, attest, override, publish, re-assess."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.assessment import criteria as crit
from fanzha.assessment.models import Assessment, Outcome, Status, SubjectKind, Verdict
from fanzha.cases.periods import Period
from fanzha.core.audit import audit
from fanzha.org.models import Level, Node


def parse_period(text: str) -> tuple[Period, Period]:
    """A year (against the year before) or a half (2021H2 against 2021H1)."""
    try:
        p = Period.parse(text)
    except ValueError as e:
        raise ValidationError({"period": str(e)})
    if p.kind not in ("year", "half"):
        raise ValidationError({"period": _("考核期应为年度（如2024）或半年（如2021H2）")})
    return p, p.previous()


def _write_verdicts(run: Assessment, root: Node, *, keep: dict[str, Verdict] | None = None) -> int:
    """Compute every subject's criteria and store them, keeping attestations and overrides already made."""
    period, base = Period.parse(run.period), Period.parse(run.base_period)
    communities, units = crit.subjects(root)
    results = {}
    results.update(crit.compute_communities(root, communities, period, base))
    results.update(crit.compute_units(root, units, period))
    keep = keep or {}
    new, changed = [], []
    for i, c in enumerate(communities):
        new.append((f"c{c.id}", dict(kind=SubjectKind.COMMUNITY, subject=c, name=c.name, sort=i), c))
    for i, u in enumerate(units):
        new.append((f"u{u.id}", dict(kind=SubjectKind.UNIT, unit=u, name=u.name, sort=i), u))
    create = []
    for key, fields, obj in new:
        criteria = results[key]
        old = keep.get(key)
        if old is not None:
            attested = {c["key"]: c.get("attested") for c in old.criteria if c.get("attested")}
            for c in criteria:
                if c["key"] in attested:
                    c["attested"] = attested[c["key"]]
            old.criteria, old.computed = criteria, crit.summarise(criteria)
            changed.append(old)
            continue
        v = Verdict(assessment=run, criteria=criteria, computed=crit.summarise(criteria), **fields)
        if fields["kind"] == SubjectKind.COMMUNITY:
            v.place_at(obj)
        else:
            v.place_like(obj)
        create.append(v)
    Verdict.objects.bulk_create(create, batch_size=500)
    Verdict.objects.bulk_update(changed, ["criteria", "computed"], batch_size=500)
    return len(create) + len(changed)


@transaction.atomic
def assessment_open(*, street: Node, period: str, user, supersedes: Assessment | None = None, now=None) -> Assessment:
    """Open a run for every community and unit of the street and compute it.

    1. Parse the period (a year, or a half against the half before).
    2. Refuse a period that has not begun, or one with no record at all under the street.
    3. Create the run and one verdict per community and unit, computed from the records.
    """
    now = now or timezone.now()
    if street.level != Level.STREET:
        raise ValidationError(_("考核按街道进行"))
    p, b = parse_period(period)
    if p.start > timezone.localdate(now):
        raise ValidationError({"period": _("%(p)s尚未开始，不能考核") % {"p": p.label}})
    if not crit.has_records(street, p, b):
        raise ValidationError({"period": _("%(p)s及对比期%(b)s没有任何台账记录（案件、宣传、排查、打卡），无法考核；请先导入或录入记录")
                               % {"p": p.label, "b": b.label}})
    run = Assessment(period=str(p), base_period=str(b), created_by=user if user and user.pk else None,
                     supersedes=supersedes, computed_at=now)
    run.place_at(street)
    run.full_clean()
    run.save()
    n = _write_verdicts(run, street)
    audit(user=user, action="assess.open", target=f"assessment:{run.pk}", detail=f"{street.name} {p} ({n})")
    return run


def _draft(run: Assessment) -> None:
    if run.status != Status.DRAFT:
        raise ValidationError(_("考核结果已公布，结论已固定；如需重新考核请新建一轮"))


@transaction.atomic
def assessment_refresh(*, run: Assessment, user, now=None) -> int:
    """Recompute a draft run from the records as they are now (attestations and overrides kept)."""
    run = Assessment.objects.select_for_update().get(pk=run.pk)
    _draft(run)
    keep = {(f"c{v.subject_id}" if v.kind == SubjectKind.COMMUNITY else f"u{v.unit_id}"): v for v in run.verdicts.all()}
    n = _write_verdicts(run, run.street, keep=keep)
    run.computed_at = now or timezone.now()
    run.save(update_fields=["computed_at"])
    return n


# The audit log keeps what was decided in words, as written at the time (not the stored codes).
_OUTCOME_WORDS = {Outcome.PASS: "达标", Outcome.FAIL: "未达标", Outcome.PENDING: "待认定"}


@transaction.atomic
def criterion_attest(*, verdict: Verdict, key: str, ok: bool, note: str, user, now=None) -> Verdict:
    """The office attests a manual criterion (duties / outreach), with the evidence it relied on."""
    verdict = Verdict.objects.select_for_update().select_related("assessment").get(pk=verdict.pk)
    _draft(verdict.assessment)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请写明认定依据（检查了哪些台账、资料）")})
    label = key
    for c in verdict.criteria:
        if c["key"] == key and c["manual"]:
            label = c.get("label") or key
            c["attested"] = {"ok": bool(ok), "note": note[:1000], "by": user.get_full_name() or user.username,
                             "at": (now or timezone.now()).isoformat(timespec="minutes")}
            break
    else:
        raise ValidationError(_("该项不是需要认定的指标"))
    verdict.computed = crit.summarise(verdict.criteria)
    verdict.save(update_fields=["criteria", "computed"])
    audit(user=user, action="assess.attest", target=f"verdict:{verdict.pk}",
          detail=f"{verdict.name} {label}：{'达标' if ok else '不达标'}；{note[:200]}")
    return verdict


@transaction.atomic
def verdict_override(*, verdict: Verdict, outcome: str, reason: str, user, now=None) -> Verdict:
    """Override the computed verdict; a written reason is required. outcome "" clears the override."""
    verdict = Verdict.objects.select_for_update().select_related("assessment").get(pk=verdict.pk)
    _draft(verdict.assessment)
    reason = (reason or "").strip()
    if outcome not in ("", Outcome.PASS, Outcome.FAIL):
        raise ValidationError({"outcome": _("复核结论只能是达标或未达标")})
    if outcome and not reason:
        raise ValidationError({"reason": _("改变系统结论必须写明理由")})
    verdict.override = outcome
    verdict.override_reason = reason if outcome else ""
    verdict.override_by = user if outcome else None
    verdict.override_at = (now or timezone.now()) if outcome else None
    verdict.save(update_fields=["override", "override_reason", "override_by", "override_at"])
    audit(user=user, action="assess.override", target=f"verdict:{verdict.pk}",
          detail=f"{verdict.name}：{_OUTCOME_WORDS.get(verdict.computed, verdict.computed)} → "
                 f"{_OUTCOME_WORDS.get(outcome, outcome) if outcome else '撤销复核'}；{reason[:500]}")
    return verdict


def missing_attestations(run: Assessment) -> list[str]:
    """What keeps the run from being published: unattested manual criteria of verdicts not overridden."""
    out = []
    for v in run.verdicts.filter(override="").order_by("kind", "sort", "id"):
        for label in v.missing():
            out.append(f"{v.name}：{label}")
    return out


@transaction.atomic
def assessment_publish(*, run: Assessment, user, now=None) -> Assessment:
    """Publish the list: refused while manual criteria are unattested; afterwards the verdicts are frozen."""
    run = Assessment.objects.select_for_update().get(pk=run.pk)
    _draft(run)
    missing = missing_attestations(run)
    if missing:
        raise ValidationError([_("以下指标尚未认定，不能公布（共%(n)d项）：") % {"n": len(missing)}] + missing)
    run.status = Status.PUBLISHED
    run.published_at = now or timezone.now()
    run.published_by = user
    run.save(update_fields=["status", "published_at", "published_by"])
    audit(user=user, action="assess.publish", target=f"assessment:{run.pk}", detail=f"{run.street.name} {run.period}")
    return run


def assessment_reassess(*, run: Assessment, user, now=None) -> Assessment:
    """A new run of the same street and period, computed afresh; the published one stays as it was."""
    run = Assessment.objects.select_related("street").get(pk=run.pk)
    if run.status != Status.PUBLISHED:
        raise ValidationError(_("考核中的一轮可直接重新计算"))
    return assessment_open(street=run.street, period=run.period, user=user, supersedes=run, now=now)
