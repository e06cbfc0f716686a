"""Periodic job: remind the officer and community worker in charge of an overdue review.

1. Find open files whose next review date has passed (oldest first, a bounded batch).
2. Claim each (file, missed date) by inserting its `ReviewReminder` row; a unique
   constraint makes the insert fail for a second worker, which then skips the file.
3. Notify the file's officer and community worker in the app (the community's staff
   when nobody is named), with a link to the file.
A file is reminded once per missed date: a follow-up sets a new date, which can be
reminded again when it passes in turn.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from fanzha.risk.models import FileStatus, KeyPerson, ReviewReminder

BATCH = 500


def remind_overdue(now: dt.datetime) -> int:
    from fanzha.alerts.notify import notify_users, users_at

    today = timezone.localdate(now)
    reminded = ReviewReminder.objects.filter(person=OuterRef("pk"), due_on=OuterRef("next_review_on"))
    due = (KeyPerson.objects.filter(status=FileStatus.OPEN, next_review_on__lt=today).exclude(Exists(reminded))
           .order_by("next_review_on", "id")[:BATCH])
    done = 0
    for p in due:
        try:
            with transaction.atomic():
                ReviewReminder.objects.create(person=p, due_on=p.next_review_on, sent_at=now)
        except IntegrityError:
            continue  # another worker took it
        users = [u for u in (p.officer_id, p.community_worker_id) if u]
        if not users and p.community_id:
            users = users_at([p.community_id], ["community"]).get(p.community_id, [])
        if users:
            notify_users(users, kind="risk_review", now=now, url=reverse("risk:key_person", args=[p.pk]),
                         text=f"重点人员{p.name}应于{p.next_review_on:%Y-%m-%d}回访，已逾期，请尽快帮教回访。")
        done += 1
    return done
