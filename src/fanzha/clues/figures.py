"""Figures on clues (SPEC §6) for a node and a period — one report dict for the page, the API and the .xlsx.

Everything is aggregated in the database — a county's year is ~50,000 clues,
too many to fetch row by row — with the same SQL on SQLite and PostgreSQL:
GROUP BY counts read in the order of indexes made for them, receipt times cut
at month ends, and the seconds columns the workflow writes (`check_seconds`, `handoff_seconds`,
`close_seconds`, `Handoff.answer_seconds`) summed for the mean times.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
from collections import Counter
from operator import itemgetter

from django.db import connection
from django.db.models import CharField, Count, Q, Sum
from django.db.models.functions import Cast, TruncMonth
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


def _hours(seconds: int, count: int) -> float | None:
    """Mean of `count` durations summing to `seconds`, in hours."""
    return round(seconds / count / 3600, 1) if count else None


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
       status, outcome and child node, read in the order of an index made for
       it (no sort); the receipt times read in index order and cut at month ends give the trend (no date
       function of either database is needed).
    2. The same pass sums the seconds columns: mean times to check, to hand off, to close.
    3. One GROUP BY over the period's hand-offs gives, per police station /
       department: handed, answered, declined, within the deadline, still open
       and overdue, and the mean answer time.
    The node's children are a column of the same GROUP BY (1.).
    The hand-off GROUP BY is covered by its own index (county / street first).
    """
    scope = scope_of(user)
    start, end = _bounds(window)
    # A node inside the scope is filter enough (one equality, so the node level's index is used).
    inside = node is not None and scope.contains_node(node)
    base = Clue.objects.all() if inside else scope.filter(Clue.objects.all())
    if node is not None:
        base = base.filter(**{f"{node.level}_id": node.id})
    clues = base.filter(received_at__gte=start, received_at__lt=end)
    now = timezone.now()

    months = _month_bounds(window)
    child_level = CHILD_LEVEL.get(node.level) if node is not None else None
    child_col = f"{child_level}_id" if child_level else "county_id"
    by_source, by_kind, by_status, outcomes = Counter(), Counter(), Counter(), Counter()
    by_child, open_by_child = Counter(), Counter()
    secs = {k: [0, 0] for k in ("check", "handoff", "close")}  # [sum of seconds, how many]
    total = 0
    # Grouped in the order of the clue_<level>_figures index, which also holds the seconds: one
    # index-only pass, no sort and no table rows. The ~4,000 group rows are read raw (plain ints and
    # strings; no per-value converters).
    grouped = (clues.values_list("source", "kind", "status", "outcome", child_col)
               .annotate(n=Count("id"), c_sum=Sum("check_seconds"), c_n=Count("check_seconds"),
                         h_sum=Sum("handoff_seconds"), h_n=Count("handoff_seconds"),
                         x_sum=Sum("close_seconds"), x_n=Count("close_seconds")).order_by())
    for src, kind, status, outcome, child_id, n, c_sum, c_n, h_sum, h_n, x_sum, x_n in _raw(grouped):
        total += n
        by_source[src] += n
        by_kind[kind] += n
        by_status[status] += n
        by_child[child_id] += n
        if status in OPEN_STATUSES:
            open_by_child[child_id] += n
        if outcome:
            outcomes[outcome] += n
        for key, part, count in (("check", c_sum, c_n), ("handoff", h_sum, h_n)):
            secs[key][0] += part or 0
            secs[key][1] += count
        if status == Status.CLOSED:
            secs["close"][0] += x_sum or 0
            secs["close"][1] += x_n
    # Months: the receipt times in index order (<level>, received_at), read raw (no date parsing), cut at
    # each month's end with bisect — the same on SQLite (UTC text) and PostgreSQL (datetimes). (Measured
    # on the county's year: faster than one filtered COUNT per month, or than grouping by hour, in SQLite.)
    # PostgreSQL truncates to the local month itself (parsing 50,000 timestamps in Python would cost more than
    # the rest of the figures together).
    trend = []
    if total and connection.vendor == "sqlite":  # as stored (UTC text): no per-row datetime parsing in Python
        qs = clues.annotate(t=Cast("received_at", output_field=CharField())).order_by("received_at").values_list("t")
        times = _raw(qs)  # one-element rows, searched by their element
        lower = 0
        for key, edge in months:
            upper = bisect.bisect_left(times, connection.ops.adapt_datetimefield_value(min(edge, end)), key=itemgetter(0))
            trend.append({"month": key, "n": upper - lower})
            lower = upper
    elif total:
        per_month = {f"{timezone.localtime(m):%Y-%m}": n for m, n in
                     clues.annotate(m=TruncMonth("received_at")).values_list("m").annotate(n=Count("id")).order_by()}
        trend = [{"month": key, "n": per_month.get(key, 0)} for key, _edge in months]
    else:
        trend = [{"month": key, "n": 0} for key, _edge in months]
    # Hand-offs made in the period, per target (police station or department).
    hq = Handoff.objects.all() if inside else scope.filter(Handoff.objects.all())
    if node is not None:
        hq = hq.filter(**{f"{node.level}_id": node.id})
    hq = hq.filter(handed_at__gte=start, handed_at__lt=end).exclude(status=HandoffStatus.WITHDRAWN)
    per: dict[str, dict] = {}
    for to_police, unit_id, status, within, n, overdue, a_sum, a_n in (
            hq.values_list("to_police", "unit_id", "status", "within_deadline")
            .annotate(n=Count("id"), overdue=Count("id", filter=Q(status=HandoffStatus.OPEN, due_at__lt=now)),
                      a_sum=Sum("answer_seconds"), a_n=Count("answer_seconds")).order_by()):
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
        row["_secs"] += a_sum or 0
        row["_timed"] += a_n
    names = dict(Unit.objects.filter(pk__in=[r["unit_id"] for r in per.values() if r["unit_id"]]).values_list("id", "name"))
    departments = []
    for key, row in per.items():
        replied = row["answered"] + row["declined"]
        h_secs, timed = row["_secs"], row["_timed"]
        departments.append({
            **{k: v for k, v in row.items() if not k.startswith("_")}, "name": str(_("派出所")) if key == "police" else names.get(row["unit_id"], "?"),
            "within_pct": _pct(row["within"], replied + row["overdue_open"]),
            "answer_avg_h": _hours(h_secs, timed),
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
        "check_avg_h": _hours(*secs["check"]),
        "handoff_avg_h": _hours(*secs["handoff"]),
        "answer_avg_h": _hours(sum(r["_secs"] for r in per.values()), sum(r["_timed"] for r in per.values())),
        "close_avg_h": _hours(*secs["close"]),
        "handed": sum(r["handed"] for r in departments),
        "answered": answered,
        "within_pct": _pct(within, answered + overdue_open),
        "overdue_open": overdue_open,
        "departments": departments,
        "trend": trend,
        "children": children,
    }


def _raw(qs) -> list[tuple]:
    """The rows of a values_list query as the database driver returns them (ints and strings as they are)."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _month_keys(window: Window) -> list[str]:
    keys = []
    y, m = window.start.year, window.start.month
    while (y, m) <= (window.end.year, window.end.month):
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return keys
