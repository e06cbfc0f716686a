"""Reads of the assessment: runs, verdicts, a subject's standing, and the one year-end list report."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fanzha.assessment import criteria as crit
from fanzha.assessment.models import Assessment, Outcome, Status, SubjectKind, Verdict
from fanzha.cases.periods import Period
from fanzha.core.access import OFFICE
from fanzha.core.scoping import get_scoped_or_404, home_street, scope_of, scoped
from fanzha.org.models import Node


def is_office(user) -> bool:
    return user.is_superuser or OFFICE in scope_of(user).roles


def runs_for(user) -> QuerySet[Assessment]:
    return scoped(Assessment.objects.select_related("street", "supersedes"), user).order_by("-period", "-id")


def run_get(user, pk) -> Assessment:
    return get_scoped_or_404(Assessment.objects.select_related("street", "published_by"), user, pk=pk)


def verdict_get(user, pk) -> Verdict:
    return get_scoped_or_404(Verdict.objects.select_related("assessment", "assessment__street", "subject", "unit",
                                                            "override_by"), user, pk=pk)


def verdicts_of(run: Assessment, *, kind: str = "", outcome: str = "") -> QuerySet[Verdict]:
    qs = run.verdicts.all()
    if kind:
        qs = qs.filter(kind=kind)
    if outcome:
        qs = qs.filter(override=outcome) | qs.filter(override="", computed=outcome)
    return qs.order_by("kind", "sort", "id")


def street_of(user) -> Node | None:
    """The street an assessment is opened for: the user's own (none for a user above the streets)."""
    return home_street(user, everything_first=False)


def live_criteria(verdict: Verdict) -> list[dict]:
    """A draft verdict recomputed from the records now (for a subject's own standing); published ones as frozen."""
    run = verdict.assessment
    if run.status == Status.PUBLISHED:
        return verdict.criteria
    period, base = Period.parse(run.period), Period.parse(run.base_period)
    if verdict.kind == SubjectKind.COMMUNITY:
        fresh = crit.compute_communities(verdict.subject, [verdict.subject], period, base)[f"c{verdict.subject_id}"]
    else:
        fresh = crit.compute_units(run.street, [verdict.unit], period)[f"u{verdict.unit_id}"]
    attested = {c["key"]: c["attested"] for c in verdict.criteria if c.get("attested")}
    for c in fresh:
        if c["key"] in attested:
            c["attested"] = attested[c["key"]]
    return fresh


def standing_text(criteria: list[dict]) -> str:
    """"存在风险：有1起50万元以上案件" — what stands between the subject and the title now."""
    failed = [c["summary"] for c in criteria if (c.get("attested") or {}).get("ok", c["ok"]) is False]
    if failed:
        return _("存在风险：") + "；".join(failed)
    pending = [c["label"] for c in criteria if c["manual"] and not c.get("attested")]
    if pending:
        return _("目前各项计算指标达标；待反诈办认定：") + "、".join(pending)
    return _("目前各项指标达标")


def my_standing(user) -> list[dict]:
    """The latest verdicts of the communities / units the user belongs to, the current year's live."""
    seen, out = set(), []
    for v in scoped(Verdict.objects.select_related("assessment", "assessment__street", "subject", "unit"), user).order_by(
            "-assessment__period", "-assessment_id"):
        key = (v.kind, v.subject_id, v.unit_id, v.assessment.period)
        if key in seen:
            continue
        seen.add(key)
        criteria = live_criteria(v)
        out.append({"verdict": v, "criteria": criteria, "live": v.assessment.status == Status.DRAFT,
                    "computed": crit.summarise(criteria), "text": standing_text(criteria)})
    return out


def list_report(run: Assessment) -> dict:
    """The year-end list (创建名单): one dict for the page, the API, the .xlsx and the Word file."""
    period = Period.parse(run.period)
    rows = []
    counts = {"community": {"pass": 0, "fail": 0, "pending": 0}, "unit": {"pass": 0, "fail": 0, "pending": 0}}
    for v in verdicts_of(run):
        counts[v.kind][v.outcome] += 1
        rows.append({"id": v.id, "kind": v.kind, "kind_label": str(SubjectKind(v.kind).label), "name": v.name,
                     "computed": v.computed, "outcome": v.outcome, "outcome_label": str(Outcome(v.outcome).label),
                     "overridden": bool(v.override), "reason": v.reason_text()})
    return {
        "id": run.id, "street": run.street.name, "period": run.period, "base_period": run.base_period,
        "period_label": str(period.label), "base_label": str(Period.parse(run.base_period).label),
        "status": run.status, "status_label": str(Status(run.status).label),
        "published_at": run.published_at.isoformat() if run.published_at else None,
        "title": _("%(street)s%(period)s无诈社区、无诈单位创建名单") % {"street": run.street.name, "period": period.label},
        "counts": counts, "rows": rows,
        "passed": [r for r in rows if r["outcome"] == Outcome.PASS],
        "not_passed": [r for r in rows if r["outcome"] != Outcome.PASS],
    }


def today_period(today: dt.date) -> str:
    return str(today.year)
