"""Demo assessment data: last year assessed and published, the current year in progress.

Runs after the other apps' loaders (it reads their cases, files, findings and criticism):

- last year: every manual criterion attested, one community's computed verdict overridden
  with a written reason, the list published (frozen);
- this year: a draft recomputed from the records as they are, a few criteria attested, so
  communities and units see their standing ("存在风险：…") and the office has work left.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from fanzha.assessment import services
from fanzha.assessment.models import Assessment, Outcome
from fanzha.demo.rows import say
from fanzha.org.models import Level, Node, User


def assess_street(street: Node, *, today: dt.date, stdout=None) -> dict:
    if Assessment.objects.filter(street=street).exists():
        return {"skipped": street.name}
    user = User.objects.filter(username="office").first()
    out = {}
    try:
        past = services.assessment_open(street=street, period=str(today.year - 1), user=user)
    except ValidationError as e:
        say(stdout, f"assessment: {street.name} {today.year - 1} not assessed: {'; '.join(e.messages)}")
        past = None
    if past is not None:
        verdicts = list(past.verdicts.all())
        for v in verdicts:
            for c in v.criteria:
                if c["manual"]:
                    ok = not (v.kind == "unit" and c["evidence"].get("activities", 0) == 0 and v.sort % 7 == 3)
                    services.criterion_attest(verdict=v, key=c["key"], ok=ok, user=user,
                                              note="查阅年度台账、活动影像资料和走访记录" if ok else "全年未开展宣传，无影像资料")
        failed = [v for v in verdicts if v.computed == Outcome.FAIL and v.kind == "community"]
        if failed:
            services.verdict_override(verdict=failed[0], outcome=Outcome.PASS, user=user,
                                      reason="经复核，所涉案件受害人户籍已迁出、实际居住在外地，不计入本社区（见派出所情况说明）")
        services.assessment_publish(run=past, user=user)
        out["published"] = len(verdicts)
    try:
        current = services.assessment_open(street=street, period=str(today.year), user=user)
    except ValidationError as e:
        say(stdout, f"assessment: {street.name} {today.year} not assessed: {'; '.join(e.messages)}")
        return out
    for v in list(current.verdicts.filter(kind="community").order_by("sort", "id"))[:2]:
        services.criterion_attest(verdict=v, key="duties", ok=True, user=user, note="上半年台账已检查，资料齐全")
    out["in_progress"] = current.verdicts.count()
    return out


def load_demo(street: Node, stdout=None, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    out = assess_street(street, today=today, stdout=stdout)
    say(stdout, f"assessment: {out}")
    return out


def load_county(county: Node, stdout=None, today: dt.date | None = None) -> dict:
    """This year in progress for every street of the county (the bench assesses afresh on its own)."""
    today = today or timezone.localdate()
    n = 0
    for street in Node.objects.filter(parent=county, level=Level.STREET).order_by("sort", "code"):
        if Assessment.objects.filter(street=street).exists():
            continue
        try:
            services.assessment_open(street=street, period=str(today.year), user=None)
            n += 1
        except ValidationError:
            continue
    say(stdout, f"assessment: {n} streets in progress")
    return {"streets": n}
