"""POST /api/v1/alerts: sender tokens, idempotent on the sender's id, conflicts kept, bad input 4xx never 500."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from fanzha.alerts import services
from fanzha.alerts.models import (
    Alert,
    AlertConflict,
    AlertEvent,
    ConflictStatus,
    Notification,
    Sender,
    Status,
)

pytestmark = pytest.mark.django_db
API = "/api/v1"


def test_push_routes_and_answers_where(tree, personas, push):
    """201 with the alert's id, where it went and to whom; numbers only masked in the answer."""
    r = push()
    assert r.status_code == 201, r.content
    body = r.json()
    a = Alert.objects.get()
    assert body["id"] == a.id and body["created"] is True and body["status"] == "new"
    assert body["routed_to"]["id"] == tree.g1.id and body["routed_to"]["name"] == "东关第一网格"
    assert set(body["assignees"]) == {"grid1", "gridleader", "police"}
    assert body["phone"] == "138****8001" and b"13800138001" not in r.content
    assert body["due"]["sign"] is not None


def test_same_id_same_content_is_one_alert(tree, personas, push):
    """A retry (same id, same content, even the phone typed differently) is the same alert: 200, nothing new."""
    first = push()
    again = push(phone="+86 138 0013 8001")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again.json()["created"] is False
    assert Alert.objects.count() == 1 and Notification.objects.filter(kind="new").count() == 3


def test_same_id_different_content_is_kept_as_conflict(tree, personas, push):
    """Different content under a known id: 409, kept as a conflict with masked differences, the alert untouched."""
    push()
    r = push(grade="低", phone="13900139002")
    assert r.status_code == 409
    body = r.json()
    assert "冲突" in body["detail"] and body["alert_id"] == Alert.objects.get().id
    c = AlertConflict.objects.get()
    assert {d["field"] for d in c.differences} == {"grade", "phone"}
    assert {"field": "phone", "label": "手机号", "old": "138****8001", "new": "139****9002"} in c.differences
    assert "13900139002" not in c.payload_enc and "13900139002" not in json.dumps(c.differences)
    a = Alert.objects.get()
    assert a.grade == "high" and a.phone == "13800138001"
    assert AlertEvent.objects.filter(alert=a, kind="conflict").count() == 1
    assert Notification.objects.filter(kind="conflict", user=personas.office).count() == 1
    # The same conflicting version again: the same conflict, still 409.
    assert push(grade="低", phone="13900139002").status_code == 409
    assert AlertConflict.objects.count() == 1


def test_conflict_review_keep_or_apply(tree, personas, push, sender):
    """Keeping leaves the alert as it was; applying corrects it (logged) and re-routes it while unsigned."""
    push()
    push(grade="中", phone="13900139002")
    c = AlertConflict.objects.get()
    services.alert_conflict_resolve(user=personas.office, conflict=c, apply=True)
    a = Alert.objects.get()
    assert (a.grade, a.phone, a.grid_id) == ("medium", "13900139002", tree.g2.id)
    assert AlertEvent.objects.filter(alert=a, kind="corrected").exists()
    c.refresh_from_db()
    assert c.status == ConflictStatus.APPLIED
    # the corrected content is now the alert's: sending it again is a retry
    assert push(grade="中", phone="13900139002").status_code == 200
    push(grade="低", phone="13900139002")
    c2 = AlertConflict.objects.get(status="open")
    services.alert_conflict_resolve(user=personas.office, conflict=c2, apply=False)
    a.refresh_from_db()
    assert a.grade == "medium"


def test_missing_token_is_401(tree, push):
    """A push without a token is 401 with a Bearer challenge and a message; nothing is stored."""
    r = push(token="")
    assert r.status_code == 401 and "令牌" in r.json()["detail"]
    assert r["WWW-Authenticate"].startswith("Bearer")
    assert Alert.objects.count() == 0


def test_wrong_token_is_401(tree, push):
    """An unknown token is 401 saying it is invalid."""
    r = push(token="fzs_nope")
    assert r.status_code == 401 and "无效" in r.json()["detail"]


def test_user_token_is_not_a_sender_token(tree, personas, push):
    """A user's API token cannot push alerts (401): only sender tokens can."""
    from fanzha.core.models import ApiToken

    _t, key = ApiToken.issue(user=personas.office)
    assert push(token=key).status_code == 401


def test_switched_off_sender_is_403(tree, push, sender):
    """A switched-off sender is refused with 403 saying so; nothing is stored."""
    services.sender_set_active(sender=sender, active=False)
    r = push()
    assert r.status_code == 403 and "停用" in r.json()["detail"] and Alert.objects.count() == 0


@pytest.mark.parametrize("fields, field, words", [
    ({"grade": "紧急"}, "grade", "无法识别"),
    ({"grade": ""}, "grade", "预警级别"),
    ({"phone": "1380013800"}, "phone", "位"),
    ({"phone": "abc"}, "phone", "数字"),
    ({"phone": "", "id_number": "110101195003071230"}, "id_number", "校验位"),
    ({"phone": "", "id_number": ""}, "phone", "至少"),
    ({"time": "2099-01-01 00:00:00"}, "occurred_at", "未来"),
    ({"time": "yesterday"}, "occurred_at", "无法识别"),
    ({"time": "1999-12-31 23:00:00"}, "occurred_at", "过早"),
    ({"id": ""}, "external_id", "编号"),
    ({"id": "x" * 65}, "external_id", "过长"),
    ({"name": "名" * 51}, "name", "过长"),
    ({"note": "长" * 2001}, "note", "过长"),
])
def test_bad_fields_are_400_with_a_message_and_nothing_stored(tree, personas, push, fields, field, words):
    """Each bad field is 400 with a message under that field; no alert, event or notification is stored."""
    r = push(**fields)
    assert r.status_code == 400, r.content
    body = r.json()
    assert field in body["errors"] and words in "".join(body["errors"][field])
    assert Alert.objects.count() == 0 and AlertEvent.objects.count() == 0 and Notification.objects.count() == 0


