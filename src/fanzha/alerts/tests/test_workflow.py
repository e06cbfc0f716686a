"""The response: sign, contact attempts, steps, close with each outcome, reassign; and the pages around it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from fanzha.alerts import services
from fanzha.alerts.models import Alert, AlertAssignee, AlertEvent, Notification, Status
from fanzha.alerts.tests.conftest import ingest, later
from fanzha.cases.models import Case
from fanzha.core.models import AuditAction, AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(tree, personas, sender):
    return ingest(sender, grade="高")


def kinds(a) -> list[str]:
    return list(AlertEvent.objects.filter(alert=a).order_by("at", "id").values_list("kind", flat=True))


def test_sign_then_contact_then_dissuade(alert, personas):
    """The whole walk: sign, a call that reaches, on site, identity, warning, feedback, close as dissuaded."""
    u = personas.grid1
    a = services.alert_sign(user=u, alert=alert)
    assert (a.status, a.signed_by_id) == (Status.SIGNED, u.id) and a.watch == "contact"
    a = services.alert_contact_add(user=u, alert=a, channel="phone", result="no_answer")
    assert a.attempts == 1 and a.first_contact_at is None and a.first_attempt_at is not None
    a = services.alert_contact_add(user=u, alert=a, channel="phone", result="reached", note="已劝阻，未转账")
    assert a.first_contact_at is not None and a.watch == "onsite"
    a = services.alert_contact_add(user=u, alert=a, channel="onsite", result="reached")
    assert a.onsite_at is not None and a.watch == ""
    for step in ("identity", "warning", "feedback"):
        a = services.alert_step_record(user=u, alert=a, step=step)
    a = services.alert_step_record(user=u, alert=a, step="judged", judgement="in_progress")
    assert a.identity_at and a.warned_at and a.feedback_at and a.judgement == "in_progress"
    result = services.alert_close(user=u, alert=a, version=a.version, outcome="dissuaded", saved_amount="12,000元")
    a = result.alert
    assert (a.status, a.outcome, a.saved_amount, a.closed_by_id) == (Status.CLOSED, "dissuaded", Decimal("12000.00"), u.id)
    assert kinds(a) == ["routed", "signed", "attempt", "attempt", "attempt", "identity", "warning", "feedback", "judged", "closed"]


def test_steps_need_signing_first(alert, personas):
    """Contacts and closing are refused until someone has signed the alert."""
    with pytest.raises(ValidationError, match="签收"):
        services.alert_contact_add(user=personas.grid1, alert=alert, channel="phone", result="reached")
    with pytest.raises(ValidationError, match="签收"):
        services.alert_close(user=personas.grid1, alert=alert, version=alert.version, outcome="false_alarm")


def test_second_sign_is_told_who_has_it(alert, personas):
    """A second responder signing is told who holds the alert; the holder tapping again is harmless."""
    services.alert_sign(user=personas.grid1, alert=alert)
    with pytest.raises(services.AlertTaken, match="grid1"):
        services.alert_sign(user=personas.gridleader, alert=alert)
    # the winner tapping twice is fine
    assert services.alert_sign(user=personas.grid1, alert=alert).signed_by_id == personas.grid1.id


def test_dissuaded_needs_a_contact(alert, personas):
    """An alert cannot be closed as dissuaded without a contact that reached the person."""
    a = services.alert_sign(user=personas.grid1, alert=alert)
    with pytest.raises(ValidationError, match="联系上"):
        services.alert_close(user=personas.grid1, alert=a, version=a.version, outcome="dissuaded")


def test_unreachable_needs_tries_and_an_onsite_visit(alert, personas):
    """Closing as unreachable needs the phone tries and an on-site visit on record."""
    u = personas.grid1
    a = services.alert_sign(user=u, alert=alert)
    for _ in range(3):
        a = services.alert_contact_add(user=u, alert=a, channel="phone", result="no_answer")
    with pytest.raises(ValidationError, match="上门"):
        services.alert_close(user=u, alert=a, version=a.version, outcome="unreachable")
    a = services.alert_contact_add(user=u, alert=a, channel="onsite", result="not_found")
    a = services.alert_close(user=u, alert=a, version=a.version, outcome="unreachable").alert
    assert a.outcome == "unreachable" and a.first_contact_at is None


def test_contact_input_is_checked(alert, personas):
    """Unknown channels, results that do not fit the channel and an empty judgement are refused."""
    a = services.alert_sign(user=personas.grid1, alert=alert)
    for channel, result in (("fax", "reached"), ("phone", "maybe"), ("phone", "not_found"), ("onsite", "no_answer")):
        with pytest.raises(ValidationError):
            services.alert_contact_add(user=personas.grid1, alert=a, channel=channel, result=result)
    with pytest.raises(ValidationError):
        services.alert_step_record(user=personas.grid1, alert=a, step="judged", judgement="")


def test_defrauded_opens_a_prefilled_case(alert, personas, tree):
    """Already defrauded: a case for the resident with the loss, the type guessed from the alert, linked back."""
    u = personas.grid1
    a = services.alert_sign(user=u, alert=alert)
    with pytest.raises(ValidationError, match="损失"):
        services.alert_close(user=u, alert=a, version=a.version, outcome="defrauded")
    result = services.alert_close(user=u, alert=a, version=a.version, outcome="defrauded", loss="35000", note="已转账")
    case = result.case
    assert case is not None and Case.objects.count() == 1 and result.alert.case_id == case.id
    assert case.victim_id == tree.r1.id and case.loss == Decimal(35000) and case.community_id == tree.c1.id
    assert case.fraud_type == "impersonate_authority" and f"预警#{a.pk}" in case.narrative


def test_not_ours_goes_to_transfer_then_done(alert, personas):
    """Closing as not ours needs a reason, puts the alert in the transfer queue, and the office closes the transfer."""
    u = personas.grid1
    a = services.alert_sign(user=u, alert=alert)
    with pytest.raises(ValidationError, match="原因"):
        services.alert_close(user=u, alert=a, version=a.version, outcome="not_ours")
    a = services.alert_close(user=u, alert=a, version=a.version, outcome="not_ours", note="已搬到外省").alert
    assert a.status == Status.TRANSFER and a.transfer_reason == "已搬到外省"
    a = services.alert_transfer_done(user=personas.office, alert=a)
    assert (a.status, a.outcome) == (Status.CLOSED, "not_ours")


def test_close_refuses_a_stale_version(alert, personas):
    """A close based on an older version fails with who changed it; nothing is overwritten."""
    a = services.alert_sign(user=personas.grid1, alert=alert)
    seen = a.version
    services.alert_contact_add(user=personas.gridleader, alert=a, channel="phone", result="reached", note="网格长已联系")
    with pytest.raises(services.AlertEditConflict, match="gridleader"):
        services.alert_close(user=personas.grid1, alert=a, version=seen, outcome="false_alarm", note="误报")
    a.refresh_from_db()
    assert a.status == Status.SIGNED and a.close_note == ""
    services.alert_close(user=personas.grid1, alert=a, version=a.version, outcome="false_alarm")
    with pytest.raises(services.AlertEditConflict, match="误报"):
        services.alert_close(user=personas.gridleader, alert=a, version=a.version, outcome="dissuaded")


def test_reassign_moves_the_alert_and_is_logged(alert, personas, tree):
    """Reassigning moves the alert to the new grid, logs who and why, notifies the new holder, refuses an out-of-scope user."""
    a = services.alert_assign(user=personas.community, alert=alert, to_user=personas.grid2, note="就近处置")
    assert a.grid_id == tree.g2.id and a.community_id == tree.c1.id
    assert list(AlertAssignee.objects.filter(alert=a).values_list("user__username", flat=True)) == ["grid2"]
    ev = AlertEvent.objects.get(alert=a, kind="assigned")
    assert ev.user == personas.community and "grid2" in ev.note and "就近处置" in ev.note
    assert Notification.objects.filter(user=personas.grid2, kind="assigned").exists()
    with pytest.raises(ValidationError):
        services.alert_assign(user=personas.community, alert=a, to_user=personas.outsider)


def test_assigning_a_pending_alert_makes_it_new_in_that_grid(tree, personas, sender):
    """Assigning a pending (unmatched) alert makes it a new alert of that grid with its limits running."""
    p = ingest(sender, grade="中", phone="13312345678")
    assert p.status == Status.PENDING
    a = services.alert_assign(user=personas.office, alert=p, to_user=personas.grid1)
    assert (a.status, a.grid_id, a.max_escalation, a.watch) == (Status.NEW, tree.g1.id, 2, "contact")


# --- pages ---------------------------------------------------------------------------------------


def test_queue_shows_own_alerts_only(client, alert, personas, tree, sender):
    """A grid worker's queue lists only that grid's alerts and refreshes itself; the community sees all of its grids'."""
    other = ingest(sender, id="YJ-G2", grade="低", phone="13900139002")
    client.force_login(personas.grid1)
    html = client.get("/alerts/").content.decode()
    assert f'data-alert="{alert.pk}"' in html and f'data-alert="{other.pk}"' not in html
    assert 'hx-trigger="every 3s"' in html and "签收剩余" in html
    client.force_login(personas.community)
    frag = client.get("/alerts/queue/?tab=open").content.decode()
    assert f'data-alert="{alert.pk}"' in frag and f'data-alert="{other.pk}"' in frag


