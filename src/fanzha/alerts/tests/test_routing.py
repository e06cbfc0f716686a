"""Routing (SPEC §3): phone or ID → resident → grid → the people on duty; unknown → a queue; outside → transfer."""

from __future__ import annotations

import pytest

from fanzha.alerts.models import (
    AlertAssignee,
    AssigneeReason,
    Notification,
    Status,
    Webhook,
    WebhookDelivery,
)
from fanzha.alerts.tests.conftest import ingest
from fanzha.org import services as org_services

pytestmark = pytest.mark.django_db


def people(alert) -> dict[str, str]:
    return {a.user.username: a.reason for a in AlertAssignee.objects.filter(alert=alert).select_related("user")}


def test_phone_routes_to_the_residents_grid_workers_and_leader(tree, personas, sender):
    """A medium alert for r1's phone goes to grid 1: its grid worker and grid leader, not the police."""
    a = ingest(sender, grade="中")
    assert (a.status, a.grid_id, a.community_id, a.street_id, a.resident_id) == (Status.NEW, tree.g1.id, tree.c1.id, tree.street.id, tree.r1.id)
    assert people(a) == {"grid1": AssigneeReason.GRID_WORKER, "gridleader": AssigneeReason.GRID_LEADER}
    assert a.max_escalation == 2 and "手机号" in a.route_note


def test_high_grade_also_goes_to_the_street_officers(tree, personas, sender):
    """High grade: grid people plus the police station's officers, and a message to the street's group chat."""
    Webhook.objects.create(street=tree.street, url="http://127.0.0.1:9/hook")
    a = ingest(sender, grade="高")
    assert people(a) == {"grid1": "grid_worker", "gridleader": "grid_leader", "police": "officer"}
    assert set(Notification.objects.filter(alert=a).values_list("user__username", flat=True)) == {"grid1", "gridleader", "police"}
    payload = WebhookDelivery.objects.get().payload
    assert payload["msgtype"] == "text" and "王某" in payload["text"]["content"]
    assert "13800138001" not in payload["text"]["content"]


def test_id_number_wins_over_phone(tree, personas, sender):
    """The ID number finds its resident even when the phone is someone else's."""
    a = ingest(sender, grade="低", phone="13900139002", id_number=tree.r1.id_number)
    assert a.resident_id == tree.r1.id and a.grid_id == tree.g1.id and "身份证" in a.route_note


def test_second_phone_and_any_format(tree, personas, sender):
    """A phone in another format ('+86 139-0013-9002') still finds r2 in grid 2."""
    a = ingest(sender, grade="低", phone="+86 139-0013-9002")
    assert a.grid_id == tree.g2.id
    assert people(a) == {"grid2": "grid_worker", "gridleader": "grid_leader"}


def test_grid_without_workers_goes_to_community_staff(tree, personas, sender, c2_staff):
    """r3's grid has nobody: the community staff get the alert."""
    a = ingest(sender, grade="中", phone="13700137003")
    assert a.grid_id == tree.g3.id and people(a) == {"c2staff": AssigneeReason.COMMUNITY}
    assert "已派社区" in a.route_note


def test_unknown_person_waits_in_the_street_queue(tree, personas, sender):
    """Nobody on the register: pending in the street queue, office notified; no grid."""
    a = ingest(sender, grade="中", phone="13312345678", name="未登记")
    assert (a.status, a.street_id, a.community_id, a.grid_id, a.resident_id) == (Status.PENDING, tree.street.id, None, None, None)
    assert people(a) == {} and a.max_escalation == 0
    assert Notification.objects.filter(alert=a, user=personas.office).exists()


def test_unknown_high_grade_person_also_goes_to_police(tree, personas, sender):
    """A high-grade alert for an unknown person waits for assignment and goes to the police meanwhile."""
    a = ingest(sender, grade="高", phone="13312345678")
    assert a.status == Status.PENDING and people(a) == {"police": "officer"}


def test_unknown_person_with_a_community_code_waits_in_that_community(tree, personas, sender):
    """The sender's area code names community 1: its queue, and its staff are told."""
    a = ingest(sender, grade="低", phone="13312345678", area_code="S-C1")
    assert (a.status, a.community_id, a.grid_id) == (Status.PENDING, tree.c1.id, None)
    assert a.max_escalation == 1
    assert Notification.objects.filter(alert=a, user=personas.community).exists()


def test_unknown_person_with_a_grid_code_goes_to_that_grid(tree, personas, sender):
    """An alert for an unknown person with a grid code goes to that grid's worker and leader."""
    a = ingest(sender, grade="低", phone="13312345678", area_code="S-C1-G2")
    assert (a.status, a.grid_id) == (Status.NEW, tree.g2.id)
    assert people(a) == {"grid2": "grid_worker", "gridleader": "grid_leader"}


