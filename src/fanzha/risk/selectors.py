"""Reads of the risk work. Every query goes through the user's scope; the few
selectors without a user (`key_persons_in`, `premises_with_open_den_finding`,
`screening_prefill`) are for the assessment and the figures, which have already
resolved the node inside a scope."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404

from fanzha.cases.models import Case
from fanzha.core.scoping import get_scoped_or_404, scope_of, scoped
from fanzha.org.models import Level, Node
from fanzha.risk.models import (
    Category,
    FileStatus,
    Finding,
    FollowUp,
    KeyPerson,
    KeyPersonCategory,
    Premises,
    PremisesCheck,
    Screening,
    Sweep,
    SweepGrid,
    SweepPerson,
    month_end,
)


def node_q(node: Node | None, prefix: str = "") -> Q:
    """Records at or below `node` (by its level's ancestor column)."""
    if node is None:
        return Q()
    return Q(**{f"{prefix}{node.level}_id": node.id})


# --- key persons ------------------------------------------------------------------------


def key_persons_for(user, *, node: Node | None = None, status: str = FileStatus.OPEN, category: str = "",
                    q: str = "") -> QuerySet[KeyPerson]:
    qs = scoped(KeyPerson.objects.all(), user).filter(node_q(node))
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(Exists(KeyPersonCategory.objects.filter(person=OuterRef("pk"), category=category)))
    if q:
        qs = qs.filter(name__contains=q)
    return qs.select_related("community", "grid", "officer", "community_worker").prefetch_related("categories")


def key_person_get(user, pk) -> KeyPerson:
    return get_scoped_or_404(KeyPerson.objects.select_related("resident", "community", "grid", "officer",
                                                              "community_worker", "source_sweep"), user, pk=pk)


def overdue_reviews(user, *, node: Node | None = None, today: dt.date, mine: bool = False) -> QuerySet[KeyPerson]:
    """Open files whose next review is before today, most overdue first."""
    qs = scoped(KeyPerson.objects.all(), user).filter(node_q(node), status=FileStatus.OPEN, next_review_on__lt=today)
    if mine:
        qs = qs.filter(Q(officer=user) | Q(community_worker=user))
    return qs.select_related("community", "grid", "officer", "community_worker").order_by("next_review_on", "id")


def files_of_residents(resident_ids) -> dict[int, KeyPerson]:
    """The open file of each of these residents (for the flag on the resident and sweep pages)."""
    return {p.resident_id: p for p in KeyPerson.objects.filter(resident_id__in=list(resident_ids), status=FileStatus.OPEN)
            .prefetch_related("categories")}


def key_persons_in(node: Node, categories=None, on_date: dt.date | None = None) -> QuerySet[KeyPerson]:
    """Files at or below `node` open on `on_date` (default: open now) holding any of `categories`.

    For the fraud-free assessment: `key_persons_in(community, ASSESSMENT_CATEGORIES, year_end)`
    gives the offenders, stranded and intercepted persons among the community's residents
    (files are placed where the person lives, permanent or temporary). Categories are the
    file's current ones.
    """
    qs = KeyPerson.objects.filter(node_q(node))
    if on_date is None:
        qs = qs.filter(status=FileStatus.OPEN)
    else:
        qs = qs.filter(opened_on__lte=on_date).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on_date))
    if categories:
        qs = qs.filter(Exists(KeyPersonCategory.objects.filter(person=OuterRef("pk"), category__in=list(categories))))
    return qs


# --- premises ---------------------------------------------------------------------------


def premises_for(user, *, node: Node | None = None, kind: str = "", flagged: bool = False, q: str = "") -> QuerySet[Premises]:
    qs = scoped(Premises.objects.all(), user).filter(node_q(node))
    if kind:
        qs = qs.filter(kind=kind)
    if flagged:
        qs = qs.exclude(open_finding="")
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(address__contains=q) | Q(building__contains=q))
    return qs.select_related("community", "grid")


def premises_get(user, pk) -> Premises:
    return get_scoped_or_404(Premises.objects.select_related("community", "grid"), user, pk=pk)


