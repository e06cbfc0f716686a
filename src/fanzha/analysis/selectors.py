"""Where and to whom fraud happens: one report dict for the page, the .xlsx and the API.

Every count by type, channel and victim group comes from the case app's own
selectors (`fanzha.cases.selectors.breakdown` / `victim_groups`), over the
same period and node filter as the case statistics; this module only adds
what the case app does not compute: age bands, the weekday × hour heat map,
the residential compound (小区) and the grid, and rates per 1,000 residents.

Rules (stated here because the page and tests rely on them):

* **Weekday** is the weekday of the case's date on the chosen basis
  (发案日期 by default, 报案日期 with basis=reported).
* **Hour** — cases carry no time field, so the hour is read from the brief
  narrative (its first 80 characters): the first "14时", "14点", "14:30" / "14：30", optionally preceded by
  下午/晚上/傍晚/夜里/夜间/中午 (which add 12 to an hour below 12; 凌晨/早上/上午
  keep it). An hour that cannot be read goes to the "时间不详" row, never guessed.
* **Compound (小区)** is read from the victim's household address: drop a
  leading administrative prefix ending in 省/市/区/县/街道/镇/乡, then take the
  text up to and including the first compound word (小区, 花园, 家园, 新村,
  新城, 公寓, 大厦, 苑, 府, 村); failing that, the text before the first digit
  (a street address "人民路12号" gives "人民路"). Cases without a recorded
  victim household fall under "（无住址）".
* **Rates** are cases per 1,000 registered residents of the compound / grid.
  A place with fewer than MIN_CASES cases or fewer than MIN_POPULATION residents
  is flagged `small` and is not ranked among the hot spots (it is listed with
  the flag, so nobody reads one case over 12 residents as the worst place).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.cases import selectors as case_selectors
from fanzha.cases.fraud_types import FraudType
from fanzha.cases.models import Case, Channel, DateBasis, date_field
from fanzha.cases.periods import Period
from fanzha.org.models import Household, Node, Resident

MIN_CASES = 3
MIN_POPULATION = 200
HOT_SPOTS = 10
NARRATIVE_HEAD = 80  # the hour is read from the narrative's first 80 characters (where 简要案情 state the time)
TABLE_ROWS = 50  # rows of the compound and grid tables on the page (the .xlsx has them all)

NO_ADDRESS = "（无住址）"
UNKNOWN_COMPOUND = "（未识别小区）"

_PREFIX = re.compile(r"^[^\d０-９]{1,12}?(?:省|自治区|市|(?<!小)区|县|街道|镇|乡)")
_COMPOUND = re.compile(r"^(.+?(?:小区|花园|家园|新村|新城|公寓|大厦|苑|府|村))")
_BEFORE_DIGIT = re.compile(r"^([^\d０-９]+?)(?=[\d０-９])")
_HOUR = re.compile(r"(凌晨|早上|上午|中午|下午|傍晚|晚上|夜里|夜间)?\s*(\d{1,2})\s*(?:时|点|[:：]\d{2})")
_PM = {"中午", "下午", "傍晚", "晚上", "夜里", "夜间"}

AGE_BANDS = [
    ("u18", _("18岁以下"), 0, 17),
    ("18_29", _("18–29岁"), 18, 29),
    ("30_44", _("30–44岁"), 30, 44),
    ("45_59", _("45–59岁"), 45, 59),
    ("60_69", _("60–69岁"), 60, 69),
    ("70", _("70岁以上"), 70, 200),
]
WEEKDAYS = [_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日")]
DIMENSIONS = ("type", "channel", "group", "age", "cell", "compound", "grid")


def compound_of(address: str | None) -> str:
    """The residential compound (小区) of a household address, by the rule in the module docstring."""
    text = re.sub(r"\s+", "", address or "")
    if not text:
        return NO_ADDRESS
    rest = text
    while (m := _PREFIX.match(rest)) and len(rest) - m.end() >= 2 and not _COMPOUND.match(m.group(0)):
        rest = rest[m.end():]
    for candidate in (rest, text):
        c = _COMPOUND.match(candidate)
        if c:
            return c.group(1)
    b = _BEFORE_DIGIT.match(rest)
    if b and len(b.group(1)) >= 2:
        return b.group(1)
    return UNKNOWN_COMPOUND


def hour_of(narrative: str | None) -> int | None:
    """The hour of day a narrative states (0–23), or None when it states none."""
    for m in _HOUR.finditer(narrative or ""):
        hour = int(m.group(2))
        if hour > 24:
            continue
        if m.group(1) in _PM and hour < 12:
            hour += 12
        return hour % 24
    return None


def in_period(user, *, node: Node | None, period: Period, basis: str, today: dt.date | None = None) -> QuerySet[Case]:
    """The cases the report counts: the case statistics' node and period filter (a running period up to today)."""
    today = today or timezone.localdate()
    f = date_field(basis)
    return case_selectors.cases_for(user, node=node).filter(**{f"{f}__gte": period.start, f"{f}__lte": min(period.end, today)})


