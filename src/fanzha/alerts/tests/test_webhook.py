"""The group-chat webhook against a real HTTP server on loopback: shape, retries with backoff, giving up."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from fanzha.alerts.models import DeliveryStatus, Webhook, WebhookDelivery
from fanzha.alerts.notify import BACKOFF, deliver_due, webhook_enqueue
from fanzha.alerts.tests.conftest import ingest

pytestmark = pytest.mark.django_db


class Bot:
    """A loopback 'group robot': records what it receives and answers from a script of (status, body)."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.received: list[dict] = []
        bot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                bot.received.append({"body": json.loads(self.rfile.read(length)), "type": self.headers.get("Content-Type")})
                status, body = bot.answers.pop(0) if bot.answers else (200, {"errcode": 0, "errmsg": "ok"})
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/webhook/send?key=test"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_high_alert_reaches_the_group_chat(tree, personas, sender):
    """A high alert is posted as {"msgtype": "text", "text": {"content": ...}}, masked, and marked sent."""
    with Bot([]) as bot:
        Webhook.objects.create(street=tree.street, url=bot.url)
        ingest(sender, grade="高")
        counts = deliver_due()
    assert counts == {"sent": 1, "retrying": 0, "failed": 0}
    (msg,) = bot.received
    assert msg["type"].startswith("application/json") and msg["body"]["msgtype"] == "text"
    text = msg["body"]["text"]["content"]
    assert "新预警（高）" in text and "王某" in text and "138****8001" in text and "13800138001" not in text
    d = WebhookDelivery.objects.get()
    assert d.status == DeliveryStatus.SENT and d.attempts == 1 and d.last_status == 200 and len(d.log) == 1


def test_failures_are_retried_with_backoff_then_sent(tree):
    """500, then a refusal in the body (errcode), then success: each attempt logged, paused by BACKOFF."""
    with Bot([(500, {"error": "boom"}), (200, {"errcode": 93000, "errmsg": "invalid webhook url"})]) as bot:
        hook = Webhook.objects.create(street=tree.street, url=bot.url)
        t0 = timezone.now()
        webhook_enqueue(street_ids=[tree.street.id], text="测试", now=t0)
        assert deliver_due(now=t0) == {"sent": 0, "retrying": 1, "failed": 0}
        d = WebhookDelivery.objects.get()
        assert d.last_status == 500 and d.next_attempt_at >= t0 + BACKOFF[0]
        assert deliver_due(now=t0 + dt.timedelta(seconds=5)) == {"sent": 0, "retrying": 0, "failed": 0}  # not due yet
        assert deliver_due(now=d.next_attempt_at) == {"sent": 0, "retrying": 1, "failed": 0}
        d.refresh_from_db()
        assert "93000" in d.last_error and d.attempts == 2
        assert deliver_due(now=d.next_attempt_at)["sent"] == 1
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SENT and d.attempts == 3 and [e["status"] for e in d.log] == [500, 200, 200]
    assert len(bot.received) == 3 and hook.deliveries.count() == 1


def test_dead_server_is_given_up_after_the_last_pause(tree):
    """A delivery to a dead server is retried through the back-off and then marked failed with its error."""
    with Bot([]) as bot:
        url = bot.url
    Webhook.objects.create(street=tree.street, url=url)  # the server is gone: connection refused
    t = timezone.now()
    webhook_enqueue(street_ids=[tree.street.id], text="测试", now=t)
    for _ in range(len(BACKOFF) + 1):
        deliver_due(now=t)
        d = WebhookDelivery.objects.get()
        t = d.next_attempt_at or t
    assert d.status == DeliveryStatus.FAILED and d.attempts == len(BACKOFF) + 1 and d.last_error


def test_a_claimed_delivery_is_not_sent_twice(tree):
    """A delivery claimed by another worker is not sent, and is taken over once that claim runs out."""
    with Bot([]) as bot:
        Webhook.objects.create(street=tree.street, url=bot.url)
        t = timezone.now()
        webhook_enqueue(street_ids=[tree.street.id], text="测试", now=t)
        WebhookDelivery.objects.update(claimed_until=t + dt.timedelta(seconds=30))  # another worker has it
        assert deliver_due(now=t) == {"sent": 0, "retrying": 0, "failed": 0}
        assert deliver_due(now=t + dt.timedelta(seconds=31))["sent"] == 1  # that worker died: taken over
    assert len(bot.received) == 1


def test_inactive_webhook_gets_nothing(tree, personas, sender):
    """A switched-off webhook gets no deliveries."""
    Webhook.objects.create(street=tree.street, url="http://127.0.0.1:9/x", active=False)
    ingest(sender, grade="高")
    assert WebhookDelivery.objects.count() == 0
