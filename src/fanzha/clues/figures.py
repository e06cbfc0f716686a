"""Figures on clues (SPEC §6) for a node and a period — one report dict for the page, the API and the .xlsx.

Counts come from GROUP BY queries; times are read from the seconds columns the
workflow writes (`check_seconds`, `handoff_seconds`, `Handoff.answer_seconds`),
so medians are computed in Python from integers, the same on SQLite and
PostgreSQL, and a county's year (~50,000 clues) is a handful of index scans.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.alerts.figures import Window
from fanzha.clues.models import Clue, Handoff, HandoffStatus, Kind, Outcome, Source, Status
from fanzha.core.scoping import scope_of
from fanzha.org.models import Level, Node, Unit

CHILD_LEVEL = {Level.COUNTY: Level.STREET, Level.STREET: Level.COMMUNITY, Level.COMMUNITY: Level.GRID}


def _bounds(window: Window) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(window.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(window.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _median_hours(values: list[int]) -> float | None:
    return round(statistics.median(values) / 3600, 1) if values else None


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def clue_figures(user, *, node: Node | None, window: Window) -> dict:
    """Everything the figures page shows for `node` (None: the user's whole scope) over `window`."""
    scope = scope_of(user)
    start, end = _bounds(window)
    base = scope.filter(Clue.objects.all())
    if node is not None:
        base = base.filter(**{f"{node.level}_id": node.id})
    clues = base.filter(received_at__gte=start, received_at__lt=end)

    by_source, by_kind, by_status, outcomes = Counter(), Counter(), Counter(), Counter()
    total = 0
    for src, kind, status, outcome, n in (clues.values_list("source", "kind", "status", "outcome")
                                          .annotate(n=Count("id")).order_by()):
        total += n
        by_source[src] += n
        by_kind[kind] += n
        by_status[status] += n
        if outcome:
            outcomes[outcome] += n

    check_s = list(clues.filter(check_seconds__isnull=False).values_list("check_seconds", flat=True))
    handoff_s = list(clues.filter(handoff_seconds__isnull=False).values_list("handoff_seconds", flat=True))
    close_s = list(clues.filter(close_seconds__isnull=False, status=Status.CLOSED).values_list("close_seconds", flat=True))

    # Hand-offs made in the period, per target (police station or department).
    hq = scope.filter(Handoff.objects.all())
    if node is not None:
        hq = hq.filter(**{f"{node.level}_id": node.id})
    hq = hq.filter(handed_at__gte=start, handed_at__lt=end).exclude(status=HandoffStatus.WITHDRAWN)
    now = timezone.now()
    per: dict[str, dict] = {}
    answer_all: list[int] = []
    answer_by: dict[str, list[int]] = defaultdict(list)
    for to_police, unit_id, status, within, secs, due_at in hq.values_list(
            "to_police", "unit_id", "status", "within_deadline", "answer_seconds", "due_at").iterator(chunk_size=5000):
        key = "police" if to_police else f"unit:{unit_id}"
        row = per.setdefault(key, {"key": key, "unit_id": None if to_police else unit_id, "handed": 0, "answered": 0,
                                   "declined": 0, "within": 0, "open": 0, "overdue_open": 0})
        row["handed"] += 1
        if status == HandoffStatus.OPEN:
            row["open"] += 1
            if due_at < now:
                row["overdue_open"] += 1
        else:
            row["answered" if status == HandoffStatus.ANSWERED else "declined"] += 1
            if within:
                row["within"] += 1
            if secs is not None:
                answer_all.append(secs)
                answer_by[key].append(secs)
    names = dict(Unit.objects.filter(pk__in=[r["unit_id"] for r in per.values() if r["unit_id"]]).values_list("id", "name"))
    departments = []
    for key, row in per.items():
        replied = row["answered"] + row["declined"]
        departments.append({
            **row, "name": str(_("派出所")) if key == "police" else names.get(row["unit_id"], "?"),
            "within_pct": _pct(row["within"], replied + row["overdue_open"]),
            "answer_median_h": _median_hours(answer_by.get(key, [])),
        })
    departments.sort(key=lambda r: (-r["handed"], r["name"]))

    months = Counter()
    for d in clues.values_list("received_at", flat=True).iterator(chunk_size=10000):
        months[timezone.localtime(d).strftime("%Y-%m")] += 1
    trend = [{"month": m, "n": months[m]} for m in _month_keys(window)]

    children = []
    child_level = CHILD_LEVEL.get(node.level) if node is not None else None
    if child_level:
        counts = dict(clues.values_list(f"{child_level}_id").annotate(n=Count("id")).order_by())
        open_counts = dict(clues.filter(status__in=[Status.NEW, Status.CHECKED, Status.HANDED, Status.ANSWERED])
                           .values_list(f"{child_level}_id").annotate(n=Count("id")).order_by())
        for child in Node.objects.filter(parent=node, level=child_level).order_by("sort", "code"):
            if scope.contains_node(child):
                children.append({"id": child.id, "name": child.name, "n": counts.get(child.id, 0),
                                 "open": open_counts.get(child.id, 0)})
        unplaced = counts.get(None, 0)
        if unplaced:
            children.append({"id": None, "name": str(_("（未定位到下一级）")), "n": unplaced, "open": open_counts.get(None, 0)})

    answered = sum(r["answered"] + r["declined"] for r in departments)
    within = sum(r["within"] for r in departments)
    overdue_open = sum(r["overdue_open"] for r in departments)
    return {
        "node": {"id": node.id, "name": node.name, "level": node.level} if node else None,
        "window": {"key": window.key, "label": str(window.label), "start": window.start.isoformat(),
                   "end": window.end.isoformat()},
        "total": total,
        "open": sum(by_status[s] for s in (Status.NEW, Status.CHECKED, Status.HANDED, Status.ANSWERED)),
        "closed": by_status[Status.CLOSED],
        "merged": by_status[Status.MERGED],
        "by_source": [{"key": k, "label": str(lb), "n": by_source[k]} for k, lb in Source.choices],
        "by_kind": [{"key": k, "label": str(lb), "n": by_kind[k]} for k, lb in Kind.choices],
        "by_status": [{"key": k, "label": str(lb), "n": by_status[k]} for k, lb in Status.choices],
        "outcomes": [{"key": k, "label": str(lb), "n": outcomes[k]} for k, lb in Outcome.choices],
        "check_median_h": _median_hours(check_s),
        "handoff_median_h": _median_hours(handoff_s),
        "answer_median_h": _median_hours(answer_all),
        "close_median_h": _median_hours(close_s),
        "handed": sum(r["handed"] for r in departments),
        "answered": answered,
        "within_pct": _pct(within, answered + overdue_open),
        "overdue_open": overdue_open,
        "departments": departments,
        "trend": trend,
        "children": children,
    }


def _month_keys(window: Window) -> list[str]:
    keys = []
    y, m = window.start.year, window.start.month
    while (y, m) <= (window.end.year, window.end.month):
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return keys
