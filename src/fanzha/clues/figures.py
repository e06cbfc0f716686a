"""Figures on clues (SPEC §6) for a node and a period — one report dict for the page, the API and the .xlsx.

Everything is aggregated in the database — a county's year is ~50,000 clues,
too many to fetch row by row — with the same SQL on SQLite and PostgreSQL:
GROUP BY counts, CASE for the month buckets, and the seconds columns the
workflow writes (`check_seconds`, `handoff_seconds`, `Handoff.answer_seconds`)
for the times (medians overall, means per department).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import statistics
from collections import Counter

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.alerts.figures import Window
from fanzha.clues.models import OPEN_STATUSES, Clue, Handoff, HandoffStatus, Kind, Outcome, Source, Status
from fanzha.core.scoping import scope_of
from fanzha.org.models import Level, Node, Unit

CHILD_LEVEL = {Level.COUNTY: Level.STREET, Level.STREET: Level.COMMUNITY, Level.COMMUNITY: Level.GRID}


def _bounds(window: Window) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(window.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(window.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _median(values: list[int]) -> float | None:
    """Median of seconds, in hours."""
    return round(statistics.median(values) / 3600, 1) if values else None


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _month_bounds(window: Window) -> list[tuple[str, dt.datetime]]:
    """(YYYY-MM, end of that month in local time) for each month the window touches."""
    tz = timezone.get_current_timezone()
    out = []
    for key in _month_keys(window):
        y, m = int(key[:4]), int(key[5:])
        y2, m2 = (y + 1, 1) if m == 12 else (y, m + 1)
        out.append((key, dt.datetime(y2, m2, 1, tzinfo=tz)))
    return out


#: Levels whose figures are kept in the cache for FANZHA_FIGURES_TTL seconds (a county's year is ~50,000
#: clues; a community's or a grid's are few and always counted live).
CACHED_LEVELS = (Level.COUNTY, Level.STREET)


def clue_figures(user, *, node: Node | None, window: Window, fresh: bool = False) -> dict:
    """The figures of `node` over `window` for this user's scope; a county's or a street's are cached for
    FANZHA_FIGURES_TTL seconds (keyed by the scope, node and days), so they may lag the records by that much."""
    from django.conf import settings
    from django.core.cache import cache

    ttl = int(getattr(settings, "FANZHA_FIGURES_TTL", 300))
    if fresh or ttl <= 0 or node is None or node.level not in CACHED_LEVELS:
        return compute_figures(user, node=node, window=window)
    scope = scope_of(user)
    who = "all" if scope.everything else (
        ",".join(f"{k}:{'.'.join(map(str, sorted(v)))}" for k, v in sorted(scope.nodes.items()))
        + "|" + ".".join(map(str, sorted(scope.unit_ids))))
    key = "clue-figures:" + hashlib.sha256(f"{who}|{node.id}|{window.start}|{window.end}".encode()).hexdigest()[:32]
    data = cache.get(key)
    if data is None:
        data = compute_figures(user, node=node, window=window)
        data["as_of"] = f"{timezone.localtime():%Y-%m-%d %H:%M}"
        cache.set(key, data, ttl)
    return data


def compute_figures(user, *, node: Node | None, window: Window) -> dict:
    """Everything the figures page shows for `node` (None: the user's whole scope) over `window`.

    1. One GROUP BY over the period's clues gives the counts by source, kind,
       status, outcome and month (the month is a CASE on received_at, so no
       date function of either database is needed).
    2. One narrow read of the three seconds columns gives the medians.
    3. One GROUP BY over the period's hand-offs gives, per police station /
       department: handed, answered, declined, within the deadline, still open
       and overdue, and the mean answer time.
    The node's children are a column of the same GROUP BY (1.).
    """
    scope = scope_of(user)
    start, end = _bounds(window)
    base = scope.filter(Clue.objects.all())
    if node is not None:
        base = base.filter(**{f"{node.level}_id": node.id})
    clues = base.filter(received_at__gte=start, received_at__lt=end)
    now = timezone.now()

    months = _month_bounds(window)
    bucket = Case(*[When(received_at__lt=edge, then=Value(i)) for i, (_k, edge) in enumerate(months)],
                  default=Value(len(months) - 1), output_field=IntegerField())
    child_level = CHILD_LEVEL.get(node.level) if node is not None else None
    child_col = f"{child_level}_id" if child_level else "county_id"
    by_source, by_kind, by_status, outcomes, by_month = Counter(), Counter(), Counter(), Counter(), Counter()
    by_child, open_by_child = Counter(), Counter()
    total = 0
    for src, kind, status, outcome, month, child_id, n in (
            clues.annotate(m=bucket).values_list("source", "kind", "status", "outcome", "m", child_col)
            .annotate(n=Count("id")).order_by()):
        total += n
        by_source[src] += n
        by_kind[kind] += n
        by_status[status] += n
        by_month[month] += n
        by_child[child_id] += n
        if status in OPEN_STATUSES:
            open_by_child[child_id] += n
        if outcome:
            outcomes[outcome] += n
    # The three durations in one narrow read (integers, no dates to parse); medians in Python.
    check_s, handoff_s, close_s = [], [], []
    for c_s, h_s, x_s, status in (clues.filter(Q(check_seconds__isnull=False) | Q(handoff_seconds__isnull=False))
                                  .values_list("check_seconds", "handoff_seconds", "close_seconds", "status")
                                  .iterator(chunk_size=10000)):
        if c_s is not None:
            check_s.append(c_s)
        if h_s is not None:
            handoff_s.append(h_s)
        if x_s is not None and status == Status.CLOSED:
            close_s.append(x_s)

    # Hand-offs made in the period, per target (police station or department).
    hq = scope.filter(Handoff.objects.all())
    if node is not None:
        hq = hq.filter(**{f"{node.level}_id": node.id})
    hq = hq.filter(handed_at__gte=start, handed_at__lt=end).exclude(status=HandoffStatus.WITHDRAWN)
    per: dict[str, dict] = {}
    for to_police, unit_id, status, within, n, overdue, secs, timed in (
            hq.values_list("to_police", "unit_id", "status", "within_deadline")
            .annotate(n=Count("id"), overdue=Count("id", filter=Q(status=HandoffStatus.OPEN, due_at__lt=now)),
                      secs=Sum("answer_seconds"), timed=Count("answer_seconds")).order_by()):
        key = "police" if to_police else f"unit:{unit_id}"
        row = per.setdefault(key, {"key": key, "unit_id": None if to_police else unit_id, "handed": 0, "answered": 0,
                                   "declined": 0, "within": 0, "open": 0, "overdue_open": 0, "_secs": 0, "_timed": 0})
        row["handed"] += n
        if status == HandoffStatus.OPEN:
            row["open"] += n
            row["overdue_open"] += overdue
        else:
            row["answered" if status == HandoffStatus.ANSWERED else "declined"] += n
            if within:
                row["within"] += n
        row["_secs"] += secs or 0
        row["_timed"] += timed
    answer_s = list(hq.filter(answer_seconds__isnull=False).values_list("answer_seconds", flat=True))
    names = dict(Unit.objects.filter(pk__in=[r["unit_id"] for r in per.values() if r["unit_id"]]).values_list("id", "name"))
    departments = []
    for key, row in per.items():
        replied = row["answered"] + row["declined"]
        secs, timed = row.pop("_secs"), row.pop("_timed")
        departments.append({
            **row, "name": str(_("派出所")) if key == "police" else names.get(row["unit_id"], "?"),
            "within_pct": _pct(row["within"], replied + row["overdue_open"]),
            "answer_avg_h": round(secs / timed / 3600, 1) if timed else None,
        })
    departments.sort(key=lambda r: (-r["handed"], r["name"]))

    children = []
    if child_level:
        for child in Node.objects.filter(parent=node, level=child_level).order_by("sort", "code"):
            if scope.contains_node(child):
                children.append({"id": child.id, "name": child.name, "n": by_child.get(child.id, 0),
                                 "open": open_by_child.get(child.id, 0)})
        if by_child.get(None):
            children.append({"id": None, "name": str(_("（未定位到下一级）")), "n": by_child[None],
                             "open": open_by_child.get(None, 0)})

    answered = sum(r["answered"] + r["declined"] for r in departments)
    within = sum(r["within"] for r in departments)
    overdue_open = sum(r["overdue_open"] for r in departments)
    return {
        "node": {"id": node.id, "name": node.name, "level": node.level} if node else None,
        "window": {"key": window.key, "label": str(window.label), "start": window.start.isoformat(),
                   "end": window.end.isoformat()},
        "total": total,
        "open": sum(by_status[s] for s in OPEN_STATUSES),
        "closed": by_status[Status.CLOSED],
        "merged": by_status[Status.MERGED],
        "by_source": [{"key": k, "label": str(lb), "n": by_source[k]} for k, lb in Source.choices],
        "by_kind": [{"key": k, "label": str(lb), "n": by_kind[k]} for k, lb in Kind.choices],
        "by_status": [{"key": k, "label": str(lb), "n": by_status[k]} for k, lb in Status.choices],
        "outcomes": [{"key": k, "label": str(lb), "n": outcomes[k]} for k, lb in Outcome.choices],
        "check_median_h": _median(check_s),
        "handoff_median_h": _median(handoff_s),
        "answer_median_h": _median(answer_s),
        "close_median_h": _median(close_s),
        "handed": sum(r["handed"] for r in departments),
        "answered": answered,
        "within_pct": _pct(within, answered + overdue_open),
        "overdue_open": overdue_open,
        "departments": departments,
        "trend": [{"month": k, "n": by_month[i]} for i, (k, _edge) in enumerate(months)],
        "children": children,
    }


def _month_keys(window: Window) -> list[str]:
    keys = []
    y, m = window.start.year, window.start.month
    while (y, m) <= (window.end.year, window.end.month):
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return keys
