"""Figures on alerts (SPEC §3): received, signed and reached within the limit, median and
90th-percentile times, outcomes and money saved — for a node, a period, and by the node's
children and by person.

The rows of the period are fetched once with `values_list` and everything is
computed in Python from their timestamps, so the arithmetic is the same on
SQLite and PostgreSQL (no database-specific date functions or percentiles).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.alerts.models import Outcome, Status
from fanzha.alerts.selectors import alerts_for
from fanzha.org.models import Level, Node, User

FIELDS = ("id", "street_id", "community_id", "grid_id", "signed_by_id", "received_at", "signed_at", "sign_due_at",
          "first_contact_at", "contact_due_at", "status", "outcome", "saved_amount", "escalation_level", "grade")
CHILD_LEVEL = {Level.COUNTY: "street", Level.STREET: "community", Level.COMMUNITY: "grid"}
RECENT_MONTHS = 6
MAX_DAYS = 3 * 366
PERSON_PAGE = 20
#: Columns the per-person table sorts by: key → how to read it from a row.
PERSON_SORTS = {
    "name": lambda p: p["name"],
    "received": lambda p: p["received"],
    "signed_pct": lambda p: p["signed_in_limit_pct"],
    "contacted_pct": lambda p: p["contacted_in_limit_pct"],
    "contact_median": lambda p: p["contact_median_s"],
    "dissuaded": lambda p: p["outcomes"]["dissuaded"],
}


@dataclass(frozen=True)
class Window:
    """A span of whole local days: a Period (2025, 2025H1, 2025Q3, 2025-07) or the recent months."""

    key: str
    label: str
    start: dt.date
    end: dt.date  # inclusive

    @classmethod
    def parse(cls, text: str, today: dt.date | None = None) -> Window:
        """'' or 'recent': the last six months up to today; else a Period (ValueError if unreadable)."""
        today = today or timezone.localdate()
        text = (text or "").strip()
        if text in ("", "recent"):
            y, m = today.year, today.month - RECENT_MONTHS + 1
            while m <= 0:
                y, m = y - 1, m + 12
            return cls("recent", _("近%(n)d个月") % {"n": RECENT_MONTHS}, dt.date(y, m, 1), today)
        from fanzha.cases.periods import Period

        p = Period.parse(text)
        return cls(str(p), p.label, p.start, p.end)

    @classmethod
    def between(cls, start: str | dt.date, end: str | dt.date, today: dt.date | None = None) -> Window:
        """The days from `start` to `end` inclusive (ISO dates from a date-range control; ValueError with a
        message a user can act on when unreadable, reversed or longer than MAX_DAYS)."""
        today = today or timezone.localdate()
        try:
            s = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start).strip())
            e = end if isinstance(end, dt.date) else dt.date.fromisoformat(str(end).strip())
        except ValueError:
            raise ValueError(_("日期格式应为 年-月-日")) from None
        if e < s:
            raise ValueError(_("结束日期不能早于开始日期"))
        if (e - s).days > MAX_DAYS:
            raise ValueError(_("期间最长%(n)d天") % {"n": MAX_DAYS})
        return cls(f"{s:%Y%m%d}-{e:%Y%m%d}", _("%(s)s 至 %(e)s") % {"s": s.isoformat(), "e": e.isoformat()}, s, e)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of a sorted list (None when empty)."""
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, -(-len(sorted_values) * p // 100) - 1))
    return sorted_values[int(k)]


def _pct(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def metrics(rows: list[tuple], now: dt.datetime) -> dict:
    """The figures of a set of rows (tuples in FIELDS order)."""
    received = len(rows)
    sign_base = sign_ok = contact_base = contact_ok = escalated = closed = 0
    sign_secs: list[float] = []
    contact_secs: list[float] = []
    outcomes: Counter = Counter()
    saved = Decimal(0)
    for (_id, _s, _c, _g, _by, received_at, signed_at, sign_due, contact_at, contact_due, status, outcome, amount,
         level, _grade) in rows:
        # A limit counts once it has passed or was met: an alert still inside its time is not yet late.
        if sign_due is not None and (signed_at is not None or sign_due <= now):
            sign_base += 1
            sign_ok += signed_at is not None and signed_at <= sign_due
        if contact_due is not None and (contact_at is not None or contact_due <= now):
            contact_base += 1
            contact_ok += contact_at is not None and contact_at <= contact_due
        if signed_at is not None:
            sign_secs.append((signed_at - received_at).total_seconds())
        if contact_at is not None:
            contact_secs.append((contact_at - received_at).total_seconds())
        if outcome:
            outcomes[outcome] += 1
        if amount:
            saved += amount
        escalated += level > 0
        closed += status == Status.CLOSED
    sign_secs.sort()
    contact_secs.sort()
    return {
        "received": received,
        "closed": closed,
        "escalated": escalated,
        "signed": len(sign_secs),
        "signed_in_limit": sign_ok,
        "sign_limited": sign_base,
        "signed_in_limit_pct": _pct(sign_ok, sign_base),
        "contacted": len(contact_secs),
        "contacted_in_limit": contact_ok,
        "contact_limited": contact_base,
        "contacted_in_limit_pct": _pct(contact_ok, contact_base),
        "sign_median_s": percentile(sign_secs, 50),
        "sign_p90_s": percentile(sign_secs, 90),
        "contact_median_s": percentile(contact_secs, 50),
        "contact_p90_s": percentile(contact_secs, 90),
        "outcomes": {o: outcomes.get(o, 0) for o in Outcome.values},
        "saved_amount": float(saved),
    }


def alert_figures(user, *, node: Node | None = None, window: Window, now: dt.datetime | None = None) -> dict:
    """Figures for the user's alerts (under `node` if given) received in `window`.

    1. Fetch the rows of the period in scope with values_list (one query).
    2. Total figures; figures by each child node of `node` (communities of a
       street, grids of a community, ...), children without alerts shown as 0;
       by person (who signed); by month (or day, for a one-month window);
       outcome counts with their labels.
    """
    now = now or timezone.now()
    qs = alerts_for(user)
    if node is not None:
        qs = qs.filter(**{f"{node.level}_id": node.pk})
    start, end = window.bounds()
    rows = list(qs.filter(received_at__gte=start, received_at__lt=end).order_by().values_list(*FIELDS))
    data = {"window": {"key": window.key, "label": window.label, "start": window.start.isoformat(),
                       "end": window.end.isoformat()},
            "node": {"id": node.pk, "name": node.name, "level": node.level} if node else None,
            "total": metrics(rows, now)}

    child = CHILD_LEVEL.get(node.level) if node else None
    by_node = []
    if child:
        col = FIELDS.index(f"{child}_id")
        groups: dict[int, list] = defaultdict(list)
        for r in rows:
            groups[r[col]].append(r)
        for c in Node.objects.filter(**{f"{node.level}_id": node.pk, "level": child}).order_by("sort", "code"):
            by_node.append({"id": c.pk, "name": c.name, **metrics(groups.get(c.pk, []), now)})
    data["by_node"] = by_node

    by_user: dict[int, list] = defaultdict(list)
    for r in rows:
        if r[4]:
            by_user[r[4]].append(r)
    users = User.objects.in_bulk(list(by_user))
    people = [{"id": uid, "name": str(users[uid]) if uid in users else "?", **metrics(rs, now)}
              for uid, rs in by_user.items()]
    people.sort(key=lambda p: (-p["received"], p["name"]))
    data["by_person"] = people

    monthly = (window.end - window.start).days > 31
    buckets: dict[str, list] = defaultdict(list)
    for r in rows:
        local = timezone.localtime(r[5])
        buckets[f"{local:%Y-%m}" if monthly else f"{local:%Y-%m-%d}"].append(r)
    keys = []
    d = window.start
    while d <= window.end:
        k = f"{d:%Y-%m}" if monthly else f"{d:%Y-%m-%d}"
        if k not in keys:
            keys.append(k)
        d += dt.timedelta(days=1)
    trend = []
    for k in keys:
        m = metrics(buckets.get(k, []), now)
        trend.append({"period": k, "received": m["received"], "contacted_in_limit_pct": m["contacted_in_limit_pct"],
                      "signed_in_limit_pct": m["signed_in_limit_pct"], "saved_amount": m["saved_amount"]})
    data["trend"] = trend
    data["outcomes"] = [{"code": o, "label": str(label), "count": data["total"]["outcomes"][o]}
                        for o, label in Outcome.choices]
    return data


def minutes(seconds: float | None) -> str:
    """'3分12秒' / '2小时5分' / '—' for a duration in seconds."""
    if seconds is None:
        return "—"
    s = int(round(seconds))
    if s < 60:
        return _("%(s)d秒") % {"s": s}
    if s < 3600:
        return _("%(m)d分%(s)02d秒") % {"m": s // 60, "s": s % 60}
    return _("%(h)d小时%(m)d分") % {"h": s // 3600, "m": s % 3600 // 60}


def sort_people(people: list[dict], sort: str) -> tuple[list[dict], str]:
    """The per-person rows ordered by `sort` ('received', '-received', ...; unknown: most alerts first).
    Rows without a value (no limit yet, nobody reached) go last either way. Returns (rows, sort used)."""
    key = sort.lstrip("-")
    if key not in PERSON_SORTS:
        return people, "-received"
    read = PERSON_SORTS[key]
    have = [p for p in people if read(p) is not None]
    missing = [p for p in people if read(p) is None]
    have.sort(key=lambda p: (read(p), p["name"]), reverse=sort.startswith("-"))
    return have + missing, sort