def checks_for(user, *, node: Node | None = None, start: dt.date | None = None, end: dt.date | None = None,
               finding_only: bool = False) -> QuerySet[PremisesCheck]:
    qs = scoped(PremisesCheck.objects.all(), user).filter(node_q(node))
    if start:
        qs = qs.filter(checked_on__gte=start)
    if end:
        qs = qs.filter(checked_on__lte=end)
    if finding_only:
        qs = qs.exclude(finding=Finding.NONE)
    return qs.select_related("premises", "community", "grid", "sweep")


def premises_with_open_den_finding(node: Node, period) -> QuerySet[Premises]:
    """Premises at or below `node` where a fraud den was found in `period` (anything with
    `.start`/`.end` dates) or where a den finding made earlier was still open when it began.

    For the fraud-free assessment's "no fraud den" criterion.
    """
    dens_in_period = PremisesCheck.objects.filter(premises=OuterRef("pk"), finding=Finding.DEN,
                                                  checked_on__gte=period.start, checked_on__lte=period.end)
    still_open = Q(open_finding=Finding.DEN, open_finding_since__lte=period.end)
    return Premises.objects.filter(node_q(node)).filter(Q(Exists(dens_in_period)) | still_open)


# --- sweeps -----------------------------------------------------------------------------


def sweeps_for(user, *, node: Node | None = None, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[Sweep]:
    """Sweeps in the user's scope, or covering one of the user's grids, or with the user in the team."""
    scope = scope_of(user)
    qs = Sweep.objects.all()
    if not scope.everything:
        grid_rows = scoped(SweepGrid.objects.all(), user).filter(sweep=OuterRef("pk"))
        qs = qs.filter(scope.q_for(Sweep) | Q(Exists(grid_rows)) | Q(members=user)).distinct()
    if node is not None:
        qs = qs.filter(Q(node_q(node)) | Q(Exists(SweepGrid.objects.filter(node_q(node), sweep=OuterRef("pk")))))
    if start:
        qs = qs.filter(held_on__gte=start)
    if end:
        qs = qs.filter(held_on__lte=end)
    return qs.order_by("-held_on", "-id")


def sweep_get(user, pk) -> Sweep:
    try:
        return sweeps_for(user).get(pk=pk)
    except (Sweep.DoesNotExist, ValueError, TypeError):
        raise Http404("not found") from None


def sweep_grids(sweep: Sweep) -> list[Node]:
    return list(Node.objects.filter(pk__in=SweepGrid.objects.filter(sweep=sweep).values("grid_id")).order_by("sort", "code"))


def sweep_calendar(user, *, node: Node | None, today: dt.date, weeks: int = 12) -> dict:
    """Which Wednesdays had a sweep per community, and which grids have not been swept for `weeks` weeks.

    Returns {"wednesdays": [date], "rows": [{"community", "swept": [bool per Wednesday], "count"}],
             "unswept": [{"grid", "community", "last"}], "weeks": weeks}.
    """
    last_wed = today - dt.timedelta(days=(today.weekday() - 2) % 7)
    weds = [last_wed - dt.timedelta(weeks=i) for i in range(weeks)][::-1]
    start = weds[0] - dt.timedelta(days=2)  # the week holding the first Wednesday (Monday)
    communities = list(scoped(Node.objects.filter(level=Level.COMMUNITY), user).filter(node_q(node)).order_by("sort", "code"))
    rows_qs = scoped(SweepGrid.objects.all(), user).filter(node_q(node), held_on__gte=start, held_on__lte=today)
    weeks_by_comm: dict[int, set[dt.date]] = {}
    for cid, held in rows_qs.values_list("community_id", "held_on").distinct():
        wed = held + dt.timedelta(days=2 - held.weekday())  # the Wednesday of that Monday-to-Sunday week
        weeks_by_comm.setdefault(cid, set()).add(wed)
    rows = [{"community": c, "swept": [w in weeks_by_comm.get(c.id, set()) for w in weds],
             "count": sum(w in weeks_by_comm.get(c.id, set()) for w in weds)} for c in communities]
    cutoff = today - dt.timedelta(weeks=weeks)
    grids = scoped(Node.objects.filter(level=Level.GRID), user).filter(node_q(node))
    last = dict(scoped(SweepGrid.objects.all(), user).filter(node_q(node)).values("grid_id")
                .annotate(last=Max("held_on")).values_list("grid_id", "last"))
    names = dict(Node.objects.filter(pk__in=[c.id for c in communities]).values_list("id", "name"))
    unswept = []
    for g in grids.order_by("sort", "code").only("id", "name", "community_id"):
        when = last.get(g.id)
        if when is None or when < cutoff:
            unswept.append({"grid": g, "community": names.get(g.community_id, ""), "last": when})
    return {"wednesdays": weds, "rows": rows, "unswept": unswept, "weeks": weeks}


# --- monthly screening -----------------------------------------------------------------


def screening_prefill(community: Node, month: dt.date) -> dict[str, int]:
    """The month's figures from the records for one community (what the form is pre-filled with).

    Keys: key_persons_open (files open at the month's end), key_persons_new (opened in the month),
    offenders (open files with the 涉诈前科 category at the month's end), follow_ups, checks,
    premises_checked (distinct premises), dens_found (checks finding a den), findings (checks with
    any finding), sweeps (sweeps covering one of its grids), people_checked (people checked in
    sweeps, placed in the community), cases (cases reported in the month).
    """
    start, end = month.replace(day=1), month_end(month.replace(day=1))
    c = Q(community_id=community.id)
    open_at_end = KeyPerson.objects.filter(c, opened_on__lte=end).filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
    checks = PremisesCheck.objects.filter(c, checked_on__gte=start, checked_on__lte=end)
    agg = checks.aggregate(n=Count("id"), premises=Count("premises_id", distinct=True),
                           dens=Count("id", filter=Q(finding=Finding.DEN)), findings=Count("id", filter=~Q(finding=Finding.NONE)))
    return {
        "key_persons_open": open_at_end.count(),
        "key_persons_new": KeyPerson.objects.filter(c, opened_on__gte=start, opened_on__lte=end).count(),
        "offenders": open_at_end.filter(Exists(KeyPersonCategory.objects.filter(person=OuterRef("pk"),
                                                                                category=Category.OFFENDER))).count(),
        "follow_ups": FollowUp.objects.filter(c, on__gte=start, on__lte=end).count(),
        "checks": agg["n"],
        "premises_checked": agg["premises"],
        "dens_found": agg["dens"],
        "findings": agg["findings"],
        "sweeps": SweepGrid.objects.filter(c, held_on__gte=start, held_on__lte=end).values("sweep_id").distinct().count(),
        "people_checked": SweepPerson.objects.filter(c, held_on__gte=start, held_on__lte=end).count(),
        "cases": Case.objects.filter(c, reported_on__gte=start, reported_on__lte=end).count(),
    }


def screenings_for(user, *, node: Node | None = None, month: dt.date | None = None) -> QuerySet[Screening]:
    qs = scoped(Screening.objects.all(), user).filter(node_q(node))
    if month:
        qs = qs.filter(month=month.replace(day=1))
    return qs.select_related("community", "filed_by")


def screening_get(user, pk) -> Screening:
    return get_scoped_or_404(Screening.objects.select_related("community", "filed_by"), user, pk=pk)


def screening_status(user, *, node: Node | None, month: dt.date, today: dt.date) -> list[dict]:
    """Every community in scope for the month: filed (on time or late) or not, and whether it is overdue."""
    month = month.replace(day=1)
    communities = list(scoped(Node.objects.filter(level=Level.COMMUNITY), user).filter(node_q(node)).order_by("sort", "code"))
    filed = {s.community_id: s for s in Screening.objects.filter(community_id__in=[c.id for c in communities], month=month)}
    past_end = today > month_end(month)
    return [{"community": c, "screening": filed.get(c.id), "overdue": c.id not in filed and past_end} for c in communities]
