"""Scoped reads of outreach records: activities, visits, WeChat pushes, school letters, reports,
a household's outreach, and outreach counted per child node (one definition for the page, the
API and the files)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy

from fanzha.core.scoping import get_scoped_or_404, scope_of, scoped
from fanzha.org.models import Household, Level, Node, Unit
from fanzha.outreach.models import (
    Activity,
    ActivityKind,
    FLAG_DATE,
    FLAG_VERIFIER,
    FLAGS,
    Evidence,
    HomeVisit,
    LetterReceipt,
    PeriodicReport,
    SchoolLetter,
    WeChatPush,
)
from fanzha.outreach.periods import week_start
from fanzha.outreach.selectors.rollup import PUSHES_PER_WEEK, pct
from fanzha.outreach.selectors.targets import household_residents


# --- activities, pushes, letters in a period ----------------------------------------------


def activities_for(user, *, node: Node | None = None, unit: Unit | None = None, start: dt.date | None = None,
                   end: dt.date | None = None, kind: str = "") -> QuerySet[Activity]:
    qs = scoped(Activity.objects.all(), user)
    if node is not None:
        qs = qs.filter(**{f"{node.level}_id": node.id})
    if unit is not None:
        qs = qs.filter(unit=unit)
    if start:
        qs = qs.filter(held_on__gte=start)
    if end:
        qs = qs.filter(held_on__lte=end)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def activity_get(user, pk) -> Activity:
    return get_scoped_or_404(Activity.objects.select_related("node", "unit", "created_by"), user, pk=pk)


def evidence_get(user, pk) -> Evidence:
    return get_scoped_or_404(Evidence.objects.all(), user, pk=pk)


def activity_totals(qs: QuerySet[Activity]) -> dict:
    agg = qs.aggregate(n=Count("id"), participants=Coalesce(Sum("participants"), 0), materials=Coalesce(Sum("materials"), 0))
    return {"activities": agg["n"], "participants": agg["participants"], "materials": agg["materials"]}


def activities_by_kind(qs: QuerySet[Activity]) -> list[dict]:
    rows = {r["kind"]: r for r in qs.order_by().values("kind").annotate(
        n=Count("id"), participants=Coalesce(Sum("participants"), 0), materials=Coalesce(Sum("materials"), 0))}
    return [{"kind": k, "label": str(label), "count": rows[k]["n"], "participants": rows[k]["participants"],
             "materials": rows[k]["materials"]} for k, label in ActivityKind.choices if k in rows]


def activities_by_child(qs: QuerySet[Activity], child_level: str) -> dict[int, dict]:
    col = f"{child_level}_id"
    return {r[col]: {"activities": r["n"], "participants": r["p"], "materials": r["m"]}
            for r in qs.order_by().values(col).annotate(n=Count("id"), p=Coalesce(Sum("participants"), 0),
                                                         m=Coalesce(Sum("materials"), 0))}


def fraud_types_covered(qs: QuerySet[Activity]) -> list[dict]:
    """How many activities covered each fraud type (multi-valued, counted in Python)."""
    from fanzha.cases.fraud_types import FraudType

    counts: dict[str, int] = {}
    for types in qs.values_list("fraud_types", flat=True):
        for t in types or ():
            counts[t] = counts.get(t, 0) + 1
    return [{"type": t, "label": label, "count": counts[t]} for t, label in FraudType.choices if t in counts]


def visits_for(user, *, node: Node | None = None, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[HomeVisit]:
    qs = scoped(HomeVisit.objects.all(), user)
    if node is not None:
        qs = qs.filter(**{f"{node.level}_id": node.id})
    if start:
        qs = qs.filter(visited_on__gte=start)
    if end:
        qs = qs.filter(visited_on__lte=end)
    return qs


def visit_totals(qs: QuerySet[HomeVisit]) -> dict:
    agg = qs.aggregate(visits=Count("id"), households=Count("household_id", distinct=True),
                       materials=Coalesce(Sum("materials"), 0))
    return agg


def pushes_for(user, *, node: Node | None = None, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[WeChatPush]:
    qs = scoped(WeChatPush.objects.all(), user)
    if node is not None:
        qs = qs.filter(**{f"{node.level}_id": node.id})
    if start:
        qs = qs.filter(pushed_on__gte=start)
    if end:
        qs = qs.filter(pushed_on__lte=end)
    return qs


def push_weeks(user, node: Node, *, start: dt.date, end: dt.date) -> dict:
    """WeChat pushes per community and ISO week, and the community-weeks below two.

    A week still running counts as short only when it is over (its Sunday
    is before `end`), so Monday's view does not flag everyone.

    1. Scoped communities under node (node itself when it is a community or below).
    2. Pushes between the Monday of start's week and end, by community and day (one query).
    3. Bucket by week; list (community, week, count) with count < 2 for finished weeks.
    """
    if node.level in (Level.COUNTY, Level.STREET):
        communities = list(scoped(Node.objects.filter(**{f"{node.level}_id": node.id}, level=Level.COMMUNITY), user)
                           .order_by("sort", "code").values("id", "name"))
    elif node.level == Level.COMMUNITY:
        communities = [{"id": node.id, "name": node.name}]
    else:  # the rule is the community's; a grid's own pushes are only listed
        communities = []
    first = week_start(start)
    weeks = []
    w = first
    while w <= end:
        weeks.append(w)
        w += dt.timedelta(days=7)
    counts: dict[tuple[int, dt.date], int] = {}
    ids = [c["id"] for c in communities]
    rows = (scoped(WeChatPush.objects.filter(community_id__in=ids, pushed_on__gte=first, pushed_on__lte=end), user)
            .order_by().values("community_id", "pushed_on").annotate(n=Count("id")))
    for r in rows:
        key = (r["community_id"], week_start(r["pushed_on"]))
        counts[key] = counts.get(key, 0) + r["n"]
    table, short = [], []
    for c in communities:
        cells = []
        for wk in weeks:
            n = counts.get((c["id"], wk), 0)
            finished = wk + dt.timedelta(days=6) <= end
            is_short = finished and n < PUSHES_PER_WEEK
            cells.append({"week": wk, "count": n, "short": is_short, "finished": finished})
            if is_short:
                short.append({"community_id": c["id"], "community": c["name"], "week": wk, "count": n})
        table.append({"id": c["id"], "name": c["name"], "cells": cells, "total": sum(x["count"] for x in cells),
                      "short_weeks": sum(1 for x in cells if x["short"])})
    return {"weeks": weeks, "rows": table, "short": short}


def letters_for(user, *, node: Node | None = None, unit: Unit | None = None, start=None, end=None) -> QuerySet[SchoolLetter]:
    qs = scoped(SchoolLetter.objects.all(), user)
    if node is not None:
        qs = qs.filter(**{f"{node.level}_id": node.id})
    if unit is not None:
        qs = qs.filter(unit=unit)
    if start:
        qs = qs.filter(sent_on__gte=start)
    if end:
        qs = qs.filter(sent_on__lte=end)
    return qs


def letter_get(user, pk) -> SchoolLetter:
    return get_scoped_or_404(SchoolLetter.objects.select_related("unit"), user, pk=pk)


def receipts_by_school(letters: QuerySet[SchoolLetter]) -> list[dict]:
    """Letters sent and receipts returned per school (and per letter inside)."""
    rows = (LetterReceipt.objects.filter(letter__in=letters.values("id")).order_by()
            .values("letter__unit_id", "letter__unit__name")
            .annotate(sent=Coalesce(Sum("letters_sent"), 0), returned=Coalesce(Sum("receipts_returned"), 0),
                      classes=Count("id"), letters=Count("letter_id", distinct=True)))
    out = [{"unit_id": r["letter__unit_id"], "school": r["letter__unit__name"], "letters": r["letters"],
            "classes": r["classes"], "sent": r["sent"], "returned": r["returned"], "rate": pct(r["returned"], r["sent"])}
           for r in rows]
    out.sort(key=lambda d: (d["rate"] if d["rate"] is not None else 101, d["school"]))
    return out


def receipt_totals(letters: QuerySet[SchoolLetter]) -> dict:
    agg = LetterReceipt.objects.filter(letter__in=letters.values("id")).aggregate(
        sent=Coalesce(Sum("letters_sent"), 0), returned=Coalesce(Sum("receipts_returned"), 0))
    return {"sent": agg["sent"], "returned": agg["returned"], "rate": pct(agg["returned"], agg["sent"])}


# --- misc -------------------------------------------------------------------------------------


def reports_for(user, *, node: Node | None = None) -> QuerySet[PeriodicReport]:
    qs = scoped(PeriodicReport.objects.filter(status="done"), user).select_related("node")
    if node is not None:
        qs = qs.filter(**{f"{node.level}_id": node.id})
    return qs.order_by("-report_date", "kind", "node__sort", "node__code")


def report_get(user, pk) -> PeriodicReport:
    return get_scoped_or_404(PeriodicReport.objects.filter(status="done").select_related("node"), user, pk=pk)


def scope_has_tree(user) -> bool:
    s = scope_of(user)
    return s.everything or bool(s.nodes)


# --- a household's outreach (for the org household page and the visit page) ------------------


HOUSEHOLD_FLAG_LABELS = {"app": gettext_lazy("反诈APP"), "call_warning": gettext_lazy("来电预警"),
                         "jinzhongzhao": gettext_lazy("金钟罩")}


def household_outreach(user, household: Household, *, visits: int = 10) -> dict:
    """Install status per resident (app / call warning / jinzhongzhao with date and verifier) and the
    household's latest visits, both scoped. Three queries. Used by `outreach/_household_outreach.html`.
    """
    people = household_residents(user, household)
    rows = []
    for p in people:
        row = p.install_row
        rows.append({"person": p, "flags": [
            {"flag": f, "label": HOUSEHOLD_FLAG_LABELS[f], "done": bool(row and getattr(row, FLAG_DATE[f])),
             "date": getattr(row, FLAG_DATE[f]) if row else None,
             "verifier": getattr(row, FLAG_VERIFIER[f]) if row else ""} for f in FLAGS]})
    recent = list(scoped(HomeVisit.objects.filter(household=household), user).order_by("-visited_on", "-id")[:visits])
    installed = sum(1 for r in rows if r["flags"][0]["done"])
    return {"household": household, "people": rows, "visits": recent, "installed": installed,
            "residents": len(rows)}


# --- outreach counted per child node: one definition for the page, the API and the files ------


OWN_LEVEL_LABELS = {Level.COUNTY: gettext_lazy("区县本级"), Level.STREET: gettext_lazy("街道本级"),
                    Level.COMMUNITY: gettext_lazy("社区本级"), Level.GRID: gettext_lazy("网格本级"),
                    Level.GROUP: gettext_lazy("联户本级")}


def own_level_label(node: Node) -> str:
    """The row of what was done at a node itself, not in any node under it: "街道本级", "社区本级"."""
    return str(OWN_LEVEL_LABELS[node.level])


def outreach_by_child(user, node: Node, *, start: dt.date, end: dt.date, child_level: str) -> dict:
    """Activities, participants, materials and pushes of a period per child of `node`.

    The key is the child's id, or None for records held at `node` itself (an
    activity the street office ran, a unit placed at the street): the
    "本级" row, so the rows always add up to the node's total.

    发放资料 (materials) is defined here once: materials handed out at
    activities plus materials left at home visits. Three grouped queries.
    """
    col = f"{child_level}_id"
    out: dict = {}

    def row(k):
        return out.setdefault(k, {"activities": 0, "participants": 0, "activity_materials": 0, "visit_materials": 0,
                                  "materials": 0, "visits": 0, "pushes": 0})

    for r in (activities_for(user, node=node, start=start, end=end).order_by().values(col)
              .annotate(n=Count("id"), p=Coalesce(Sum("participants"), 0), m=Coalesce(Sum("materials"), 0))):
        x = row(r[col])
        x.update(activities=r["n"], participants=r["p"], activity_materials=r["m"])
    for r in (visits_for(user, node=node, start=start, end=end).order_by().values(col)
              .annotate(n=Count("id"), m=Coalesce(Sum("materials"), 0))):
        x = row(r[col])
        x.update(visits=r["n"], visit_materials=r["m"])
    for r in pushes_for(user, node=node, start=start, end=end).order_by().values(col).annotate(n=Count("id")):
        row(r[col])["pushes"] = r["n"]
    for x in out.values():
        x["materials"] = x["activity_materials"] + x["visit_materials"]
    return out


def outreach_totals(by_child: dict) -> dict:
    """The node's totals: the sum of `outreach_by_child` rows (the 本级 row included)."""
    keys = ("activities", "participants", "activity_materials", "visit_materials", "materials", "visits", "pushes")
    return {k: sum(x[k] for x in by_child.values()) for k in keys}


def invalidate_heads(*node_ids: int | None) -> None:
    """Nothing to forget: households and residents are maintained counts (`org.counts`). Kept for callers."""