def test_small_clock_skew_is_accepted(tree, personas, push):
    """An alert time a few minutes ahead of the server's clock is accepted."""
    ahead = timezone.localtime() + dt.timedelta(minutes=3)
    assert push(time=ahead.strftime("%Y-%m-%d %H:%M:%S")).status_code == 201


@pytest.mark.parametrize("time", ["2025-03-01T14:22:00+08:00", "2025-03-01T06:22:00Z", "2025/3/1 14:22",
                                  "2025年3月1日 14时22分", 1740810120, "1740810120000"])
def test_time_formats(tree, personas, push, time):
    """Each accepted time format is read as the same local minute."""
    r = push(time=time)
    assert r.status_code == 201, r.content
    assert timezone.localtime(Alert.objects.get().occurred_at).strftime("%Y-%m-%d %H:%M") == "2025-03-01 14:22"


@pytest.mark.parametrize("grade, code", [("高", "high"), ("中", "medium"), ("低", "low"), ("HIGH", "high"), ("Medium", "medium"), ("low", "low")])
def test_grades(tree, personas, push, grade, code):
    """Each way of writing a grade is stored as its code."""
    assert push(grade=grade).status_code == 201 and Alert.objects.get().grade == code


@pytest.mark.parametrize("raw, status", [
    (b"not json", 400), (b"[1, 2]", 400), (b"null", 400), (b'{"id": "x"}', 422), (b'{"id": {"a": 1}, "time": 1, "grade": 1}', 422),
    ("{\"id\": \"\u00ff\"".encode(), 400),
])
def test_malformed_bodies_are_4xx(tree, push, raw, status):
    """Malformed bodies answer their 4xx with a message; nothing is stored."""
    r = push(raw=raw)
    assert r.status_code == status, r.content
    assert r.json()["detail"] and Alert.objects.count() == 0


def test_huge_body_is_413(tree, push):
    """A body over the size cap is 413 saying it is too large; nothing is stored."""
    r = push(note="x" * 70_000)
    assert r.status_code == 413 and "过大" in r.json()["detail"]
    r = push(note="x" * 2_000_000)
    assert r.status_code == 413
    assert Alert.objects.count() == 0


def test_numbers_sent_as_json_numbers(tree, personas, push):
    """A sender that sends the phone and id as JSON numbers is understood."""
    r = push(id=12345, phone=13800138001)
    assert r.status_code == 201 and Alert.objects.get().external_id == "12345"


def test_wrong_method_is_405(client, tree):
    """PUT on the intake endpoint is 405."""
    r = client.put(f"{API}/alerts", data="{}", content_type="application/json")
    assert r.status_code == 405


def test_same_id_from_two_senders_are_two_alerts(tree, personas, push, sender):
    """The same external id from two senders makes two alerts (ids are per sender)."""
    _other, token = services.sender_create(name="市反诈中心", node=tree.street)
    assert push().status_code == 201
    assert push(token=token).status_code == 201
    assert Alert.objects.count() == 2


def test_sender_command(tree):
    """`fanzha alerts sender create` prints a working token; disable/enable switch it."""
    out = io.StringIO()
    call_command("alerts", "sender", "create", "县中心", "--node", "S", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    s = Sender.objects.get(name="县中心")
    assert token.startswith("fzs_") and Sender.find(token) == s and s.token_hash != token
    call_command("alerts", "sender", "disable", "县中心", stdout=out)
    assert not Sender.objects.get(name="县中心").active
    call_command("alerts", "sender", "enable", "县中心", stdout=out)
    assert Sender.objects.get(name="县中心").active
    call_command("alerts", "sender", "list", stdout=out)
    assert "县中心" in out.getvalue() and token not in out.getvalue().split("\n", 2)[-1]


def test_openapi_lists_the_intake(client, tree, personas):
    """The OpenAPI schema lists both the alert push and the alert list."""
    client.force_login(personas.office)
    schema = client.get(f"{API}/openapi.json").json()
    assert "post" in schema["paths"]["/api/v1/alerts"] and "get" in schema["paths"]["/api/v1/alerts"]


def test_status_is_shown_for_pending(tree, personas, push):
    """An alert for a phone matching no resident is answered as pending, resident not found."""
    r = push(phone="13312345678")
    assert r.status_code == 201 and r.json()["status"] == Status.PENDING and r.json()["resident_found"] is False


def test_sender_checks_its_token(client, tree, sender):
    """GET /api/v1/alerts/sender names the token's sender and area; no token or a wrong one is 401."""
    r = client.get(f"{API}/alerts/sender", HTTP_AUTHORIZATION=f"Bearer {sender.token}")
    assert r.status_code == 200, r.content
    assert r.json() == {"name": "县反诈中心", "area": {"id": tree.street.id, "name": tree.street.name,
                                                  "code": tree.street.code}, "active": True}
    assert client.get(f"{API}/alerts/sender").status_code == 401
    assert client.get(f"{API}/alerts/sender", HTTP_AUTHORIZATION="Bearer fzs_nope").status_code == 401
