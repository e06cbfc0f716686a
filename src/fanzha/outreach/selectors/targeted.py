"""Targeted outreach (点对点): the grid's residents most at risk, for a visit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.cases.models import Case
from fanzha.core.scoping import scoped
from fanzha.org.models import Household, Node, Resident, elderly_born_before
from fanzha.outreach.models import HomeVisit, InstallStatus, PersonKind


# --- targeted outreach (点对点) --------------------------------------------------------------

RECENT_CASE_DAYS = 90


@dataclass
class Candidate:
    household_id: int
    address: str
    head_name: str
    group_name: str
    score: float
    reasons: list[str]
    residents: int
    installed: int
    last_visit: dt.date | None
    elderly_alone: list[str]

    def as_dict(self) -> dict:
        return {"household_id": self.household_id, "address": self.address, "head_name": self.head_name,
                "group": self.group_name, "score": round(self.score, 1), "reasons": self.reasons,
                "residents": self.residents, "installed": self.installed,
                "last_visit": self.last_visit.isoformat() if self.last_visit else None,
                "elderly_alone": self.elderly_alone}


def targeted_list(user, grid: Node, *, today: dt.date | None = None, limit: int | None = None) -> dict:
    """Households of a grid ranked for a visit, most urgent first, each with its reasons.

    Score (higher first):
      elderly living alone 40 · other elderly 12 · nobody with the app 25
      (some without it: 25 × share without) · days since the last visit
      (never: 365) / 365 × 30 · a case against a member in the last year 20 ·
      a case in the same household group in the last 90 days 10.
    The grid's recent cases are shown above the list.

    1. Households of the grid, residents (age, alone), install rows, last
       visit per household and cases of the last year: five queries on the
       grid column.
    2. Score and reasons per household in Python; sort.
    """
    today = today or timezone.localdate()
    col = f"{grid.level}_id"
    households = list(scoped(Household.objects.filter(**{col: grid.id}), user)
                      .values("id", "address", "head_name", "group_id", "group__name"))
    cutoff = elderly_born_before(today)
    members: dict[int, list[tuple]] = {}
    for rid, hid, name, birth, alone in (scoped(Resident.objects.filter(**{col: grid.id}), user)
                                         .values_list("id", "household_id", "name", "birth_date", "lives_alone")):
        members.setdefault(hid, []).append((rid, name, birth, alone))
    installed_ids = set(InstallStatus.objects.filter(**{col: grid.id}, kind=PersonKind.RESIDENT, app_installed_on__isnull=False)
                        .values_list("resident_id", flat=True))
    last_visit = dict(HomeVisit.objects.filter(**{col: grid.id}).order_by().values_list("household_id")
                      .annotate(last=Max("visited_on")))
    year_ago = today - dt.timedelta(days=365)
    recent_from = today - dt.timedelta(days=RECENT_CASE_DAYS)
    cases = list(Case.objects.filter(**{col: grid.id}, reported_on__gte=year_ago, reported_on__lte=today)
                 .values_list("victim__household_id", "group_id", "reported_on"))
    case_households = {h for h, _g, _d in cases if h}
    group_recent: dict[int, int] = {}
    for _h, g, d in cases:
        if g and d >= recent_from:
            group_recent[g] = group_recent.get(g, 0) + 1
    grid_recent = sum(1 for _h, _g, d in cases if d >= recent_from)

    out = []
    for h in households:
        people = members.get(h["id"], [])
        reasons: list[str] = []
        score = 0.0
        alone = [f"{name}（{_age(birth, today)}岁）" for _rid, name, birth, lives_alone in people
                 if lives_alone and birth and birth <= cutoff]
        elderly = [1 for _rid, _n, birth, lives_alone in people if birth and birth <= cutoff and not lives_alone]
        if alone:
            score += 40
            reasons.append(_("独居老人：%(names)s") % {"names": "、".join(alone)})
        elif elderly:
            score += 12
            reasons.append(_("有%(n)d位60岁以上老人") % {"n": len(elderly)})
        n_installed = sum(1 for rid, *_rest in people if rid in installed_ids)
        if people and n_installed == 0:
            score += 25
            reasons.append(_("全户%(n)d人均未安装反诈APP") % {"n": len(people)})
        elif people and n_installed < len(people):
            score += 25 * (len(people) - n_installed) / len(people)
            reasons.append(_("%(n)d人未安装反诈APP") % {"n": len(people) - n_installed})
        lv = last_visit.get(h["id"])
        if lv is None:
            score += 30
            reasons.append(_("从未入户走访"))
        else:
            days = (today - lv).days
            score += min(max(days, 0), 365) / 365 * 30
            if days >= 30:
                reasons.append(_("已%(d)d天未走访（上次%(date)s）") % {"d": days, "date": lv.isoformat()})
        if h["id"] in case_households:
            score += 20
            reasons.append(_("家中有人近一年被骗"))
        g_recent = group_recent.get(h["group_id"], 0)
        if g_recent:
            score += 10
            reasons.append(_("本联户近%(days)d天发案%(n)d起") % {"days": RECENT_CASE_DAYS, "n": g_recent})
        out.append(Candidate(h["id"], h["address"], h["head_name"], h["group__name"] or "", score, reasons,
                             len(people), n_installed, lv, alone))
    out.sort(key=lambda c: (-c.score, c.last_visit or dt.date.min, c.household_id))
    total = len(out)
    if limit:
        out = out[:limit]
    return {"grid": {"id": grid.id, "name": grid.name}, "today": today, "households": total,
            "recent_cases": grid_recent, "recent_case_days": RECENT_CASE_DAYS, "items": out}


def _age(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


