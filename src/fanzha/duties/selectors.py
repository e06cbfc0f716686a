"""Done vs due for every duty, subject and period, counted from the records.

Two definitions hold it all: `_subject_sets` (who answers for a duty in the
area) and `_records` (which records of the period count to them).
`status_rows` lists every subject's done vs due from them for the pages, the
API and the reminder job: for each active duty one query for the subjects
and one grouped count of the period's records (no query per subject), so the
county's status is a few dozen queries whatever its size. The home page's
panel, shown on every view, needs only how many are behind: `behind_counts`
counts the same subjects and records in the database without listing the
county's ~12,000 rows, and equals `summary(status_rows(...))`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Model, Q, QuerySet
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


#: The column of each kind of subject's rows (see `_subject_sets`) that holds the subject's id.
SUBJECT_ID = {"user": "user_id", "vol": "id", "unit": "id", "node": "id", "group": "id"}


def _subject_sets(duty: Duty, scope, community_id, *, answered_by=None) -> list[tuple[str, type[Model], Q]]:
    """Who answers for `duty` in the area: [(key prefix, model, filter of their rows)], the subject's id in the
    `SUBJECT_ID` column (a person with several assignments of the role has several rows there).

    The one definition of the subjects: `status_rows` lists them, `behind_counts` counts them in the database.
    `answered_by`: only the subjects that user answers for (themselves, their units, nodes and groups).
    """
    me = answered_by.id if answered_by is not None else None
    if duty.who == Who.ROLE:
        q = Q(role=duty.who_value, user__is_active=True, node__isnull=False)
        if scope is not None and not scope.everything:
            q &= scope.node_q("node__")
        if community_id:
            q &= Q(node__community_id=community_id)
        if me is not None:
            q &= Q(user_id=me)
        sets: list[tuple[str, type[Model], Q]] = [("user", Assignment, q)]
        if duty.who_value == "volunteer" and me is None:  # volunteers have no login: nobody's own rows
            sets.append(("vol", Volunteer, _area_q(scope, Volunteer, community_id) & Q(active=True)))
        return sets
    if duty.who == Who.UNIT:
        q = _area_q(scope, Unit, community_id)
        if duty.who_value in Sector.values:
            sector_q = Q(id__in=UnitSector.objects.filter(sector=duty.who_value).values("unit_id"))
            q &= (sector_q | Q(kind=duty.who_value)) if duty.who_value == "bank" else sector_q
        elif duty.who_value:
            q &= Q(kind=duty.who_value)
        else:
            q &= ~Q(kind="street_department")
        if me is not None:
            q &= Q(id__in=Assignment.objects.filter(role="liaison", user_id=me, unit__isnull=False).values("unit_id"))
        return [("unit", Unit, q)]
    if duty.who == Who.LEVEL:
        q = _area_q(scope, Node, community_id) & Q(level=duty.who_value)
        if me is not None:
            q &= Q(id__in=Assignment.objects.filter(role="community", user_id=me).values("node_id"))
        return [("node", Node, q)]
    if duty.who == Who.GROUP:
        q = _area_q(scope, WechatGroup, community_id) & Q(active=True)
        if duty.who_value:
            q &= Q(kind=duty.who_value)
        if me is not None:
            q &= Q(owner_id=me)
        return [("group", WechatGroup, q)]
    return []


def _subjects(duty: Duty, scope, community_id, *, answered_by=None) -> list[_Subject]:
    out: list[_Subject] = []
    for prefix, model, q in _subject_sets(duty, scope, community_id, answered_by=answered_by):
        qs = model.objects.filter(q)
        if prefix == "user":
            seen: set[int] = set()
            for uid, disp, uname, cid, sid in qs.order_by("id").values_list(
                    "user_id", "user__display_name", "user__username", "node__community_id", "node__street_id"):
                if uid not in seen:
                    seen.add(uid)
                    out.append(_Subject(f"user:{uid}", uid, disp or uname, cid, sid, [uid]))
        elif prefix == "vol":
            out += [_Subject(f"vol:{vid}", vid, name, cid, sid, [])
                    for vid, name, cid, sid in qs.values_list("id", "name", "community_id", "street_id")]
        elif prefix == "unit":
            units = list(qs.values_list("id", "name", "community_id", "street_id"))
            liaisons: dict[int, list[int]] = {}
            if units:
                lq = Q(role="liaison", user__is_active=True, unit__isnull=False)
                if len(units) <= IN_LIMIT:
                    lq &= Q(unit_id__in=[u[0] for u in units])
                for unit_id, uid in Assignment.objects.filter(lq).values_list("unit_id", "user_id"):
                    liaisons.setdefault(unit_id, []).append(uid)
            out += [_Subject(f"unit:{i}", i, n, c, s, liaisons.get(i, [])) for i, n, c, s in units]
        elif prefix == "node":
            nodes = list(qs.values_list("id", "name", "community_id", "street_id"))
            holders: dict[int, list[int]] = {}
            if nodes:
                aq = Q(role="community", user__is_active=True)
                aq &= Q(node_id__in=[n[0] for n in nodes]) if len(nodes) <= IN_LIMIT else Q(node__level=duty.who_value)
                for node_id, uid in Assignment.objects.filter(aq).values_list("node_id", "user_id"):
                    holders.setdefault(node_id, []).append(uid)
            out += [_Subject(f"node:{i}", i, n, c, s, holders.get(i, [])) for i, n, c, s in nodes]
        elif prefix == "group":
            out += [_Subject(f"group:{i}", i, n, c, s, [o] if o else [])
                    for i, n, c, s, o in qs.values_list("id", "name", "community_id", "street_id", "owner_id")]
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


def _records(duty: Duty, prefix: str, start: dt.date, end: dt.date) -> tuple[QuerySet, str] | None:
    """The records of the period that count to `duty`'s subjects of kind `prefix`, and the column naming the
    subject; None when no record counts to them (they are behind whenever something is due).

    The one definition of "done": `status_rows` groups these per subject, `behind_counts` in the database.
    """
    from fanzha.outreach.models import Activity, HomeVisit
    from fanzha.risk.models import Sweep

    level = duty.who_value or "community"
    if duty.record == RecordKind.ACTIVITY:
        activities = Activity.objects.filter(_activity_q(duty), held_on__range=(start, end))
        if prefix == "vol":
            vq = VolunteerPart.objects.filter(on__range=(start, end), activity__isnull=False)
            return (vq.filter(activity__in=Activity.objects.filter(_activity_q(duty))) if _activity_q(duty) else vq,
                    "volunteer_id")
        column = {"user": "created_by_id", "unit": "unit_id", "node": f"{level}_id"}.get(prefix)
        return (activities, column) if column else None
    if duty.record == RecordKind.SWEEP:
        if prefix == "user":
            return Sweep.members.through.objects.filter(sweep__held_on__range=(start, end)), "user_id"
        if prefix == "vol":
            return VolunteerPart.objects.filter(on__range=(start, end), sweep__isnull=False), "volunteer_id"
        return None
    if duty.record == RecordKind.HOME_VISIT:
        column = {"user": "recorded_by_id", "node": f"{level}_id"}.get(prefix)
        return (HomeVisit.objects.filter(visited_on__range=(start, end)), column) if column else None
    if duty.record == RecordKind.PUSH:
        return (PushGroup.objects.filter(pushed_on__range=(start, end)), "group_id") if prefix == "group" else None
    if duty.record == RecordKind.ENTRY:
        column = {"unit": "unit_id", "node": "node_id", "user": "recorded_by_id"}.get(prefix)
        return (DutyEntry.objects.filter(duty=duty, on__range=(start, end)), column) if column else None
    return None


def _grouped(qs, column: str, ids: list[int]) -> dict[int, int]:
    if len(ids) <= IN_LIMIT:
        qs = qs.filter(**{f"{column}__in": ids})
    else:
        qs = qs.filter(**{f"{column}__isnull": False})
    return {k: n for k, n in qs.values(column).annotate(n=Count("id")).order_by().values_list(column, "n")}


def _counts(duty: Duty, subjects: list[_Subject], start: dt.date, end: dt.date) -> dict[str, int]:
    """{subject key: records of the period} in one grouped query per kind of subject."""
    ids: dict[str, list[int]] = {}
    for s in subjects:
        ids.setdefault(s.key.split(":")[0], []).append(s.id)
    out: dict[str, int] = {}
    for prefix, kind_ids in ids.items():
        records = _records(duty, prefix, start, end)
        if records is not None:
            qs, column = records
            out.update((f"{prefix}:{k}", n) for k, n in _grouped(qs, column, kind_ids).items())
    return out


def _answerable(user, duties: list[Duty]) -> list[Duty]:
    """The duties `user` can answer for at all (a role they hold; liaison for units; the community role for
    nodes; a group they own), so their own rows are not looked for duty by duty. A filter before
    `_subject_sets(answered_by=user)`, which stays the exact test."""
    from fanzha.core.scoping import scope_of

    scope = scope_of(user)
    roles = set(scope.roles) if not scope.everything else \
        set(Assignment.objects.filter(user_id=user.id).values_list("role", flat=True))
    needs = {Who.UNIT: "liaison", Who.LEVEL: "community"}
    owns_group = None
    out = []
    for d in duties:
        if d.who == Who.GROUP:
            if owns_group is None:
                owns_group = WechatGroup.objects.filter(owner_id=user.id).exists()
            if owns_group:
                out.append(d)
        elif (d.who_value if d.who == Who.ROLE else needs.get(d.who)) in roles:
            out.append(d)
    return out


def active_duties() -> list[Duty]:
    return list(Duty.objects.filter(active=True).order_by("id"))


def status_rows(*, scope=None, community_id: int | None = None, today: dt.date | None = None,
                duties: list[Duty] | None = None, names: bool = True, answered_by=None) -> list[Row]:
    """Every subject's done vs due for the current period of each active duty, within `scope`
    (a `fanzha.core.scoping.Scope`; None: everywhere) and optionally one community; with `answered_by`,
    only the subjects that user answers for (a superset of `own_rows`' for that user, found without
    listing the others)."""
    today = today or timezone.localdate()
    rows: list[Row] = []
    cache: dict[tuple[str, str], list[_Subject]] = {}
    duties = duties if duties is not None else active_duties()
    if answered_by is not None:
        duties = _answerable(answered_by, duties)
    for duty in duties:
        start, end = period_of(duty.rhythm, today)
        who = (duty.who, duty.who_value)
        if who not in cache:  # duties of the same people share one subjects query
            cache[who] = _subjects(duty, scope, community_id, answered_by=answered_by)
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


def _done_ids(duty: Duty, prefix: str, today: dt.date) -> QuerySet | None:
    """The ids of `duty`'s subjects of kind `prefix` with at least the due number of the period's records, as a
    subquery (`_records` grouped per subject, kept by HAVING); None when no record counts to them."""
    records = _records(duty, prefix, *period_of(duty.rhythm, today))
    if records is None:
        return None
    qs, column = records
    return (qs.filter(**{f"{column}__isnull": False}).order_by().values(column).annotate(n=Count("id"))
            .filter(n__gte=duty.count).values(column))


def behind_counts(*, scope=None, community_id: int | None = None, today: dt.date | None = None,
                  duties: list[Duty] | None = None) -> dict:
    """`summary(status_rows(...))` for the same arguments, counted in the database without listing the rows.

    1. Every duty's subjects (`_subject_sets`; duties of the same people share them) are counted, and so are
       those among them on track: with at least the due number of the period's records (`_done_ids`).
    2. People (a person with several assignments of a role is one subject) are counted in one query for all
       roles and duties, a filtered COUNT(DISTINCT) each: the scope's join to the nodes is walked once, not
       once per role and duty (the county's 16,661 nodes: 4-5 ms a walk on SQLite).
    3. Units, nodes, groups and volunteers are counted by plain COUNTs (measured on the county: six unit sets
       as one filtered count over an OR of the sets took 4.7 ms against 3.4 ms, the OR defeating the indexes),
       and those on track by one grouped count of the period's records each.
    4. Behind is the difference: a subject with no record at all is behind, as in `status_rows`, where it
       counts 0 done; nobody is behind a duty with nothing due.
    """
    today = today or timezone.localdate()
    sets: list[tuple[str, type[Model], Q]] = []
    where: dict[tuple[str, str, str], int] = {}
    plan: list[tuple[Duty, str, int]] = []
    for duty in duties if duties is not None else active_duties():
        for prefix, model, q in _subject_sets(duty, scope, community_id):
            key = (duty.who, duty.who_value, prefix)
            if key not in where:
                where[key] = len(sets)
                sets.append((prefix, model, q))
            plan.append((duty, prefix, where[key]))
    counts: dict[str, int] = {}
    people = {f"n{i}": Count("user_id", filter=q, distinct=True)
              for i, (prefix, _model, q) in enumerate(sets) if prefix == "user"}
    if people:
        for j, (duty, prefix, i) in enumerate(plan):
            done = _done_ids(duty, prefix, today) if prefix == "user" and duty.count > 0 else None
            if done is not None:
                people[f"d{j}"] = Count("user_id", filter=sets[i][2] & Q(user_id__in=done), distinct=True)
        either = Q(pk__in=[])
        for prefix, _model, q in sets:
            if prefix == "user":
                either |= q
        counts.update(Assignment.objects.filter(either).aggregate(**people))
    for i, (prefix, model, q) in enumerate(sets):
        if prefix != "user":
            counts[f"n{i}"] = model.objects.filter(q).count()
    total = on_track = 0
    for j, (duty, prefix, i) in enumerate(plan):
        n = counts[f"n{i}"]
        total += n
        if duty.count <= 0:
            on_track += n
        elif prefix == "user":
            on_track += counts.get(f"d{j}", 0)
        elif n:
            records = _records(duty, prefix, *period_of(duty.rhythm, today))
            if records is not None:
                rqs, column = records
                _prefix, model, q = sets[i]
                ids = model.objects.filter(q).order_by().values(SUBJECT_ID[prefix])
                on_track += (rqs.filter(**{f"{column}__in": ids}).order_by().values(column)
                             .annotate(n=Count("id")).filter(n__gte=duty.count).count())
    return {"total": total, "behind": total - on_track, "on_track": on_track}


def home_panel(user, *, today: dt.date | None = None) -> dict:
    """What the home page's duties panel shows: the user's own duties and how many in their area are behind.

    Shown on every view of the home page, so it lists only the user's own rows (`answered_by`) and counts
    the area's in the database (`behind_counts`): a county has about 12,000 rows. The same definitions as
    the duties page, so its "behind" figure is the page's.
    """
    from fanzha.core.scoping import scope_of

    today = today or timezone.localdate()
    scope = scope_of(user)
    duties = active_duties()
    mine = own_rows(user, status_rows(scope=scope, today=today, duties=duties, names=False, answered_by=user))
    counts = behind_counts(scope=scope, today=today, duties=duties)
    return {"mine": mine, "mine_behind": [r for r in mine if r.behind], "behind_count": counts["behind"],
            "total": counts["total"]}
