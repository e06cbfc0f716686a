"""Done vs due for every duty, subject and period, counted from the records.

`status_rows` is the one computation every page, the API, the panel and the
reminder job use. For each active duty it makes one query for the subjects
(people, units, nodes or groups in the area) and one grouped count of the
records of the current period (no query per subject), so the county's
status is a few dozen queries whatever its size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from fanzha.duties.models import (
    Duty,
    DutyEntry,
    PushGroup,
    RecordKind,
    Rhythm,
    Sector,
    UnitSector,
    Volunteer,
    VolunteerPart,
    WechatGroup,
    Who,
)
from fanzha.org.models import Assignment, Node, Unit

IN_LIMIT = 900  # above this many subjects, count every record of the period and keep the subjects' counts


# --- periods ---------------------------------------------------------------------------------


def period_of(rhythm: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the period of `rhythm` holding `day`.

    Weeks run Monday to Sunday; quarters are calendar quarters; school
    semesters run 1 March – 31 August (spring) and 1 September – end of
    February (autumn, with the winter holiday).
    """
    if rhythm == Rhythm.DAILY:
        return day, day
    if rhythm == Rhythm.WEEKLY:
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if rhythm == Rhythm.MONTHLY:
        start = day.replace(day=1)
        return start, _month_end(start)
    if rhythm == Rhythm.QUARTERLY:
        start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return start, _month_end(_add_months(start, 2))
    if rhythm == Rhythm.SEMESTER:
        if 3 <= day.month <= 8:
            return dt.date(day.year, 3, 1), dt.date(day.year, 8, 31)
        year = day.year if day.month >= 9 else day.year - 1
        return dt.date(year, 9, 1), dt.date(year + 1, 3, 1) - dt.timedelta(days=1)
    raise ValueError(rhythm)