def test_detail_access(client, alert, personas):
    """Works for grid 1 and the leader; 404 for grid 2 (as for a missing id) and outsiders; 403 for roles
    without alerts (group head, liaison: the access table)."""
    for user, status in ((personas.grid1, 200), (personas.leader, 200), (personas.police, 200),
                         (personas.grid2, 404), (personas.outsider, 404), (personas.grouphead, 403)):
        client.force_login(user)
        assert client.get(f"/alerts/{alert.pk}/").status_code == status, user
    client.force_login(personas.grid1)
    assert client.get("/alerts/999999/").status_code == 404
    client.force_login(personas.liaison)
    assert client.get("/alerts/").status_code == 403


def test_leader_is_read_only(client, alert, personas):
    """A leader sees an alert marked read-only and signing it answers 403."""
    client.force_login(personas.leader)
    assert "只读" in client.get(f"/alerts/{alert.pk}/").content.decode()
    assert client.post(f"/alerts/{alert.pk}/sign/").status_code == 403


def test_actions_need_post(client, alert, personas):
    """Every alert action answers 405 to GET."""
    client.force_login(personas.grid1)
    for action in ("sign", "contact", "step", "close", "assign", "reveal"):
        assert client.get(f"/alerts/{alert.pk}/{action}/").status_code == 405


