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
