"""The escalation sweep with a controlled clock: one level per missed limit, notified, visible; met limits never escalate."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from fanzha.alerts import services
from fanzha.alerts.models import (
    Alert,
    AlertEvent,
    Notification,
    Status,
    Webhook,
    WebhookDelivery,
)
from fanzha.alerts.sweep import run_sweep
from fanzha.alerts.tests.conftest import ingest, later

pytestmark = pytest.mark.django_db


@pytest.fixture
def high(tree, personas, sender):
    return ingest(sender, grade="高")


def test_nothing_happens_before_the_limit(high):
    """The sweep leaves an alert alone before its time limit."""
    assert run_sweep(now=later(minutes=4, base=high.received_at)).escalated == 0
    high.refresh_from_db()
    assert high.escalation_level == 0


def test_unsigned_high_alert_climbs_to_the_community_then_the_street(high, tree, personas):
    """Not signed in 5 minutes: community (its staff told); not reached in 10: street (office and police told)."""
    Webhook.objects.create(street=tree.street, url="http://127.0.0.1:9/hook")
    r = run_sweep(now=later(minutes=5, seconds=1, base=high.received_at))
    assert r.escalated == 1 and r.by_node == {tree.c1.id: 1}
    a = Alert.objects.get(pk=high.pk)
    assert (a.escalation_level, a.escalated_to_id, a.escalated_for, a.watch) == (1, tree.c1.id, "sign", "contact")
    ev = AlertEvent.objects.get(alert=a, kind="escalated")
    assert (ev.node_id, ev.result, ev.user_id) == (tree.c1.id, "sign", None)
    n = Notification.objects.get(kind="escalated", user=personas.community)
    assert "超时未签收" in n.text and "东关社区" in n.text and n.alert_id == a.pk
    assert "超时未签收" in WebhookDelivery.objects.latest("id").payload["text"]["content"]
    # the same moment again: nothing more
    assert run_sweep(now=later(minutes=6, base=high.received_at)).escalated == 0
    r = run_sweep(now=later(minutes=10, seconds=1, base=high.received_at))
    a.refresh_from_db()
    assert r.escalated == 1 and (a.escalation_level, a.escalated_to_id, a.watch, a.watch_due_at) == (2, tree.street.id, "", None)
    assert set(Notification.objects.filter(kind="escalated", alert=a).values_list("user__username", flat=True)) == {
        "community", "office", "police"}
    # top of the tree: never further, however late
    assert run_sweep(now=later(minutes=120, base=high.received_at)).escalated == 0


def test_signed_in_time_escalates_only_for_a_missed_contact(high, tree, personas):
    """An alert signed in time escalates to the community only when its contact limit passes."""
    services.alert_sign(user=personas.grid1, alert=high, now=later(minutes=2, base=high.received_at))
    assert run_sweep(now=later(minutes=9, base=high.received_at)).escalated == 0
    r = run_sweep(now=later(minutes=10, seconds=5, base=high.received_at))
    a = Alert.objects.get(pk=high.pk)
    assert r.escalated == 1 and (a.escalation_level, a.escalated_for, a.escalated_to_id) == (1, "contact", tree.c1.id)


def test_every_limit_met_never_escalates(high, personas):
    """An alert that met every limit never escalates."""
    t0 = high.received_at
    a = services.alert_sign(user=personas.grid1, alert=high, now=later(minutes=1, base=t0))
    a = services.alert_contact_add(user=personas.grid1, alert=a, channel="phone", result="reached", now=later(minutes=3, base=t0))
    a = services.alert_contact_add(user=personas.grid1, alert=a, channel="onsite", result="reached", now=later(minutes=20, base=t0))
    assert a.watch == ""
    assert run_sweep(now=later(minutes=300, base=t0)).escalated == 0


def test_late_worker_catches_up_one_level_per_missed_limit(high, tree):
    """A sweep long after both limits passed climbs twice (sign, then contact), with one event each."""
    r = run_sweep(now=later(minutes=15, base=high.received_at))
    a = Alert.objects.get(pk=high.pk)
    assert r.escalated == 2 and a.escalation_level == 2 and a.escalated_to_id == tree.street.id
    assert list(AlertEvent.objects.filter(alert=a, kind="escalated").order_by("id").values_list("result", "node_id")) == [
        ("sign", tree.c1.id), ("contact", tree.street.id)]


def test_closed_and_transfer_alerts_do_not_escalate(high, personas, sender):
    """Closed alerts and alerts waiting for transfer do not escalate."""
    a = services.alert_sign(user=personas.grid1, alert=high)
    services.alert_close(user=personas.grid1, alert=a, version=a.version, outcome="false_alarm")
    t = ingest(sender, id="YJ-T", grade="高", phone="13500135009")
    assert t.status == Status.TRANSFER
    assert run_sweep(now=later(minutes=60)).escalated == 0


def test_community_queue_escalates_to_the_street(tree, personas, sender):
    """A pending alert left in the community's queue escalates to the street."""
    p = ingest(sender, grade="中", phone="13312345678", area_code="S-C1")
    r = run_sweep(now=later(minutes=61, base=p.received_at))
    p.refresh_from_db()
    assert r.escalated == 1 and (p.escalation_level, p.escalated_to_id) == (1, tree.street.id)


def test_medium_and_low_wait_for_their_contact_limit(tree, personas, sender):
    """Medium and low alerts escalate once, when their own contact limit passes."""
    m = ingest(sender, grade="中")
    low = ingest(sender, id="YJ-L", grade="低")
    assert run_sweep(now=later(minutes=59, base=m.received_at)).escalated == 0
    assert run_sweep(now=later(minutes=61, base=m.received_at)).escalated == 1
    # medium has one limit, so it climbs once; low climbs when its 24 hours are up
    r = run_sweep(now=later(minutes=24 * 60 + 1, base=low.received_at))
    assert r.escalated == 1 and Alert.objects.get(pk=low.pk).escalation_level == 1
    assert Alert.objects.get(pk=m.pk).escalation_level == 1


def test_many_alerts_to_one_node_get_one_summary(tree, personas, sender):
    """Many alerts escalating to one node send one summary notification, not one each."""
    for i in range(8):
        ingest(sender, id=f"YJ-{i}", grade="高")
    run_sweep(now=later(minutes=6))
    notes = Notification.objects.filter(kind="escalated", user=personas.community)
    assert notes.count() == 1 and "8条预警" in notes.get().text


def test_escalation_shows_in_the_queue_above(client, high, personas):
    """An escalated alert shows in the community's escalated tab and is marked on its page."""
    run_sweep(now=later(minutes=6, base=high.received_at))
    client.force_login(personas.community)
    html = client.get("/alerts/?tab=escalated").content.decode()
    assert f'data-alert="{high.pk}"' in html and "已升级至东关社区" in html
    client.force_login(personas.grid1)
    assert "已升级至东关社区" in client.get(f"/alerts/{high.pk}/").content.decode()


def test_worker_command_once(high):
    """`fanzha worker --once` runs one pass (here: nothing due yet)."""
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert "escalated 0" in out.getvalue()