def age_bands(qs: QuerySet[Case]) -> list[dict]:
    q = {k: Q(victim_age__gte=lo, victim_age__lte=hi) for k, _l, lo, hi in AGE_BANDS}
    agg = qs.aggregate(**{f"{k}_n": Count("id", filter=v) for k, v in q.items()},
                       unknown_n=Count("id", filter=Q(victim_age__isnull=True)))
    out = [{"key": k, "label": str(label), "count": agg[f"{k}_n"]} for k, label, _lo, _hi in AGE_BANDS]
    out.append({"key": "unknown", "label": _("年龄不详"), "count": agg["unknown_n"]})
    return out


def _rate(count: int, population: int) -> float | None:
    return round(count * 1000 / population, 2) if population else None


def _small(count: int, population: int) -> bool:
    return count < MIN_CASES or population < MIN_POPULATION


def _rows(qs: QuerySet[Case], basis: str) -> list[dict]:
    f = date_field(basis)
    from django.db.models.functions import Substr

    return list(qs.annotate(head=Substr("narrative", 1, NARRATIVE_HEAD))
                .values("id", f, "grid_id", "victim__household__address", "head"))


def heatmap(rows: list[dict], basis: str) -> dict:
    """Weekday (0 = Monday) × hour (0–23, 24 = 时间不详) counts."""
    f = date_field(basis)
    cells: Counter = Counter()
    for r in rows:
        h = hour_of(r["head"])
        cells[(r[f].weekday(), 24 if h is None else h)] += 1
    return {
        "weekdays": [str(w) for w in WEEKDAYS],
        "hours": list(range(24)) + [_("时间不详")],
        "cells": [[w, h, n] for (w, h), n in sorted(cells.items())],
        "max": max(cells.values(), default=0),
        "unknown_hour": sum(n for (w, h), n in cells.items() if h == 24),
    }


POPULATION_CACHE_SECONDS = 600


def compound_population(node: Node | None) -> dict[str, int]:
    """{compound: registered residents} under a node (all when None), cached for ten minutes in one entry.

    Reading every household address of a county and parsing it is the costly
    part of the page; populations change slowly, so a rate may lag a new
    registration by up to ten minutes (the counts of cases never do).
    """
    from django.core.cache import cache

    where = {f"{node.level}_id": node.id} if node is not None else {}
    qs = Household.objects.filter(**where)
    key = f"analysis:comp-pop:{node.id if node else 'all'}"
    found = cache.get(key)
    if found is None:
        pop: Counter = Counter()
        for address, n in qs.values("address").annotate(n=Count("residents")).order_by().values_list("address", "n"):
            pop[compound_of(address)] += n
        found = dict(pop)
        cache.set(key, found, POPULATION_CACHE_SECONDS)
    return found


def grid_population(node: Node | None) -> dict[int, int]:
    """{grid id: registered residents} under a node, cached for ten minutes like the compounds'."""
    from django.core.cache import cache

    key = f"analysis:grid-pop:{node.id if node else 'all'}"
    found = cache.get(key)
    if found is None:
        where = {f"{node.level}_id": node.id} if node is not None else {}
        found = dict(Resident.objects.filter(**where, grid_id__isnull=False).values("grid_id").annotate(n=Count("id"))
                     .order_by().values_list("grid_id", "n"))
        cache.set(key, found, POPULATION_CACHE_SECONDS)
    return found


def _place_rows(counts: Counter, population: dict, labels: dict) -> list[dict]:
    out = []
    for key, n in counts.items():
        pop = population.get(key, 0)
        out.append({"key": str(key), "label": labels.get(key, str(key)), "count": n, "population": pop,
                    "rate": _rate(n, pop), "small": _small(n, pop)})
    out.sort(key=lambda d: (d["small"], -(d["rate"] or 0), -d["count"], d["label"]))
    return out


def places(rows: list[dict], node: Node | None = None) -> tuple[list[dict], list[dict]]:
    """(grids, compounds) with the count, the resident population and the rate per 1,000."""
    grid_counts = Counter(r["grid_id"] for r in rows if r["grid_id"])
    comp_counts: Counter = Counter()
    comp_grids: dict[str, set] = defaultdict(set)
    for r in rows:
        c = compound_of(r["victim__household__address"])
        comp_counts[c] += 1
        if r["grid_id"]:
            comp_grids[c].add(r["grid_id"])
    grid_ids = list(grid_counts)
    grid_pop = grid_population(node) if grid_ids else {}
    names = dict(Node.objects.filter(id__in=grid_ids).values_list("id", "name")) if grid_ids else {}
    population = compound_population(node) if comp_counts else {}
    comp_pop: Counter = Counter({c: population.get(c, 0) for c in comp_counts})
    for special in (NO_ADDRESS, UNKNOWN_COMPOUND):
        comp_pop.pop(special, None)
    grids = _place_rows(grid_counts, grid_pop, names)
    compounds = _place_rows(comp_counts, comp_pop, {c: c for c in comp_counts})
    for c in compounds:
        if c["key"] in (NO_ADDRESS, UNKNOWN_COMPOUND):
            c["small"] = True
            c["unplaced"] = True
    return grids, compounds