def test_resident_of_another_street_is_marked_for_transfer(tree, personas, sender):
    """r9 lives in street T, outside the sender's area: transfer back, with the reason; nobody's queue escalates."""
    a = ingest(sender, grade="高", phone="13500135009")
    assert a.status == Status.TRANSFER and "东门街道" in a.transfer_reason
    assert a.street_id == tree.street.id and a.grid_id is None and a.watch == "" and a.sign_due_at is None
    assert people(a) == {}
    assert Notification.objects.filter(alert=a, user=personas.office, kind="transfer").exists()


def test_area_code_outside_the_area_is_marked_for_transfer(tree, personas, sender):
    """An area code outside the street, or unknown, marks the alert for transfer, naming the code."""
    a = ingest(sender, grade="中", phone="13312345678", area_code="T-C9")
    assert a.status == Status.TRANSFER and "T-C9" in a.transfer_reason
    b = ingest(sender, id="YJ-0002", grade="中", phone="13312345679", area_code="NOWHERE")
    assert b.status == Status.TRANSFER


def test_phone_shared_within_one_grid_routes_to_the_grid(tree, personas, sender):
    """Two residents of grid 1 share a phone: still grid 1, no single resident."""
    r = org_services.resident_create(household=tree.h1, name="王二", phone="13800138001")
    assert r.grid_id == tree.g1.id
    a = ingest(sender, grade="中")
    assert a.grid_id == tree.g1.id and a.resident_id is None and "2名居民" in a.route_note


def test_phone_shared_across_grids_needs_a_person(tree, personas, sender):
    """A phone shared by residents of two grids leaves the alert pending for a person to decide."""
    org_services.resident_create(household=tree.h2, name="李二", phone="13800138001")
    a = ingest(sender, grade="中")
    assert a.status == Status.PENDING and a.grid_id is None and "人工确认" in a.route_note


def test_county_sender_covers_every_street(tree, personas):
    """A county-wide sender routes r9 to its grid in street T (no transfer)."""
    from fanzha.alerts import services

    s, _t = services.sender_create(name="全县", node=tree.county)
    a = ingest(s, grade="低", phone="13500135009")
    assert a.status == Status.NEW and a.grid_id == tree.g9.id


def test_time_limits_follow_the_grade_and_the_office_setting(tree, personas, sender):
    """Default high: sign 5 / contact 10 / on site 30 minutes; the office's setting applies to new alerts."""
    from fanzha.alerts import services

    a = ingest(sender, grade="高")
    assert [(d - a.received_at).total_seconds() / 60 for d in (a.sign_due_at, a.contact_due_at, a.onsite_due_at)] == [5, 10, 30]
    assert (a.watch, a.watch_due_at) == ("sign", a.sign_due_at)
    m = ingest(sender, id="YJ-M", grade="中")
    assert m.sign_due_at is None and (m.contact_due_at - m.received_at).total_seconds() == 3600 and m.watch == "contact"
    low = ingest(sender, id="YJ-L", grade="低")
    assert (low.contact_due_at - low.received_at).total_seconds() == 24 * 3600
    services.time_limit_set(street=tree.street, grade="medium", sign_minutes=15, contact_minutes=30, onsite_minutes=None)
    m2 = ingest(sender, id="YJ-M2", grade="中")
    assert (m2.sign_due_at - m2.received_at).total_seconds() == 15 * 60 and m2.watch == "sign"


def test_time_limit_setting_is_checked(tree):
    """Time limits out of order, zero, all empty or set on a non-street node are refused."""
    from django.core.exceptions import ValidationError

    from fanzha.alerts import services

    with pytest.raises(ValidationError):
        services.time_limit_set(street=tree.street, grade="high", sign_minutes=20, contact_minutes=10, onsite_minutes=30)
    with pytest.raises(ValidationError):
        services.time_limit_set(street=tree.street, grade="high", sign_minutes=0, contact_minutes=10, onsite_minutes=30)
    with pytest.raises(ValidationError):
        services.time_limit_set(street=tree.street, grade="low", sign_minutes=None, contact_minutes=None, onsite_minutes=None)
    with pytest.raises(ValidationError):
        services.time_limit_set(street=tree.c1, grade="low", sign_minutes=None, contact_minutes=60, onsite_minutes=None)


def test_pii_is_stored_encrypted_with_hash_and_mask(tree, personas, sender):
    """An alert's phone and ID number are stored encrypted (never plain in the row) and shown masked."""
    from django.db import connection

    a = ingest(sender, grade="中", id_number=tree.r1.id_number)
    assert a.phone_masked == "138****8001" and a.phone == "13800138001" and a.id_number == tree.r1.id_number
    with connection.cursor() as cur:
        cur.execute("SELECT phone_enc, id_number_enc FROM alerts_alert WHERE id = %s", [a.pk])
        raw = " ".join(cur.fetchone())
    assert "13800138001" not in raw and tree.r1.id_number not in raw


