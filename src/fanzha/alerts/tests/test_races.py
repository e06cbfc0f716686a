"""Races against the real database, with real threads each holding its own connection:
two people signing the same alert, two workers sweeping at once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from fanzha.alerts import services
from fanzha.alerts.models import Alert, AlertEvent, Notification
from fanzha.alerts.sweep import run_sweep
from fanzha.alerts.tests.conftest import ingest, later

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(*jobs):
    """Start every job at the same moment in its own thread; returns their results (or exceptions)."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait(timeout=10)
            results[i] = job()
        except Exception as e:  # noqa: BLE001 - the test inspects what each thread got
            results[i] = e
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_sign_ins_exactly_one_wins(file_db, tree, personas, sender):
    """Two people tap 签收 at the same moment, twelve times over: each time one wins, the other is told who."""
    assert connection.vendor != "sqlite" or not connection.is_in_memory_db()  # real connections, not a shared cache
    alerts = [ingest(sender, id=f"YJ-{i}", grade="高") for i in range(12)]
    for a in alerts:
        r1, r2 = run_together(lambda a=a: services.alert_sign(user=personas.grid1, alert=a),
                              lambda a=a: services.alert_sign(user=personas.gridleader, alert=a))
        wins = [r for r in (r1, r2) if isinstance(r, Alert)]
        losses = [r for r in (r1, r2) if isinstance(r, services.AlertTaken)]
        assert len(wins) == 1 and len(losses) == 1, (r1, r2)
        winner = wins[0].signed_by
        assert winner.username in losses[0].messages[0]
        assert Alert.objects.get(pk=a.pk).signed_by_id == winner.id
        assert AlertEvent.objects.filter(alert=a, kind="signed").count() == 1


def test_two_closes_one_wins_and_the_other_keeps_nothing_overwritten(file_db, tree, personas, sender):
    """Two closes at once on the same version: one wins, the other is refused and overwrites nothing."""
    a = ingest(sender, grade="中")
    a = services.alert_sign(user=personas.grid1, alert=a)
    a = services.alert_contact_add(user=personas.grid1, alert=a, channel="phone", result="reached")
    v = a.version
    r1, r2 = run_together(
        lambda: services.alert_close(user=personas.grid1, alert=a, version=v, outcome="dissuaded", note="网格员办结"),
        lambda: services.alert_close(user=personas.gridleader, alert=a, version=v, outcome="false_alarm", note="网格长办结"))
    ok = [r for r in (r1, r2) if isinstance(r, services.CloseResult)]
    refused = [r for r in (r1, r2) if isinstance(r, services.AlertEditConflict)]
    assert len(ok) == 1 and len(refused) == 1, (r1, r2)
    final = Alert.objects.get(pk=a.pk)
    assert final.close_note == ok[0].alert.close_note and AlertEvent.objects.filter(alert=a, kind="closed").count() == 1


def test_two_workers_escalate_each_alert_once(file_db, tree, personas, sender):
    """Two sweeps at the same moment over 40 overdue alerts: every alert escalated exactly once, one event each."""
    alerts = [ingest(sender, id=f"YJ-{i}", grade="高", phone=("13800138001", "13900139002")[i % 2]) for i in range(40)]
    now = later(minutes=6, base=max(a.received_at for a in alerts))
    r1, r2 = run_together(lambda: run_sweep(now=now), lambda: run_sweep(now=now))
    assert not isinstance(r1, Exception) and not isinstance(r2, Exception), (r1, r2)
    assert r1.escalated + r2.escalated == 40
    assert set(Alert.objects.values_list("escalation_level", flat=True)) == {1}
    assert AlertEvent.objects.filter(kind="escalated").count() == 40
    assert sorted(AlertEvent.objects.filter(kind="escalated").values_list("alert_id", flat=True)) == sorted(a.pk for a in alerts)
    # community staff of c1 hear about it once (a summary), not twice
    assert Notification.objects.filter(kind="escalated", user=personas.community).count() == 1


def test_concurrent_identical_pushes_make_one_alert(file_db, tree, personas, sender):
    """A sender retrying in parallel: one alert, every answer names it."""
    results = run_together(*[lambda: ingest(sender, grade="中") for _ in range(4)])
    assert all(isinstance(r, Alert) for r in results), results
    assert Alert.objects.count() == 1 and {r.pk for r in results} == {Alert.objects.get().pk}