def test_other_grid_cannot_act(client, alert, personas):
    """Another grid's worker gets 404 signing the alert, and nothing changes."""
    client.force_login(personas.grid2)
    assert client.post(f"/alerts/{alert.pk}/sign/").status_code == 404
    assert Alert.objects.get(pk=alert.pk).signed_by_id is None


def test_work_through_the_pages_with_htmx(client, alert, personas):
    """Sign, record a contact and close as dissuaded through the pages' htmx fragments."""
    client.force_login(personas.grid1)
    hx = {"HTTP_HX_REQUEST": "true"}
    r = client.post(f"/alerts/{alert.pk}/sign/", **hx)
    assert r.status_code == 200 and "电话劝阻" in r.content.decode()
    r = client.post(f"/alerts/{alert.pk}/contact/", {"channel": "phone", "result": "reached", "note": "接通"}, **hx)
    assert "已联系上" in r.content.decode()
    version = Alert.objects.get(pk=alert.pk).version
    r = client.post(f"/alerts/{alert.pk}/close/", {"version": version, "outcome": "dissuaded", "note": "已劝阻"}, **hx)
    assert r.status_code == 200 and "劝阻成功" in r.content.decode()
    assert Alert.objects.get(pk=alert.pk).status == Status.CLOSED


def test_sign_race_loser_sees_the_winner_on_the_page(client, alert, personas):
    """The loser of a signing race is shown who won (fragment) or gets 409 (plain post)."""
    services.alert_sign(user=personas.gridleader, alert=alert)
    client.force_login(personas.grid1)
    r = client.post(f"/alerts/{alert.pk}/sign/", HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "gridleader已于" in r.content.decode()
    r = client.post(f"/alerts/{alert.pk}/sign/")
    assert r.status_code == 409


def test_close_conflict_keeps_the_typed_input(client, alert, personas):
    """The close form refused for a newer edit shows why and still holds the note and amount typed."""
    a = services.alert_sign(user=personas.grid1, alert=alert)
    seen = a.version
    services.alert_contact_add(user=personas.gridleader, alert=a, channel="phone", result="reached")
    client.force_login(personas.grid1)
    r = client.post(f"/alerts/{alert.pk}/close/", {"version": seen, "outcome": "dissuaded", "note": "我写的办结说明",
                                                   "saved_amount": "8800"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and "gridleader" in html and "我写的办结说明" in html and 'value="8800"' in html
    assert f'name="version" value="{Alert.objects.get(pk=alert.pk).version}"' in html
    assert Alert.objects.get(pk=alert.pk).status == Status.SIGNED
    r = client.post(f"/alerts/{alert.pk}/close/", {"version": seen, "outcome": "dissuaded", "note": "x"})
    assert r.status_code == 409


def test_reveal_is_audited(client, alert, personas):
    """The phone number is masked until revealed; revealing is audited and refused to a leader."""
    client.force_login(personas.grid1)
    page = client.get(f"/alerts/{alert.pk}/").content.decode()
    assert "138****8001" in page and "13800138001" not in page
    r = client.post(f"/alerts/{alert.pk}/reveal/")
    assert "tel:13800138001" in r.content.decode()
    assert AuditLog.objects.filter(action=AuditAction.REVEAL, target=f"alert:{alert.pk}", username="grid1").exists()
    client.force_login(personas.leader)
    assert client.post(f"/alerts/{alert.pk}/reveal/").status_code == 403


def test_timeline_fragment_and_notifications(client, alert, personas):
    """The timeline fragment shows the events; opening a notification marks it read and goes to its alert (404 for others)."""
    client.force_login(personas.grid1)
    assert "接收分派" in client.get(f"/alerts/{alert.pk}/timeline/").content.decode()
    n = Notification.objects.get(user=personas.grid1, alert=alert)
    assert "新预警" in client.get("/alerts/").content.decode()
    r = client.get(f"/alerts/notifications/{n.pk}/")
    assert r.status_code == 302 and r["Location"] == f"/alerts/{alert.pk}/"
    assert Notification.objects.get(pk=n.pk).read_at is not None
    client.force_login(personas.grid2)
    assert client.get(f"/alerts/notifications/{n.pk}/").status_code == 404


def test_nav_link_with_unread_badge(client, alert, personas):
    """The nav links to the queue; its unread count comes by htmx (no query added to every page)."""
    client.force_login(personas.grid1)
    html = client.get("/").content.decode()
    assert 'href="/alerts/"' in html and 'hx-get="/alerts/notifications/badge/"' in html
    assert 'id="alerts-unread"' in client.get("/alerts/notifications/badge/").content.decode()
    client.force_login(personas.grid2)
    assert client.get("/alerts/notifications/badge/").content == b""
    client.force_login(personas.liaison)
    assert 'href="/alerts/"' not in client.get("/").content.decode()
    assert client.get("/alerts/notifications/badge/").status_code == 403


def test_assign_page_and_settings_page(client, alert, personas, tree):
    """The community reassigns from the page; the office changes a time limit and the webhook; a grid worker may not."""
    client.force_login(personas.community)
    r = client.post(f"/alerts/{alert.pk}/assign/", {"to_user": personas.grid2.pk}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and Alert.objects.get(pk=alert.pk).grid_id == tree.g2.id
    client.force_login(personas.office)
    r = client.post("/alerts/settings/", {"grade": "low", "low-contact_minutes": "120"})
    assert r.status_code == 302
    from fanzha.alerts.models import TimeLimit

    assert TimeLimit.objects.get(street=tree.street, grade="low").contact_minutes == 120
    r = client.post("/alerts/settings/", {"what": "webhook", "hook-url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x"})
    assert r.status_code == 302
    assert "qyapi" in client.get("/alerts/settings/").content.decode()
    client.force_login(personas.grid1)
    assert client.get("/alerts/settings/").status_code == 403


def test_api_for_responders(client, alert, personas):
    """The API lists masked alerts, signs (409 naming the holder for the loser), records contacts and refuses a stale version."""
    client.force_login(personas.grid1)
    items = client.get("/api/v1/alerts").json()
    assert [i["id"] for i in items] == [alert.pk] and items[0]["phone"] == "138****8001"
    assert client.post(f"/api/v1/alerts/{alert.pk}/sign").status_code == 200
    client.force_login(personas.gridleader)
    r = client.post(f"/api/v1/alerts/{alert.pk}/sign")
    assert r.status_code == 409 and "grid1" in r.json()["detail"]
    client.force_login(personas.grid1)
    r = client.post(f"/api/v1/alerts/{alert.pk}/contacts", {"channel": "phone", "result": "reached"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["first_contact_at"]
    v = r.json()["version"]
    r = client.post(f"/api/v1/alerts/{alert.pk}/close", {"version": v - 1, "outcome": "dissuaded"}, content_type="application/json")
    assert r.status_code == 409
    r = client.post(f"/api/v1/alerts/{alert.pk}/close", {"version": v, "outcome": "dissuaded"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    client.force_login(personas.grid2)
    assert client.get(f"/api/v1/alerts/{alert.pk}").status_code == 404
    client.force_login(personas.leader)
    assert client.post(f"/api/v1/alerts/{alert.pk}/sign").status_code == 403


def test_later_helper():
    """The test helper `later` gives aware datetimes moving forward from its base."""
    assert later(minutes=1) > later()
    assert isinstance(later(base=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)), dt.datetime)


def test_queue_queries_do_not_grow_with_the_alerts(client, tree, personas, sender, django_assert_max_num_queries):
    """The queue page and its refresh over registered, unregistered (no grid or community) and out-of-area alerts:
    a fixed number of queries, whatever the number of alerts."""
    for i in range(4):
        ingest(sender, id=f"Q{i}", grade="高")
        ingest(sender, id=f"U{i}", grade="中", phone=f"1331234567{i}")
        ingest(sender, id=f"T{i}", grade="低", phone=f"1331234568{i}", area_code="NOWHERE")
    client.force_login(personas.office)
    client.get("/alerts/")  # warm the session and caches
    with django_assert_max_num_queries(16):
        r = client.get("/alerts/")
    assert r.status_code == 200
    for tab in ("open", "mine", "pending", "transfer"):
        with django_assert_max_num_queries(8):
            assert client.get(f"/alerts/queue/?tab={tab}").status_code == 200