# --- the office's routing rules per grade (issue 15 §3; defaults: the police station on every grade) -------


def test_default_every_grade_notifies_the_duty_officer(tree, personas, sender):
    """Medium and low are assigned to the grid but told to the police station's officers, who see them in their queue."""
    from fanzha.alerts.selectors import alert_queue

    for i, grade in enumerate(("中", "低")):
        a = ingest(sender, id=f"N{i}", grade=grade)
        assert "police" not in people(a)
        n = Notification.objects.get(alert=a, user=personas.police)
        assert n.text.startswith("知悉")
        assert a in list(alert_queue(personas.police, tab="open"))


def test_default_high_grade_officers_phone_first(tree, personas, sender):
    """High grade for a registered resident: the officers are assigned first and told to phone at once; grid people too."""
    a = ingest(sender, grade="高")
    order = list(AlertAssignee.objects.filter(alert=a).order_by("id").values_list("user__username", flat=True))
    assert order[0] == "police" and set(order) == {"police", "grid1", "gridleader"}
    assert Notification.objects.get(alert=a, user=personas.police).text.startswith("【请立即电话劝阻】")
    assert not Notification.objects.get(alert=a, user=personas.grid1).text.startswith("【")
    assert "民警先电话劝阻" in a.route_note
    from fanzha.alerts.selectors import alert_queue

    assert a in list(alert_queue(personas.police, tab="mine"))  # defect: the police's 我的 tab stayed empty


def test_office_changes_the_routing_of_a_grade(tree, personas, sender):
    """The office assigns medium to the officers too and tells the community; high to the officers only."""
    from django.core.exceptions import ValidationError

    from fanzha.alerts.rules import routing_rule_set

    routing_rule_set(street=tree.street, grade="medium", assign_grid=True, assign_officers=True, notify_officers=True,
                     notify_community=True, officers_phone_first=False)
    a = ingest(sender, id="M1", grade="中")
    assert people(a) == {"grid1": "grid_worker", "gridleader": "grid_leader", "police": "officer"}
    assert Notification.objects.filter(alert=a, user=personas.community, text__startswith="知悉").exists()
    routing_rule_set(street=tree.street, grade="high", assign_grid=False, assign_officers=True, notify_officers=True,
                     notify_community=False, officers_phone_first=True)
    h = ingest(sender, id="H1", grade="高")
    assert people(h) == {"police": "officer"} and h.grid_id == tree.g1.id
    routing_rule_set(street=tree.street, grade="low", assign_grid=True, assign_officers=False, notify_officers=False,
                     notify_community=False, officers_phone_first=False)
    low = ingest(sender, id="L1", grade="低")
    assert not Notification.objects.filter(alert=low, user=personas.police).exists()
    with pytest.raises(ValidationError):
        routing_rule_set(street=tree.street, grade="low", assign_grid=False, assign_officers=False, notify_officers=True,
                         notify_community=False, officers_phone_first=False)
    with pytest.raises(ValidationError):
        routing_rule_set(street=tree.c1, grade="low", assign_grid=True, assign_officers=False, notify_officers=True,
                         notify_community=False, officers_phone_first=False)


def test_rule_for_officers_only_falls_back_to_the_grid_without_officers(tree, personas, sender):
    """A street without officers: an officers-only rule still leaves the alert with the grid's people."""
    from fanzha.alerts.rules import routing_rule_set
    from fanzha.org.models import Assignment

    Assignment.objects.filter(user=personas.police).delete()
    routing_rule_set(street=tree.street, grade="high", assign_grid=False, assign_officers=True, notify_officers=True,
                     notify_community=False, officers_phone_first=True)
    a = ingest(sender, grade="高")
    assert people(a) == {"grid1": "grid_worker", "gridleader": "grid_leader"}


def test_settings_page_saves_a_routing_rule(client, tree, personas):
    """The office's settings page shows the rules per grade and saves a change; others get 403."""
    from fanzha.alerts.models import RoutingRule

    client.force_login(personas.office)
    html = client.get("/alerts/settings/").content.decode()
    assert "分派与通知规则" in html and 'name="route-high-assign_officers"' in html
    r = client.post("/alerts/settings/", {"what": "routing", "grade": "medium", "street": tree.street.pk,
                                          "route-medium-assign_grid": "on", "route-medium-notify_officers": "on",
                                          "route-medium-assign_officers": "on"})
    assert r.status_code == 302
    rule = RoutingRule.objects.get(street=tree.street, grade="medium")
    assert rule.assign_officers and not rule.notify_community
    r = client.post("/alerts/settings/", {"what": "routing", "grade": "low", "street": tree.street.pk})
    assert r.status_code == 200 and "至少要派给" in r.content.decode()
    client.force_login(personas.police)
    assert client.get("/alerts/settings/").status_code == 403
