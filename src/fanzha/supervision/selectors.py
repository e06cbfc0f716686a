"""Reads of supervision, all through the user's scope.

Who acts on what: the street office acts on everything of its street; a
department or unit liaison acts only on its unit's rows, community staff only
on their community's rows. Anything else answers 404 like a missing record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fanzha.core import access
from fanzha.core.scoping import get_scoped_or_404, home_street, scope_of, scoped
from fanzha.org.models import Level, Node, Unit, UnitKind
from fanzha.supervision.models import (
    ContactPoint,
    Criticism,
    GroupKind,
    LeadingGroup,
    Measure,
    MeasureKind,
    Meeting,
    Photo,
    Plan,
    ProgressReport,
    Rectification,
    RectificationStatus,
    Responsibility,
    SupervisionSetting,
    Visit,
)
from fanzha.supervision.services import Holder

REMIND_EVERY = 7  # days between reminders after the due day
OVERDUE_LIMIT = 300
HOME_LIMIT = 50  # items on the page at first (?all=1: up to OVERDUE_LIMIT, as the API)
HOLDER_NAMES = 4  # late holders named per measure


# --- who the user is here ---------------------------------------------------------------------


def is_office(user) -> bool:
    return user.is_superuser or access.OFFICE in scope_of(user).roles


def can_write(user) -> bool:
    """Office writes plans, meetings, visits, notices; leaders and officers read."""
    return is_office(user)


def street_of(user) -> Node | None:
    """The street the supervision pages work in (a superuser's: the first street)."""
    return home_street(user)


def my_holders(user) -> list[Holder]:
    """The units and communities the user answers for (department/liaison units, community staff's communities)."""
    s = scope_of(user)
    out = [Holder(unit=u) for u in Unit.objects.filter(pk__in=sorted(s.unit_ids)).order_by("name")]
    if access.COMMUNITY in s.roles:
        out += [Holder(community=c) for c in Node.objects.filter(pk__in=sorted(s.nodes.get(Level.COMMUNITY, ())))]
    return out


def _holder_q(holders: list[Holder], prefix: str = "") -> Q:
    q = Q(pk__in=[])
    units = [h.unit.pk for h in holders if h.unit]
    comms = [h.community.pk for h in holders if h.community]
    if units:
        q |= Q(**{f"{prefix}unit_id__in": units})
    if comms:
        q |= Q(**{f"{prefix}community_id__in": comms, f"{prefix}unit__isnull": True})
    return q


def acts_on(user, record) -> bool:
    """May the user act on this unit's record (report progress, report a fix)?"""
    if is_office(user) and scope_of(user).filter(type(record).objects.filter(pk=record.pk)).exists():
        return True
    return type(record).objects.filter(pk=record.pk).filter(_holder_q(my_holders(user))).exists()


def holder_choices(street: Node) -> list[tuple[str, str]]:
    """('u12', name) for every unit and ('c7', name) for every community of the street, communities first."""
    out = [(f"c{c.pk}", c.name) for c in Node.objects.filter(street=street, level=Level.COMMUNITY).order_by("sort", "code")]
    units = Unit.objects.filter(street=street).order_by("kind", "name").values_list("pk", "name", "kind")
    kinds = dict(UnitKind.choices)
    out += [(f"u{pk}", f"{name}（{kinds.get(kind, kind)}）") for pk, name, kind in units]
    return out


# --- plans, measures, responsibilities -----------------------------------------------------


def plans_for(user) -> QuerySet[Plan]:
    return scoped(Plan.objects.all(), user).annotate(n_measures=Count("measures"))


def plan_get(user, pk) -> Plan:
    return get_scoped_or_404(Plan.objects.all(), user, pk=pk)


def _with_holders(qs: QuerySet[Measure]) -> QuerySet[Measure]:
    return qs.prefetch_related(Prefetch("responsibilities",
                                        queryset=Responsibility.objects.select_related("unit", "community")))


def plan_measures(plan: Plan) -> list[Measure]:
    return list(_with_holders(plan.measures.all()))


def measure_get(user, pk) -> Measure:
    """A measure in the user's scope, or one the user holds a part of."""
    m = scoped(Measure.objects.all(), user).filter(pk=pk).first()
    if m is None:
        m = Measure.objects.filter(pk=pk).filter(_holder_q(my_holders(user), "responsibilities__")).distinct().first()
    if m is None:
        raise Http404("not found")
    return m


def responsibility_for_action(user, pk) -> Responsibility:
    """A responsibility the user may report on; another unit's answers 404."""
    r = Responsibility.objects.select_related("measure", "unit", "community").filter(pk=pk).first()
    if r is None or not acts_on(user, r):
        raise Http404("not found")
    return r


def my_responsibilities(user, *, open_only: bool = False) -> QuerySet[Responsibility]:
    qs = (Responsibility.objects.filter(_holder_q(my_holders(user)))
          .select_related("measure", "measure__plan", "unit", "community").order_by("measure__deadline", "id"))
    if open_only:
        qs = qs.filter(completed_on__isnull=True)
    return qs


def tasks_for(user) -> QuerySet[Measure]:
    return _with_holders(scoped(Measure.objects.filter(kind=MeasureKind.TASK), user)
                         .select_related("decision__meeting").order_by("completed_on", "deadline"))


def reports_of(responsibility: Responsibility) -> QuerySet[ProgressReport]:
    return responsibility.reports.prefetch_related("photos")


# --- meetings, visits, rectifications ----------------------------------------------------------


def meetings_for(user) -> QuerySet[Meeting]:
    return scoped(Meeting.objects.all(), user).annotate(n_decisions=Count("decisions"))


def meeting_get(user, pk) -> Meeting:
    return get_scoped_or_404(Meeting.objects.all(), user, pk=pk)


def visits_for(user) -> QuerySet[Visit]:
    return scoped(Visit.objects.select_related("unit", "community"), user)


def visit_get(user, pk) -> Visit:
    return get_scoped_or_404(Visit.objects.select_related("unit", "community"), user, pk=pk)


def rectifications_for(user, *, status: str = "") -> QuerySet[Rectification]:
    qs = scoped(Rectification.objects.select_related("unit", "community"), user)
    if not user.is_superuser and not (scope_of(user).roles & access.STREET_WIDE):
        qs = qs.filter(_holder_q(my_holders(user)))  # a unit or community: its own notices only
    if status:
        qs = qs.filter(status=status)
    return qs


def rectification_get(user, pk) -> Rectification:
    r = rectifications_for(user).filter(pk=pk).first()
    if r is None:
        raise Http404("not found")
    return r


def photo_get(user, pk) -> Photo:
    return get_scoped_or_404(Photo.objects.all(), user, pk=pk)


def criticisms_for(user) -> QuerySet[Criticism]:
    return scoped(Criticism.objects.select_related("unit", "community"), user)


# --- criticism: the fraud-free unit assessment reads this ------------------------------------


def _period_bounds(period) -> tuple[dt.date, dt.date]:
    if isinstance(period, int):
        return dt.date(period, 1, 1), dt.date(period, 12, 31)
    if isinstance(period, tuple):
        return period[0], period[1]
    return period.start, period.end


def unit_criticised_in(unit: Unit, period, *, county_only: bool = False) -> list[Criticism]:
    """Criticism, summons and orders to rectify recorded against the unit in the period (inclusive).

    `period` is a year, a (start, end) pair of dates, or anything with `.start` and `.end`.
    Empty list: the unit meets the criterion "not criticised, summoned or ordered to rectify".
    With `county_only`, only those made by the county leading group count (the seed's wording).
    """
    start, end = _period_bounds(period)
    qs = Criticism.objects.filter(unit=unit, issued_on__gte=start, issued_on__lte=end)
    if county_only:
        qs = qs.filter(issuer="county")
    return list(qs.order_by("issued_on", "id"))


def units_criticised_in(unit_ids, period, *, county_only: bool = False) -> dict[int, list[Criticism]]:
    """The same for many units at once: {unit id: [criticism, ...]} (units without any are absent)."""
    start, end = _period_bounds(period)
    qs = Criticism.objects.filter(unit_id__in=list(unit_ids), issued_on__gte=start, issued_on__lte=end)
    if county_only:
        qs = qs.filter(issuer="county")
    out: dict[int, list[Criticism]] = {}
    for c in qs.order_by("issued_on", "id"):
        out.setdefault(c.unit_id, []).append(c)
    return out


# --- deadlines and overdue ---------------------------------------------------------------------


def days_overdue(deadline: dt.date, today: dt.date) -> int:
    """Days past the deadline: 0 on the deadline day itself (due, not yet late)."""
    return max(0, (today - deadline).days)


def due_day(deadline: dt.date, today: dt.date) -> dt.date | None:
    """The latest reminder day up to today: the deadline, then every REMIND_EVERY days after; None before it."""
    if today < deadline:
        return None
    return deadline + dt.timedelta(days=REMIND_EVERY * ((today - deadline).days // REMIND_EVERY))


@dataclass
class OverdueItem:
    kind: str  # measure / task / rectification
    kind_label: str
    pk: int
    title: str
    deadline: dt.date
    days: int
    holders: str
    url: str
    percent: int | None = None
    status: str = ""

    @property
    def days_label(self) -> str:
        if not self.days:
            return _("今天到期")
        return ngettext("逾期%(n)d天", "逾期%(n)d天", self.days) % {"n": self.days}

    def as_dict(self) -> dict:
        return {"kind": self.kind, "kind_label": self.kind_label, "id": self.pk, "title": self.title,
                "deadline": self.deadline.isoformat(), "days_overdue": self.days, "holders": self.holders,
                "url": self.url, "percent": self.percent, "status": self.status}


def overdue_items(user, *, today: dt.date | None = None, limit: int = OVERDUE_LIMIT,
                  node: Node | None = None) -> tuple[list[OverdueItem], int]:
    """Measures, tasks and rectifications past their deadline and not done, most days overdue first.

    Returns (items up to `limit`, how many there are in all). Two queries plus one for the late holders.
    With `node`, only the items placed under that node (a briefing of one street of the county).
    """
    today = today or timezone.localdate()
    measures = scoped(Measure.objects.filter(completed_on__isnull=True, deadline__lt=today), user)
    rects = scoped(Rectification.objects.filter(deadline__lt=today)
                   .exclude(status=RectificationStatus.ACCEPTED), user)
    if not scope_of(user).nodes and not scope_of(user).everything:
        # unit accounts: only their own items
        holders = my_holders(user)
        measures = Measure.objects.filter(completed_on__isnull=True, deadline__lt=today).filter(
            _holder_q(holders, "responsibilities__")).distinct()
        rects = Rectification.objects.filter(deadline__lt=today).exclude(
            status=RectificationStatus.ACCEPTED).filter(_holder_q(holders))
    if node is not None:
        measures = measures.filter(**{f"{node.level}_id": node.id})
        rects = rects.filter(**{f"{node.level}_id": node.id})
    total = measures.count() + rects.count()
    m_rows = list(measures.order_by("deadline", "id").values("id", "kind", "title", "deadline")[:limit])
    r_rows = list(rects.order_by("deadline", "id").values("id", "number", "problem", "deadline", "status",
                                                           "unit__name", "community__name")[:limit])
    late: dict[int, list[str]] = {}
    stats: dict[int, dict] = {}
    if m_rows:
        ids = [r["id"] for r in m_rows]
        for row in (Responsibility.objects.filter(measure_id__in=ids).order_by().values("measure_id")
                    .annotate(avg=Avg("percent"), late=Count("id", filter=Q(completed_on__isnull=True)))):
            stats[row["measure_id"]] = row
        # the names of the first few late holders of each measure (leads first), not all of them
        first_late = (Responsibility.objects.filter(measure_id__in=ids, completed_on__isnull=True)
                      .annotate(rn=Window(RowNumber(), partition_by=[F("measure_id")], order_by=[F("is_lead").desc(), F("id")]))
                      .filter(rn__lte=HOLDER_NAMES).values_list("measure_id", "unit__name", "community__name"))
        for mid, uname, cname in first_late:
            late.setdefault(mid, []).append(uname or cname or "")
    items: list[OverdueItem] = []
    labels = {"measure": _("工作措施"), "task": _("交办任务"), "rectification": _("整改通知")}
    measure_url = reverse("supervision:measure_detail", args=[0])[:-2]
    rect_url = reverse("supervision:rectification_detail", args=[0])[:-2]
    for r in m_rows:
        names = late.get(r["id"], [])
        st = stats.get(r["id"], {})
        n_late = st.get("late", 0)
        holders = "、".join(names) + (_("等%(n)d个") % {"n": n_late} if n_late > len(names) else "")
        items.append(OverdueItem(r["kind"], labels[r["kind"]], r["id"], r["title"], r["deadline"],
                                 days_overdue(r["deadline"], today), holders, f"{measure_url}{r['id']}/",
                                 percent=round(st["avg"]) if st.get("avg") is not None else 0))
    status_labels = dict(RectificationStatus.choices)
    for r in r_rows:
        items.append(OverdueItem("rectification", labels["rectification"], r["id"], f'{r["number"]} {r["problem"][:60]}',
                                 r["deadline"], days_overdue(r["deadline"], today), r["unit__name"] or r["community__name"] or "",
                                 f"{rect_url}{r['id']}/",
                                 status=str(status_labels.get(r["status"], r["status"]))))
    items.sort(key=lambda i: (-i.days, i.kind, i.pk))
    return items[:limit], total


# --- leading groups ----------------------------------------------------------------------------


def groups_of(street: Node) -> QuerySet[LeadingGroup]:
    return (LeadingGroup.objects.filter(street=street).select_related("node", "unit")
            .prefetch_related("members").order_by("kind", "name"))


def group_deadline(street: Node) -> dt.date | None:
    s = SupervisionSetting.objects.filter(street=street).first()
    return s.group_deadline if s else None


def missing_groups(street: Node, *, today: dt.date | None = None) -> dict:
    """Communities and departments without a group set up by the office's deadline.

    {"deadline", "passed", "communities": [...], "departments": [...]}: a group set up after the
    deadline still counts as missing it (shown with its date); before the deadline the lists show
    who has yet to do it.
    """
    today = today or timezone.localdate()
    deadline = group_deadline(street)
    cutoff = deadline or today
    have_c = {}
    have_u = {}
    for g in LeadingGroup.objects.filter(street=street).exclude(kind=GroupKind.STREET):
        if g.kind == GroupKind.COMMUNITY:
            have_c[g.node_id] = g.established_on
        elif g.unit_id:
            have_u[g.unit_id] = g.established_on

    def late(on):
        return on is None or on > cutoff

    comms = [(c, have_c.get(c.pk)) for c in Node.objects.filter(street=street, level=Level.COMMUNITY).order_by("sort", "code")
             if late(have_c.get(c.pk))]
    depts = [(u, have_u.get(u.pk)) for u in Unit.objects.filter(street=street, kind=UnitKind.STREET_DEPARTMENT).order_by("name")
             if late(have_u.get(u.pk))]
    return {"deadline": deadline, "passed": bool(deadline and today > deadline), "communities": comms, "departments": depts}


# --- contact points: a leader's panel ------------------------------------------------------------


def contact_points_of(user) -> QuerySet[ContactPoint]:
    return ContactPoint.objects.filter(leader=user).select_related("community", "unit").order_by("id")


def point_figures(point: ContactPoint, *, today: dt.date | None = None) -> dict:
    """One contact point's figures this year: cases, alerts signed in time, app install rate,
    open rectifications and overdue measures."""
    from fanzha.alerts.models import Alert
    from fanzha.cases.models import Case
    from fanzha.org.models import Resident, StaffMember
    from fanzha.outreach.models import InstallStatus, PersonKind

    today = today or timezone.localdate()
    year_start = dt.date(today.year, 1, 1)
    fig: dict = {"name": point.target.name, "kind": point.get_kind_display(), "alerts": None, "alerts_in_time": None}
    if point.unit_id is None:
        c = point.community_id
        fig["cases"] = Case.objects.filter(community_id=c, reported_on__gte=year_start, reported_on__lte=today).count()
        a = Alert.objects.filter(community_id=c, occurred_at__date__gte=year_start, sign_due_at__isnull=False).aggregate(
            n=Count("id"), ok=Count("id", filter=Q(signed_at__isnull=False, signed_at__lte=F("sign_due_at"))))
        fig["alerts"], fig["alerts_in_time"] = a["n"], a["ok"]
        people = Resident.objects.filter(community_id=c).count()
        installed = InstallStatus.objects.filter(community_id=c, kind=PersonKind.RESIDENT, app_installed_on__isnull=False).count()
        holder_q = Q(community_id=c, unit__isnull=True)
    else:
        u = point.unit_id
        fig["cases"] = Case.objects.filter(unit_id=u, reported_on__gte=year_start, reported_on__lte=today).count()
        people = StaffMember.objects.filter(unit_id=u).count()
        installed = InstallStatus.objects.filter(staff__unit_id=u, kind=PersonKind.STAFF, app_installed_on__isnull=False).count()
        holder_q = Q(unit_id=u)
    fig["alerts_rate"] = round(100 * fig["alerts_in_time"] / fig["alerts"], 1) if fig["alerts"] else None
    fig["install_rate"] = round(100 * installed / people, 1) if people else None
    fig["open_rectifications"] = Rectification.objects.filter(holder_q).exclude(status=RectificationStatus.ACCEPTED).count()
    fig["overdue_measures"] = Responsibility.objects.filter(holder_q, completed_on__isnull=True,
                                                            measure__deadline__lt=today).count()
    return fig


def leader_panel(user, *, today: dt.date | None = None) -> dict:
    """What a leader's home page shows: their contact points with figures, and the overdue list's head."""
    today = today or timezone.localdate()
    points = [point_figures(p, today=today) for p in contact_points_of(user)]
    items, total = overdue_items(user, today=today, limit=10)
    return {"points": points, "overdue": items, "overdue_total": total, "today": today}
