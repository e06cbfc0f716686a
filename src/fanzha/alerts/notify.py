"""Telling people: in-app notifications, and one outbound channel — a group-chat bot webhook.

The webhook body is the plain-text message shape WeCom (企业微信) and DingTalk
(钉钉) group robots both accept: `{"msgtype": "text", "text": {"content": "..."}}`.
Messages carry no full ID or phone numbers (a chat is not an access-controlled
place): names are shortened to the surname, phones masked.

Deliveries are rows, written in the same transaction as what they report, and
sent afterwards by the worker (`deliver_due`), so a slow or dead chat server
never holds up an alert. Each attempt is logged on the row; failures are retried
with growing pauses, then given up.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Iterable

from django.db.models import F, Q
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

from fanzha.alerts.models import DeliveryStatus, Grade, Notification, Webhook, WebhookDelivery
from fanzha.core.bulk import insert_rows
from fanzha.org.models import Assignment

logger = logging.getLogger("fanzha.alerts")

#: Pause before each retry; after the last one the delivery is marked failed.
BACKOFF = (dt.timedelta(seconds=10), dt.timedelta(seconds=30), dt.timedelta(minutes=2),
           dt.timedelta(minutes=10), dt.timedelta(hours=1))
#: How long a worker holds a claimed delivery before another may take it over (crashed worker).
CLAIM_FOR = dt.timedelta(seconds=60)
TIMEOUT_SECONDS = 5


def alert_url(alert_id: int) -> str:
    """The alert's page, the link a notification opens."""
    return _alert_url_pattern(get_urlconf(), get_script_prefix()).format(int(alert_id))


_PLACEHOLDER = 918273645


@functools.lru_cache(maxsize=16)
def _alert_url_pattern(urlconf, prefix: str) -> str:
    """The alert page's URL with `{}` for the id, reversed once per URL configuration and prefix:
    every pushed alert links its notifications to its page, and reversing costs as much as an insert."""
    url = reverse("alerts:detail", args=[_PLACEHOLDER])
    assert url.count(str(_PLACEHOLDER)) == 1, url
    return url.replace("{", "{{").replace("}", "}}").replace(str(_PLACEHOLDER), "{}")


def grade_label(grade: str) -> str:
    return str(Grade(grade).label)


def short_name(name: str) -> str:
    """'王建国' → '王某': enough for a colleague to recognise the alert, not the person."""
    return (name[:1] + "某") if name else "（未具名）"


def notify_users(user_ids: Iterable[int], *, kind: str, text: str, now: dt.datetime, alert_id: int | None = None,
                 url: str = "") -> int:
    rows = [(u, now, kind, text[:300], alert_id, url) for u in dict.fromkeys(user_ids)]
    insert_rows(Notification, ["user_id", "created_at", "kind", "text", "alert_id", "url"], rows)
    return len(rows)


def notify_texts(texts: dict[int, str], *, kind: str, now: dt.datetime, alert_id: int | None = None,
                 url: str = "") -> int:
    """One notification per user, each with its own text ({user id: text}), in one insert."""
    rows = [(u, now, kind, text[:300], alert_id, url) for u, text in texts.items()]
    insert_rows(Notification, ["user_id", "created_at", "kind", "text", "alert_id", "url"], rows)
    return len(rows)


def users_at(node_ids: Iterable[int], roles: Iterable[str]) -> dict[int, list[int]]:
    """Active users with one of `roles` assigned at each node: {node id: [user ids]}."""
    out: dict[int, list[int]] = {}
    ids = sorted(set(node_ids))
    if not ids:
        return out
    rows = Assignment.objects.filter(node_id__in=ids, role__in=list(roles), user__is_active=True).order_by("id")
    for node_id, user_id in rows.values_list("node_id", "user_id"):
        if user_id not in out.setdefault(node_id, []):
            out[node_id].append(user_id)
    return out


def webhook_payload(text: str) -> dict:
    return {"msgtype": "text", "text": {"content": text}}


def webhook_enqueue(*, street_ids: Iterable[int], text: str, now: dt.datetime, hooks: list[int] | None = None) -> int:
    """One delivery per active webhook of these streets (or per id in `hooks`); sent later by the worker."""
    if hooks is None:
        hooks = list(Webhook.objects.filter(street_id__in=sorted(set(street_ids)), active=True).values_list("id", flat=True))
    WebhookDelivery.objects.bulk_create([
        WebhookDelivery(webhook_id=h, created_at=now, payload=webhook_payload(text), next_attempt_at=now) for h in hooks])
    return len(hooks)


def _post(url: str, payload: dict) -> tuple[int | None, str]:
    """(HTTP status, error text or '') of one POST; '' means the bot accepted it."""
    body = json.dumps(payload, ensure_ascii=False).encode()
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "fanzha"})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_SECONDS) as resp:
            status, text = resp.status, resp.read(4096).decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, f"HTTP {e.code}"
    except (urllib.error.URLError, OSError, ValueError) as e:
        return None, str(getattr(e, "reason", e))[:300]
    # The chat servers answer 200 with {"errcode": N} when they refuse a message (bad key, keyword, rate).
    try:
        data = json.loads(text) if text.strip() else {}
    except ValueError:
        data = {}
    if isinstance(data, dict) and data.get("errcode") not in (None, 0):
        return status, f"errcode {data.get('errcode')}: {str(data.get('errmsg', ''))[:200]}"
    return status, ""


def deliver_due(*, now: dt.datetime | None = None, limit: int = 50) -> dict[str, int]:
    """Send the deliveries that are due; returns counts of sent / retrying / failed.

    1. Pick due pending deliveries (oldest first).
    2. Claim each with a conditional UPDATE (pending, due, not claimed by a live
       worker) and check the row count, so two workers never send the same one.
    3. POST it; record the attempt in its log.
    4. Success: sent. Failure: due again after the next pause in BACKOFF, or
       failed once the pauses are used up.
    """
    now = now or timezone.now()
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    due = (WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
           .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)).order_by("next_attempt_at", "id")
           .values_list("id", flat=True)[:limit])
    for pk in list(due):
        claimed = (WebhookDelivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
                   .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
                   .update(claimed_until=now + CLAIM_FOR, attempts=F("attempts") + 1))
        if not claimed:
            continue
        d = WebhookDelivery.objects.select_related("webhook").get(pk=pk)
        status, error = _post(d.webhook.url, d.payload)
        at = timezone.now()
        d.log = [*d.log, {"at": at.isoformat(), "status": status, "error": error}][-20:]
        d.last_status, d.last_error, d.claimed_until = status, error, None
        if not error:
            d.status, d.sent_at, d.next_attempt_at = DeliveryStatus.SENT, at, None
            counts["sent"] += 1
        elif d.attempts > len(BACKOFF):
            d.status, d.next_attempt_at = DeliveryStatus.FAILED, None
            counts["failed"] += 1
            logger.warning("webhook %s: giving up after %d attempts: %s", d.webhook_id, d.attempts, error)
        else:
            d.next_attempt_at = at + BACKOFF[d.attempts - 1]
            counts["retrying"] += 1
        d.save(update_fields=["log", "last_status", "last_error", "claimed_until", "status", "sent_at", "next_attempt_at"])
    return counts