def _add_months(d: dt.date, n: int) -> dt.date:
    m = d.month - 1 + n
    return dt.date(d.year + m // 12, m % 12 + 1, 1)


def _month_end(first: dt.date) -> dt.date:
    return _add_months(first, 1) - dt.timedelta(days=1)


def period_label(rhythm: str, start: dt.date, end: dt.date) -> str:
    if rhythm == Rhythm.DAILY:
        return f"{start:%Y-%m-%d}"
    if rhythm == Rhythm.MONTHLY:
        return f"{start.year}年{start.month}月"
    if rhythm == Rhythm.QUARTERLY:
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    if rhythm == Rhythm.SEMESTER:
        return f"{start.year}年{'春季' if start.month == 3 else '秋季'}学期"
    return f"{start:%m-%d}至{end:%m-%d}"


# --- rows ------------------------------------------------------------------------------------


@dataclass
class Row:
    duty: Duty
    key: str  # "user:12" / "vol:3" / "unit:5" / "node:9" / "group:4"
    name: str
    community_id: int | None
    street_id: int | None
    done: int
    start: dt.date
    end: dt.date
    today: dt.date
    notify: list[int] = field(default_factory=list)
    community_name: str = ""

    @property
    def due(self) -> int:
        return self.duty.count

    @property
    def behind(self) -> bool:
        return self.done < self.due

    @property
    def missing(self) -> int:
        return max(0, self.due - self.done)

    @property
    def days_left(self) -> int:
        return (self.end - self.today).days

    @property
    def period(self) -> str:
        return period_label(self.duty.rhythm, self.start, self.end)

    @property
    def ratio(self) -> float:
        return self.done / self.due if self.due else 1.0

    def as_dict(self) -> dict:
        return {"duty_id": self.duty.id, "duty": self.duty.name, "subject": self.key, "name": self.name,
                "community_id": self.community_id, "community": self.community_name, "period": self.period,
                "period_start": self.start, "period_end": self.end, "done": self.done, "due": self.due,
                "behind": self.behind, "days_left": self.days_left}


@dataclass
class _Subject:
    key: str
    id: int
    name: str
    community_id: int | None
    street_id: int | None
    notify: list[int]


def _area_q(scope, model, community_id):
    q = Q()
    if scope is not None:
        q &= scope.q_for(model)
    if community_id:
        q &= Q(community_id=community_id)
    return q


def _subjects(duty: Duty, scope, community_id) -> list[_Subject]:
    out: list[_Subject] = []
    if duty.who == Who.ROLE:
        q = Q(role=duty.who_value, user__is_active=True, node__isnull=False)
        if scope is not None and not scope.everything:
            q &= scope.node_q("node__")
        if community_id:
            q &= Q(node__community_id=community_id)
        seen: set[int] = set()
        for uid, disp, uname, cid, sid in (Assignment.objects.filter(q).order_by("id").values_list(
                "user_id", "user__display_name", "user__username", "node__community_id", "node__street_id")):
            if uid not in seen:
                seen.add(uid)
                out.append(_Subject(f"user:{uid}", uid, disp or uname, cid, sid, [uid]))
        if duty.who_value == "volunteer":
            for vid, name, cid, sid in Volunteer.objects.filter(_area_q(scope, Volunteer, community_id), active=True
                                                                ).values_list("id", "name", "community_id", "street_id"):
                out.append(_Subject(f"vol:{vid}", vid, name, cid, sid, []))
    elif duty.who == Who.UNIT:
        q = _area_q(scope, Unit, community_id)
        if duty.who_value in Sector.values:
            sector_q = Q(id__in=list(UnitSector.objects.filter(sector=duty.who_value).values_list("unit_id", flat=True)))
            q &= (sector_q | Q(kind=duty.who_value)) if duty.who_value == "bank" else sector_q
        elif duty.who_value:
            q &= Q(kind=duty.who_value)
        else:
            q &= ~Q(kind="street_department")
        units = list(Unit.objects.filter(q).values_list("id", "name", "community_id", "street_id"))
        liaisons: dict[int, list[int]] = {}
        if units:
            lq = Q(role="liaison", user__is_active=True, unit__isnull=False)
            if len(units) <= IN_LIMIT:
                lq &= Q(unit_id__in=[u[0] for u in units])
            for unit_id, uid in Assignment.objects.filter(lq).values_list("unit_id", "user_id"):
                liaisons.setdefault(unit_id, []).append(uid)
        out = [_Subject(f"unit:{i}", i, n, c, s, liaisons.get(i, [])) for i, n, c, s in units]
    elif duty.who == Who.LEVEL:
        q = _area_q(scope, Node, community_id) & Q(level=duty.who_value)
        nodes = list(Node.objects.filter(q).values_list("id", "name", "community_id", "street_id"))
        holders: dict[int, list[int]] = {}
        if nodes:
            aq = Q(role="community", user__is_active=True)
            aq &= Q(node_id__in=[n[0] for n in nodes]) if len(nodes) <= IN_LIMIT else Q(node__level=duty.who_value)
            for node_id, uid in Assignment.objects.filter(aq).values_list("node_id", "user_id"):
                holders.setdefault(node_id, []).append(uid)
        out = [_Subject(f"node:{i}", i, n, c, s, holders.get(i, [])) for i, n, c, s in nodes]
    elif duty.who == Who.GROUP:
        q = _area_q(scope, WechatGroup, community_id) & Q(active=True)
        if duty.who_value:
            q &= Q(kind=duty.who_value)
        out = [_Subject(f"group:{i}", i, n, c, s, [o] if o else [])
               for i, n, c, s, o in WechatGroup.objects.filter(q).values_list("id", "name", "community_id", "street_id",
                                                                              "owner_id")]
    return out


def _activity_q(duty: Duty) -> Q:
    q = Q()
    if duty.kinds:
        q &= Q(kind__in=duty.kinds)
    if duty.venues:
        q &= Q(venue__in=duty.venues)
    if duty.audiences:
        aq = Q(pk__in=[])
        for a in duty.audiences:
            aq |= Q(audiences__icontains=f'"{a}"')
        q &= aq
    return q


def _grouped(qs, column: str, ids: list[int]) -> dict[int, int]:
    if len(ids) <= IN_LIMIT:
        qs = qs.filter(**{f"{column}__in": ids})
    else:
        qs = qs.filter(**{f"{column}__isnull": False})
    return {k: n for k, n in qs.values(column).annotate(n=Count("id")).order_by().values_list(column, "n")}


def _counts(duty: Duty, subjects: list[_Subject], start: dt.date, end: dt.date) -> dict[str, int]:
    """{subject key: records of the period} in one or two grouped queries."""
    from fanzha.outreach.models import Activity, HomeVisit
    from fanzha.risk.models import Sweep

    if not subjects:
        return {}
    prefix = subjects[0].key.split(":")[0]
    ids = [s.id for s in subjects if s.key.startswith(prefix)]
    out: dict[str, int] = {}

    def put(pfx, counts):
        for k, n in counts.items():
            out[f"{pfx}:{k}"] = out.get(f"{pfx}:{k}", 0) + n

    vol_ids = [s.id for s in subjects if s.key.startswith("vol:")]
    if duty.record == RecordKind.ACTIVITY:
        qs = Activity.objects.filter(_activity_q(duty), held_on__range=(start, end))
        if prefix == "user":
            put("user", _grouped(qs, "created_by_id", ids))
        elif prefix == "unit":
            put("unit", _grouped(qs, "unit_id", ids))
        elif prefix == "node":
            level = duty.who_value or "community"
            put("node", _grouped(qs, f"{level}_id", ids))
        if vol_ids:
            vq = VolunteerPart.objects.filter(on__range=(start, end), activity__isnull=False)
            vq = vq.filter(activity__in=Activity.objects.filter(_activity_q(duty))) if _activity_q(duty) else vq
            put("vol", _grouped(vq, "volunteer_id", vol_ids))
    elif duty.record == RecordKind.SWEEP:
        through = Sweep.members.through
        if prefix == "user":
            qs = through.objects.filter(sweep__held_on__range=(start, end))
            put("user", _grouped(qs, "user_id", ids))
        if vol_ids:
            put("vol", _grouped(VolunteerPart.objects.filter(on__range=(start, end), sweep__isnull=False),
                                "volunteer_id", vol_ids))
    elif duty.record == RecordKind.HOME_VISIT:
        if prefix == "user":
            put("user", _grouped(HomeVisit.objects.filter(visited_on__range=(start, end)), "recorded_by_id", ids))
        elif prefix == "node":
            put("node", _grouped(HomeVisit.objects.filter(visited_on__range=(start, end)),
                                 f"{duty.who_value or 'community'}_id", ids))
    elif duty.record == RecordKind.PUSH:
        if prefix == "group":
            put("group", _grouped(PushGroup.objects.filter(pushed_on__range=(start, end)), "group_id", ids))
    elif duty.record == RecordKind.ENTRY:
        qs = DutyEntry.objects.filter(duty=duty, on__range=(start, end))
        if prefix == "unit":
            put("unit", _grouped(qs, "unit_id", ids))
        elif prefix == "node":
            put("node", _grouped(qs, "node_id", ids))
        elif prefix == "user":
            put("user", _grouped(qs, "recorded_by_id", ids))
        elif prefix == "group":
            put("group", {})
    return out


def active_duties() -> list[Duty]:
    return list(Duty.objects.filter(active=True).order_by("id"))


def status_rows(*, scope=None, community_id: int | None = None, today: dt.date | None = None,
                duties: list[Duty] | None = None, names: bool = True) -> list[Row]:
    """Every subject's done vs due for the current period of each active duty, within `scope`
    (a `fanzha.core.scoping.Scope`; None: everywhere) and optionally one community."""
    today = today or timezone.localdate()
    rows: list[Row] = []
    cache: dict[tuple[str, str], list[_Subject]] = {}
    for duty in duties if duties is not None else active_duties():
        start, end = period_of(duty.rhythm, today)
        who = (duty.who, duty.who_value)
        if who not in cache:  # duties of the same people share one subjects query
            cache[who] = _subjects(duty, scope, community_id)
        subjects = cache[who]
        counts = _counts(duty, subjects, start, end)
        rows.extend(Row(duty, s.key, s.name, s.community_id, s.street_id, counts.get(s.key, 0), start, end, today,
                        s.notify) for s in subjects)
    if names and rows:
        cids = {r.community_id for r in rows if r.community_id}
        by_id = dict(Node.objects.filter(id__in=cids).values_list("id", "name")) if len(cids) <= IN_LIMIT else \
            dict(Node.objects.filter(level="community").values_list("id", "name"))
        for r in rows:
            r.community_name = by_id.get(r.community_id, "")
    return rows


def ranked_behind(rows: list[Row]) -> list[Row]:
    """Who is behind, worst first: least of the due done, then least time left."""
    return sorted((r for r in rows if r.behind), key=lambda r: (r.ratio, r.days_left, r.community_name, r.name))


def own_rows(user, rows: list[Row]) -> list[Row]:
    """The rows the user answers for: their own, their unit's, their node's and their groups'."""
    return [r for r in rows if user.id in r.notify]


def summary(rows: list[Row]) -> dict:
    behind = sum(1 for r in rows if r.behind)
    return {"total": len(rows), "behind": behind, "on_track": len(rows) - behind}


def home_panel(user, *, today: dt.date | None = None) -> dict:
    """What the home page's duties panel shows: the user's own duties and, for wider roles, how many are behind."""
    from fanzha.core.scoping import scope_of

    rows = status_rows(scope=scope_of(user), today=today)
    mine = own_rows(user, rows)
    worst = ranked_behind(rows)
    return {"mine": mine, "mine_behind": [r for r in mine if r.behind], "behind_count": len(worst),
            "worst": worst[:5], "total": len(rows)}
