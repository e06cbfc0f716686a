"""Demo alerts: months of history with plausible figures, and the replay command."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from fanzha.demo.alerts import build_demo_alerts
from fanzha.alerts.figures import Window, alert_figures
from fanzha.alerts.models import Alert, AlertEvent, Status
from fanzha.alerts.sweep import run_sweep

pytestmark = pytest.mark.django_db


def test_history_gives_plausible_figures(tree, personas):
    """Demo alert history is built once and gives plausible figures that the sweep can work on."""
    n = build_demo_alerts(tree.street, months=3, per_day=4, seed=7)
    assert n > 200 and Alert.objects.count() == n
    assert Alert.objects.filter(status=Status.CLOSED).count() >= n - 6
    assert AlertEvent.objects.filter(kind="closed").count() == Alert.objects.filter(status=Status.CLOSED).count()
    t = alert_figures(personas.office, node=tree.street, window=Window.parse(""))["total"]
    assert 60 <= t["contacted_in_limit_pct"] <= 99 and t["outcomes"]["dissuaded"] > t["outcomes"]["false_alarm"] > 0
    assert t["escalated"] > 0 and t["saved_amount"] > 0 and t["sign_median_s"] < 1800
    assert build_demo_alerts(tree.street, months=3) == 0  # once only
    # the open ones are real work for the worker: the sweep handles them without error
    run_sweep()


def test_replay_command_pushes_alerts(tree, personas):
    """`alerts_replay` pushes the requested number of demo alerts."""
    out = io.StringIO()
    call_command("alerts_replay", "--street", "S", "--count", "3", "--rate", "600", "--seed", "1", stdout=out)
    assert Alert.objects.count() == 3 and "pushed 3 alerts" in out.getvalue()
    assert Alert.objects.filter(sender__name__contains="演示").count() == 3


def test_demo_loader_adds_the_awkward_cases_once(tree, personas):
    """The `fanzha demo` hook: history plus the awkward cases (pending, transfer, escalated), and a second run adds nothing."""
    from fanzha.demo.alerts import AWKWARD_PREFIX, build_awkward_alerts, load_demo

    load_demo(tree.street)
    awkward = Alert.objects.filter(external_id__startswith=AWKWARD_PREFIX)
    assert {Status.PENDING, Status.TRANSFER} <= set(awkward.values_list("status", flat=True))
    assert awkward.filter(escalation_level__gt=0).exists()
    assert build_awkward_alerts(tree.street) == 0
