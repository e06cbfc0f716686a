"""The worker's reminders of measures, tasks and rectifications that fall due.

On the day an item falls due, and every seven days after while it is still
not done, the people who hold it and the street office get an in-app
notification, and the street's group chat a message.

Once per due day, however many workers run:

1. Find open items whose deadline is today or earlier, and their latest due day
   (`selectors.due_day`: the deadline, deadline + 7, + 14, ...); a worker that
   was down catches up on its next pass.
2. Skip those that already have a `Reminder` row for that due day.
3. For each other: in one transaction insert the `Reminder` row (unique on
   item and due day) and write the notifications. A second worker's insert
   fails on the unique constraint (or waits for the first and then fails), its
   transaction rolls back, and it sends nothing.
4. Stop after the pass's time budget; the next pass goes on where this one stopped.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.alerts.notify import notify_users, users_at, webhook_enqueue
from fanzha.core import access
from fanzha.org.models import Assignment
from fanzha.supervision.models import (
    Measure,
    MeasureKind,
    Rectification,
    RectificationStatus,
    Reminder,
    ReminderKind,
    Responsibility,
)
from fanzha.supervision.selectors import days_overdue, due_day

logger = logging.getLogger("fanzha.supervision")
KIND = "supervision"


def _unit_users(unit_ids) -> list[int]:
    return list(Assignment.objects.filter(unit_id__in=sorted(set(unit_ids)), role__in=[access.DEPARTMENT, access.LIAISON],
                                          user__is_active=True).values_list("user_id", flat=True))


def _holder_users(unit_ids, community_ids) -> list[int]:
    users = _unit_users(unit_ids)
    for ids in users_at(community_ids, [access.COMMUNITY]).values():
        users += ids
    return users


def _office_users(street_id: int) -> list[int]:
    return users_at([street_id], [access.OFFICE]).get(street_id, [])


def _text(what: str, title: str, deadline: dt.date, today: dt.date, holders: str) -> str:
    days = days_overdue(deadline, today)
    if days == 0:
        when = _("今天到期")
    else:
        when = _("已逾期%(n)d天") % {"n": days}
    return _("【督导提醒】%(what)s“%(title)s”%(when)s（期限%(d)s），未完成：%(holders)s。请尽快办理并报送。") % {
        "what": what, "title": title[:60], "when": when, "d": deadline.isoformat(), "holders": holders or "-"}


def _claim(kind: str, object_id: int, day: dt.date, now: dt.datetime) -> bool:
    try:
        with transaction.atomic():
            Reminder.objects.create(kind=kind, object_id=object_id, due_day=day, sent_at=now)
    except IntegrityError:
        return False
    return True


def remind_due(now: dt.datetime, *, budget_seconds: float = 2.0) -> int:
    """The periodic job (`fanzha.core.jobs.PERIODIC_JOBS`): remind of what falls due today or weekly after.

    A pass stops after `budget_seconds` (the rest of the worker loop must not wait long); the items
    not reached have no reminder row yet, so the next pass takes them.
    """
    today = timezone.localdate(now)
    started = time.monotonic()
    sent = 0
    measures = list(Measure.objects.filter(completed_on__isnull=True, deadline__lte=today)
                    .values_list("id", "kind", "title", "deadline", "street_id"))
    rects = list(Rectification.objects.filter(deadline__lte=today).exclude(status=RectificationStatus.ACCEPTED)
                 .values_list("id", "number", "problem", "deadline", "street_id", "unit_id", "community_id", "unit__name",
                              "community__name"))
    wanted_m = {m[0]: due_day(m[3], today) for m in measures}
    wanted_r = {r[0]: due_day(r[3], today) for r in rects}
    done = set()
    days = {*wanted_m.values(), *wanted_r.values()}
    if days:
        # only the reminders of today's due days: at most one per open item, however old the items are
        done = set(Reminder.objects.filter(due_day__in=sorted(days)).values_list("kind", "object_id", "due_day"))
    for mid, kind, title, deadline, street_id in measures:
        if time.monotonic() - started > budget_seconds:
            return sent
        day = wanted_m[mid]
        if (ReminderKind.MEASURE, mid, day) in done:
            continue
        with transaction.atomic():
            if not _claim(ReminderKind.MEASURE, mid, day, now):
                continue
            open_rs = list(Responsibility.objects.filter(measure_id=mid, completed_on__isnull=True)
                           .values_list("unit_id", "community_id", "unit__name", "community__name"))
            names = "、".join((u or c or "") for _u, _c, u, c in open_rs[:6])
            users = _holder_users([r[0] for r in open_rs if r[0]], [r[1] for r in open_rs if r[1] and not r[0]])
            users += _office_users(street_id)
            what = _("交办任务") if kind == MeasureKind.TASK else _("工作措施")
            text = _text(what, title, deadline, today, names)
            notify_users(users, kind=KIND, text=text, now=now, url=reverse("supervision:measure_detail", args=[mid]))
            if street_id:
                webhook_enqueue(street_ids=[street_id], text=text, now=now)
            sent += 1
    for rid, number, problem, deadline, street_id, unit_id, community_id, uname, cname in rects:
        if time.monotonic() - started > budget_seconds:
            return sent
        day = wanted_r[rid]
        if (ReminderKind.RECTIFICATION, rid, day) in done:
            continue
        with transaction.atomic():
            if not _claim(ReminderKind.RECTIFICATION, rid, day, now):
                continue
            users = _holder_users([unit_id] if unit_id else [], [community_id] if community_id and not unit_id else [])
            users += _office_users(street_id)
            text = _text(_("整改通知") + number, problem, deadline, today, uname or cname or "")
            notify_users(users, kind=KIND, text=text, now=now, url=reverse("supervision:rectification_detail", args=[rid]))
            if street_id:
                webhook_enqueue(street_ids=[street_id], text=text, now=now)
            sent += 1
    return sent
