"""Reads of alerts, always scoped: a grid worker sees their grid's alerts, community staff
their community's, the office, officers and leaders their street's (SPEC §1).

Everyone the routing assigns an alert to has it inside their scope (grid
people at its grid, officers at its street, a hand-picked person's node gets
the alert), so "assigned to me" is a filter within the scope, never a way
around it.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, DateTimeField, F, Q, QuerySet, When
from django.utils import timezone

from fanzha.alerts.models import (
    ACTIVE_STATUSES,
    Alert,
    AlertAssignee,
    AlertConflict,
    ConflictStatus,
    Notification,
    Status,
)
from fanzha.core.scoping import get_scoped_or_404, scope_of, scoped

TABS = ("open", "mine", "pending", "escalated", "transfer", "closed")
QUEUE_LIMIT = 100

#: The earliest limit not yet met (what the queue counts down to).
NEXT_DUE = Case(
    When(Q(signed_at__isnull=True, sign_due_at__isnull=False), then=F("sign_due_at")),
    When(Q(first_contact_at__isnull=True, contact_due_at__isnull=False), then=F("contact_due_at")),
    When(Q(onsite_at__isnull=True, onsite_due_at__isnull=False), then=F("onsite_due_at")),
    default=None, output_field=DateTimeField())


def can_see_alerts(user) -> bool:
    scope = scope_of(user)
    return scope.everything or bool(scope.nodes) and bool(
        scope.roles & {"office", "leader", "officer", "community", "grid_leader", "grid_worker"})


def alerts_for(user) -> QuerySet[Alert]:
    if not can_see_alerts(user):
        return Alert.objects.none()
    return scoped(Alert.objects.all(), user)


def alert_get(user, pk) -> Alert:
    if not can_see_alerts(user):
        from django.http import Http404

        raise Http404("not found")
    return get_scoped_or_404(Alert.objects.select_related("signed_by", "closed_by", "escalated_to", "resident", "sender",
                                                          "community", "grid", "street", "case"), user, pk=pk)


def alert_queue(user, *, tab: str = "open", limit: int = QUEUE_LIMIT) -> QuerySet[Alert]:
    """One tab of the user's queue, most urgent first (closed: latest first)."""
    qs = alerts_for(user)
    if tab == "closed":
        return (qs.filter(status=Status.CLOSED).select_related("grid", "signed_by").prefetch_related("community", "street")
                .order_by("-closed_at", "-id")[:limit])
    if tab == "transfer":
        qs = qs.filter(status=Status.TRANSFER)
    elif tab == "pending":
        qs = qs.filter(status=Status.PENDING)
    elif tab == "escalated":
        qs = qs.filter(status__in=ACTIVE_STATUSES, escalation_level__gt=0)
    elif tab == "mine":
        qs = qs.filter(status__in=ACTIVE_STATUSES).filter(
            Q(signed_by=user) | Q(pk__in=AlertAssignee.objects.filter(user=user).values("alert_id")))
    else:
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    # Grid, signer and escalation node by join; community and street (only shown when there is no grid) by
    # prefetch: a five-way join costs PostgreSQL more to plan than to run.
    return (qs.annotate(due_next=NEXT_DUE).select_related("grid", "signed_by", "escalated_to")
            .prefetch_related("community", "street").order_by(F("due_next").asc(nulls_last=True), "-received_at", "-id")[:limit])


def queue_counts(user) -> dict[str, int]:
    """How many alerts each tab holds (one query)."""
    qs = alerts_for(user).filter(status__in=[*ACTIVE_STATUSES, Status.TRANSFER])
    active = Q(status__in=ACTIVE_STATUSES)
    return qs.aggregate(
        open=Count("id", filter=active),
        pending=Count("id", filter=Q(status=Status.PENDING)),
        escalated=Count("id", filter=active & Q(escalation_level__gt=0)),
        transfer=Count("id", filter=Q(status=Status.TRANSFER)),
        unsigned=Count("id", filter=Q(status__in=[Status.NEW, Status.PENDING])),
    )


def time_left(alert: Alert, now: dt.datetime | None = None) -> dict | None:
    """{'stage', 'due', 'seconds'} of the next limit not met; negative seconds: overdue by that much."""
    nxt = alert.next_due() if alert.status in ACTIVE_STATUSES else None
    if nxt is None:
        return None
    now = now or timezone.now()
    return {"stage": nxt[0], "due": nxt[1], "seconds": int((nxt[1] - now).total_seconds())}


def notifications_for(user, *, limit: int = 50) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")[:limit]


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def conflicts_for(user, *, status: str = ConflictStatus.OPEN) -> QuerySet[AlertConflict]:
    qs = scoped(AlertConflict.objects.select_related("alert", "sender", "resolved_by"), user)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-received_at", "-id")


def conflict_get(user, pk) -> AlertConflict:
    return get_scoped_or_404(AlertConflict.objects.select_related("alert", "sender"), user, pk=pk)


def assignable_groups(alert: Alert, user, *, q: str = "") -> list[dict]:
    """The people an alert may be handed to, grouped by where they work: the street's own staff, then each
    community and each of its grids, the alert's own grid and community first. `q` keeps the people whose
    name, role or place contains it. [{"label", "here", "people": [(user, role label)]}]"""
    from fanzha.alerts.services import assignable_users
    from fanzha.org.models import Level, Node

    rows = assignable_users(alert, scope_of(user))
    if not rows:
        return []
    communities = {n.pk: n for n in Node.objects.filter(street_id=alert.street_id, level=Level.COMMUNITY)}
    q = (q or "").strip().lower()
    groups: dict[int, dict] = {}
    for u, node, role in rows:
        if node.level == Level.STREET:
            label, key = node.name, (0, 0, "", 0, "")
        elif node.level == Level.COMMUNITY:
            label, key = node.name, (1, node.sort, node.code, 0, "")
        else:
            c = communities.get(node.community_id)
            label = f"{c.name} › {node.name}" if c else node.name
            key = (1, c.sort if c else 0, c.code if c else "", 1 + node.sort, node.code)
        if q and q not in f"{u} {u.username} {role} {label}".lower():
            continue
        here = node.pk in (alert.grid_id, alert.community_id) if node.level != Level.STREET else False
        g = groups.setdefault(node.pk, {"label": label, "here": here, "key": (not here, *key), "people": []})
        g["people"].append((u, role))
    return sorted(groups.values(), key=lambda g: g["key"])
