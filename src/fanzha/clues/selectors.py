"""Reads on clues, always through the user's scope."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.utils import timezone

from fanzha.clues.models import OPEN_STATUSES, Clue, ClueSubject, Handoff, HandoffStatus, Status
from fanzha.core.access import DEPARTMENT
from fanzha.core.scoping import get_scoped_or_404, scope_of, scoped

QUEUE_TABS = ("new", "checked", "handed", "overdue", "answered", "closed", "all")


def clues_for(user) -> QuerySet:
    return scoped(Clue.objects.all(), user)


def clue_get(user, pk) -> Clue:
    return get_scoped_or_404(Clue.objects.select_related("unit", "merged_into", "created_by", "checked_by", "closed_by",
                                                         "community", "grid", "street"), user, pk=pk)


def is_department_only(user) -> bool:
    """A department account sees its own queue (the clues handed to it), nothing else."""
    roles = scope_of(user).roles
    return not user.is_superuser and DEPARTMENT in roles and not (roles - {DEPARTMENT})


def clue_queue(user, tab: str, *, source: str = "", kind: str = "", q: str = "") -> QuerySet:
    qs = clues_for(user).select_related("unit", "community", "grid", "street")
    now = timezone.now()
    if tab == "new":
        qs = qs.filter(status=Status.NEW)
    elif tab == "checked":
        qs = qs.filter(status=Status.CHECKED)
    elif tab == "handed":
        qs = qs.filter(status=Status.HANDED)
    elif tab == "overdue":
        qs = qs.filter(status=Status.HANDED, due_at__lt=now)
    elif tab == "answered":
        qs = qs.filter(status=Status.ANSWERED)
    elif tab == "closed":
        qs = qs.filter(status__in=[Status.CLOSED, Status.MERGED])
    if source:
        qs = qs.filter(source=source)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        digits = "".join(ch for ch in q if ch.isdigit())
        if len(digits) == 12:
            qs = qs.filter(receipt_code=digits)
        else:
            qs = qs.filter(summary__contains=q[:50])
    if tab in ("handed", "overdue"):
        return qs.order_by("due_at", "id")
    return qs.order_by("-received_at", "-id")


def queue_counts(user) -> dict[str, int]:
    qs = clues_for(user).filter(status__in=OPEN_STATUSES)
    counts = {row["status"]: row["n"] for row in qs.values("status").annotate(n=Count("id")).order_by()}
    counts["overdue"] = qs.filter(status=Status.HANDED, due_at__lt=timezone.now()).count()
    return counts


def clues_overdue_for(user, *, limit: int = 20) -> list[Clue]:
    """Clues whose hand-off is past its deadline, in the user's scope (for the leader's home page)."""
    if not user.is_authenticated:
        return []
    return list(clues_for(user).filter(status=Status.HANDED, due_at__lt=timezone.now())
                .select_related("unit").order_by("due_at", "id")[:limit])


def duplicates_of(user, clue: Clue, *, limit: int = 10) -> list[tuple[Clue, list[str]]]:
    """Other clues of the street naming the same phone, account, URL or app (keyed hashes): open ones first.

    Returns [(clue, [what matched, shown masked])].
    """
    hashes = {s.value_hash: s.shown for s in clue.subjects.all()}
    if not hashes:
        return []
    rows = (ClueSubject.objects.filter(value_hash__in=list(hashes), clue__street_id=clue.street_id)
            .exclude(clue_id=clue.pk).exclude(clue__status=Status.MERGED).values_list("clue_id", "value_hash"))
    matched: dict[int, list[str]] = {}
    for clue_id, h in rows:
        matched.setdefault(clue_id, []).append(hashes[h])
    if not matched:
        return []
    found = {c.pk: c for c in clues_for(user).filter(pk__in=list(matched))}
    order = sorted(found.values(), key=lambda c: (c.status not in OPEN_STATUSES, -c.received_at.timestamp()))
    return [(c, matched[c.pk]) for c in order[:limit]]


def department_record(user) -> dict | None:
    """A department's own answer record over the last year: hand-offs, answered, within deadline, median hours."""
    import datetime as dt
    import statistics

    scope = scope_of(user)
    if not scope.unit_ids:
        return None
    since = timezone.now() - dt.timedelta(days=365)
    rows = list(Handoff.objects.filter(unit_id__in=sorted(scope.unit_ids), handed_at__gte=since)
                .exclude(status=HandoffStatus.WITHDRAWN).values_list("status", "within_deadline", "answer_seconds"))
    replied = [r for r in rows if r[0] != HandoffStatus.OPEN]
    secs = [r[2] for r in replied if r[2] is not None]
    return {"handed": len(rows), "answered": len(replied), "within": sum(1 for r in replied if r[1]),
            "within_pct": round(100 * sum(1 for r in replied if r[1]) / len(replied), 1) if replied else None,
            "median_h": round(statistics.median(secs) / 3600, 1) if secs else None}


def handoffs_of(clue: Clue) -> list[Handoff]:
    return list(clue.handoffs.select_related("unit", "handed_by", "answered_by").order_by("handed_at", "id"))


def open_handoff(clue: Clue) -> Handoff | None:
    return clue.handoffs.filter(status=HandoffStatus.OPEN).select_related("unit").order_by("-handed_at").first()