def hot_spots(grids: list[dict], compounds: list[dict]) -> list[dict]:
    """The compounds and grids with the highest rate per 1,000, small bases left out of the ranking."""
    spots = [dict(r, kind="compound", kind_label=_("小区")) for r in compounds if not r["small"]]
    spots += [dict(r, kind="grid", kind_label=_("网格")) for r in grids if not r["small"]]
    spots.sort(key=lambda d: (-(d["rate"] or 0), -d["count"]))
    return spots[:HOT_SPOTS]


def where_report(user, *, node: Node | None, period: Period, basis: str = DateBasis.OCCURRED,
                 today: dt.date | None = None) -> dict:
    """Everything the analysis page, its .xlsx and its API show for one node and period."""
    basis = case_selectors.basis_of(basis)
    qs = in_period(user, node=node, period=period, basis=basis, today=today)
    rows = _rows(qs, basis)
    grids, compounds = places(rows, node)
    agg = qs.aggregate(loss_sum=Coalesce(Sum("loss"), case_selectors.ZERO))
    return {
        "node": node.name if node else _("全部"),
        "node_id": node.id if node else None,
        "period": str(period),
        "period_label": period.label,
        "basis": basis,
        "basis_label": case_selectors.basis_label(basis),
        "total": {"count": len(rows), "loss": float(Decimal(agg["loss_sum"]))},
        "by_type": case_selectors.breakdown(qs, "fraud_type", FraudType.choices),
        "by_channel": case_selectors.breakdown(qs, "channel", Channel.choices),
        "by_victim_group": case_selectors.victim_groups(qs),
        "by_age": age_bands(qs),
        "heatmap": heatmap(rows, basis),
        "grids": grids,
        "compounds": compounds,
        "hot_spots": hot_spots(grids, compounds),
        "table_rows": TABLE_ROWS,
        "min_cases": MIN_CASES,
        "min_population": MIN_POPULATION,
    }


GROUP_FILTERS = {
    "student": Q(victim_student=True),
    "women": Q(victim_gender="F"),
    "elderly": Q(victim_age__gte=60),
    "floating": Q(victim_floating=True),
    "staff": Q(staff_link="staff"),
    "family": Q(staff_link="family"),
}


def drill(user, *, node: Node | None, period: Period, basis: str, dim: str, key: str,
          today: dt.date | None = None) -> QuerySet[Case]:
    """The cases behind one figure of the report (same filters, one more condition)."""
    basis = case_selectors.basis_of(basis)
    qs = in_period(user, node=node, period=period, basis=basis, today=today)
    if dim == "type":
        qs = qs.filter(fraud_type=key)
    elif dim == "channel":
        qs = qs.filter(channel=key)
    elif dim == "group":
        qs = qs.filter(GROUP_FILTERS[key]) if key in GROUP_FILTERS else qs.none()
    elif dim == "age":
        band = next((b for b in AGE_BANDS if b[0] == key), None)
        if key == "unknown":
            qs = qs.filter(victim_age__isnull=True)
        else:
            qs = qs.filter(victim_age__gte=band[2], victim_age__lte=band[3]) if band else qs.none()
    elif dim == "grid":
        qs = qs.filter(grid_id=int(key)) if key.isdigit() else qs.none()
    elif dim in ("compound", "cell"):
        rows = _rows(qs, basis)
        f = date_field(basis)
        if dim == "compound":
            ids = [r["id"] for r in rows if compound_of(r["victim__household__address"]) == key]
        else:
            try:
                w, h = (int(x) for x in key.split("-"))
            except ValueError:
                w, h = -1, -1
            ids = [r["id"] for r in rows
                   if r[f].weekday() == w and (24 if hour_of(r["head"]) is None else hour_of(r["head"])) == h]
        qs = qs.filter(id__in=ids)
    else:
        qs = qs.none()
    return qs.select_related("community", "grid").order_by("-reported_on", "-id")


def task_progress(user, tasks) -> list[dict]:
    """Each targeted task with its households visited since it was made (from the outreach visit records)."""
    from fanzha.outreach.selectors import visits_for

    out = []
    for t in tasks:
        done = set(visits_for(user, node=t.grid, start=t.created_on).filter(household_id__in=t.household_ids)
                   .values_list("household_id", flat=True))
        total = len(t.household_ids)
        out.append({"task": t, "done": len(done), "total": total, "done_ids": done,
                    "complete": total > 0 and len(done) >= total,
                    "pct": round(len(done) * 100 / total) if total else 0})
    return out
