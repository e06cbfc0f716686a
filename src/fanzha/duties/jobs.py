"""The worker's duty reminders: before a period ends, tell whoever is behind, once per duty, subject and period."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from fanzha.duties.models import Reminder
from fanzha.duties.selectors import active_duties, period_of, status_rows


def remind_due(now: dt.datetime) -> int:
    """Remind subjects behind on a duty whose period ends within its `remind_days`.

    The unique (duty, subject, period) row is the claim: with two workers only the
    one whose insert succeeds notifies, so nobody is told twice in a period.
    """
    from fanzha.alerts.notify import notify_users

    today = timezone.localtime(now).date()
    duties = [d for d in active_duties() if (period_of(d.rhythm, today)[1] - today).days <= d.remind_days]
    if not duties:
        return 0
    rows = [r for r in status_rows(today=today, duties=duties, names=False) if r.behind and r.notify]
    if not rows:
        return 0
    have = set(Reminder.objects.filter(duty__in=duties, period_start__in={r.start for r in rows})
               .values_list("duty_id", "subject", "period_start"))
    told = 0
    for r in rows:
        if (r.duty.id, r.key, r.start) in have:
            continue
        try:
            with transaction.atomic():
                Reminder.objects.create(duty=r.duty, subject=r.key, period_start=r.start, sent_at=now)
                text = (f"【职责提醒】{r.duty.name}：{r.period}已完成{r.done}次，应完成{r.due}次，"
                        f"距期末还有{r.days_left}天。")
                notify_users(r.notify, kind="duty", text=text, now=now, url=reverse("duties:home"))
        except IntegrityError:
            continue  # the other worker claimed it
        told += 1
    return told
