"""The worker's clue job: hand-offs past their deadline escalate to the street's office and leader."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.clues.models import Clue, ClueEvent, EventKind, Handoff, HandoffStatus, PublicHit
from fanzha.core.access import LEADER, OFFICE

#: Up to this many overdue hand-offs of one street in one pass get a notification each; more get one summary.
PER_CLUE_NOTIFICATIONS = 5


def escalate_overdue(now: dt.datetime) -> int:
    """Escalate every open hand-off whose deadline has passed, once; return how many.

    1. One conditional UPDATE claims them: `status = open AND due_at <= now AND
       escalated_at IS NULL`, stamping this pass's token. Of two workers running
       at once only one UPDATE matches a row (SQLite serialises the writes;
       PostgreSQL re-checks the WHERE on the row the first committed and skips
       it), so no hand-off is escalated twice.
    2. The claimed rows are read back by the token; their clues get
       `escalated_at` and an "escalated" event in the same transaction.
    3. The office and the leader of each street are notified (one message per
       clue, or one summary when many fall due together) and the street's
       group-chat webhooks get one message.
    """
    token = uuid.uuid4().hex
    with transaction.atomic():
        n = (Handoff.objects.filter(status=HandoffStatus.OPEN, due_at__lte=now, escalated_at__isnull=True)
             .update(escalated_at=now, escalation_token=token))
        if not n:
            return 0
        rows = list(Handoff.objects.filter(escalation_token=token).select_related("clue", "unit"))
        Clue.objects.filter(pk__in=[h.clue_id for h in rows]).update(escalated_at=now)
        ClueEvent.objects.bulk_create([
            ClueEvent(clue_id=h.clue_id, at=now, kind=EventKind.ESCALATED,
                      text=_("%(to)s超过办理时限（%(due)s）未报到，已提醒反诈办和领导") % {
                          "to": h.target_label, "due": f"{timezone.localtime(h.due_at):%Y-%m-%d %H:%M}"})
            for h in rows])
        by_street: dict[int, list[Handoff]] = defaultdict(list)
        for h in rows:
            by_street[h.street_id].append(h)
        _tell(by_street, now)
    return n


def _tell(by_street: dict[int, list[Handoff]], now: dt.datetime) -> None:
    from fanzha.alerts.notify import notify_users, users_at, webhook_enqueue

    people = users_at(list(by_street), [OFFICE, LEADER])
    for street_id, handoffs in by_street.items():
        users = people.get(street_id, [])
        if len(handoffs) <= PER_CLUE_NOTIFICATIONS:
            for h in handoffs:
                notify_users(users, kind="clue_late", now=now, url=reverse("clues:detail", args=[h.clue_id]),
                             text=_("线索 %(code)s 交办%(to)s已超时未报到") % {"code": h.clue.receipt_display, "to": h.target_label})
        else:
            notify_users(users, kind="clue_late", now=now, url=reverse("clues:queue") + "?tab=overdue",
                         text=_("%(n)d条交办线索超时未报到") % {"n": len(handoffs)})
        lines = [_("【线索超时】%(n)d条交办线索超过时限未报到：") % {"n": len(handoffs)}]
        lines += [f"{h.clue.receipt_display} → {h.target_label}" for h in handoffs[:10]]
        webhook_enqueue(street_ids=[street_id], text="\n".join(lines), now=now)


def prune_public_hits(now: dt.datetime) -> int:
    """Drop rate-limit counters whose window has passed."""
    deleted, _detail = PublicHit.objects.filter(expires_at__lt=now).delete()
    return deleted


def run_due(now: dt.datetime) -> int:
    """The periodic job (fanzha.core.jobs.PERIODIC_JOBS): escalations, then counter pruning."""
    return escalate_overdue(now) + prune_public_hits(now)
