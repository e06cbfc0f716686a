"""The intake's hot path (issue 18): the 201 answer made from the stored values, the single-row insert
that returns the new key or skips a taken intake key, and exactly-once effects under concurrent pushes."""

from __future__ import annotations


import pytest
from django.db import connection, transaction

from fanzha.alerts.api import RoutedOut
from fanzha.alerts.models import Alert, AlertAssignee, AlertEvent, EventKind, Notification
from fanzha.alerts.services import intake
from fanzha.alerts.tests.conftest import alert_data, ingest
from fanzha.alerts.tests.test_races import run_together
from fanzha.core.bulk import insert_one

pytestmark = pytest.mark.django_db


def test_created_answer_matches_the_stored_alert(tree, personas, push):
    """The 201 answer (built from the values just inserted) fits RoutedOut and says what a retry's
    answer (built from the stored row) says, field for field, except `created`."""
    first = push(grade="中", note="x")
    again = push(grade="中", note="x")
    assert first.status_code == 201 and again.status_code == 200
    a, b = first.json(), again.json()
    RoutedOut.model_validate(a)
    assert set(a) == set(RoutedOut.model_fields)
    assert a.pop("created") is True and b.pop("created") is False
    assert a == b
    assert first["Content-Type"] == again["Content-Type"] and first["Cache-Control"] == "private, no-store"


def test_created_answer_of_a_transfer_and_a_pending_alert(tree, personas, push):
    """The answer's status label, transfer reason and node are right for alerts that are not routed to a grid."""
    r = push(id="T-1", phone="13912345678", area_code="NOT-A-CODE")
    body = r.json()
    assert r.status_code == 201 and body["status"] == "transfer" and body["transfer_reason"]
    assert body["status_label"] == str(Alert.objects.get(pk=body["id"]).get_status_display())
    r = push(id="P-1", phone="13912345679")
    body = r.json()
    assert r.status_code == 201 and body["status"] == "pending" and body["routed_to"]["id"] == tree.street.id
    assert body["resident_found"] is False


def test_insert_one_returns_the_key_and_fills_defaults(tree, personas, sender):
    """insert_one gives back the new row's key; columns not given get their defaults (plain and callable)."""
    alert = ingest(sender, grade="低")
    pk = insert_one(Notification, {"user_id": personas.grid1.pk, "created_at": alert.received_at, "kind": "new",
                                   "text": "t", "alert_id": alert.pk, "url": "/x/"})
    n = Notification.objects.get(pk=pk)
    assert n.text == "t" and n.read_at is None and n.alert_id == alert.pk


def test_insert_one_skips_a_taken_intake_key_inside_a_transaction(tree, personas, sender):
    """With on_conflict_skip, a taken key inserts nothing and answers None, and the transaction goes on
    (no IntegrityError): the intake's retry path writes nothing else."""
    alert = ingest(sender, grade="低")
    values = {f.attname: getattr(alert, f.attname) for f in Alert._meta.concrete_fields if not f.primary_key}
    with transaction.atomic():
        assert insert_one(Alert, values, on_conflict_skip="intake_key") is None
        assert Alert.objects.count() == 1
    values["intake_key"] = "other"
    pk = insert_one(Alert, values, on_conflict_skip="intake_key")
    assert pk and pk != alert.pk and Alert.objects.count() == 2


def test_ingest_result_builds_the_alert_on_demand(tree, personas, sender):
    """The intake's result of a new alert is the stored row: the Alert built from its values equals a fresh read."""
    data = alert_data(id="R-9")
    result = intake.alert_ingest(sender=sender, data={"external_id": data.pop("id"), "occurred_at": data.pop("time"), **data})
    fresh = Alert.objects.get(pk=result.pk)
    for f in Alert._meta.concrete_fields:
        assert getattr(result.alert, f.attname) == getattr(fresh, f.attname), f.name


@pytest.mark.django_db(transaction=True)
def test_concurrent_pushes_notify_each_person_exactly_once(file_db, tree, personas, sender):
    """Real threads pushing distinct and identical alerts at once: one alert per id, one routing event per
    alert, one assignee row and one notification per person and alert, nothing left out."""
    jobs = []
    for i in range(4):
        jobs += [lambda i=i: ingest(sender, id=f"C-{i}", grade="高")] * 2  # each id pushed twice at once
    results = run_together(*jobs)
    assert all(isinstance(r, Alert) for r in results), results
    alerts = list(Alert.objects.order_by("external_id"))
    assert [a.external_id for a in alerts] == ["C-0", "C-1", "C-2", "C-3"]
    assert {r.pk for r in results} == {a.pk for a in alerts}
    for a in alerts:
        assert AlertEvent.objects.filter(alert=a, kind=EventKind.ROUTED).count() == 1
        people = list(AlertAssignee.objects.filter(alert=a).values_list("user_id", flat=True))
        assert len(people) == len(set(people)) == 3
        told = list(Notification.objects.filter(alert=a, kind="new").values_list("user_id", flat=True))
        assert len(told) == len(set(told)) and set(people) <= set(told)
    per_alert = {a.pk: Notification.objects.filter(alert=a).count() for a in alerts}
    assert len(set(per_alert.values())) == 1, per_alert
