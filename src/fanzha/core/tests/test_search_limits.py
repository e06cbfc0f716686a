"""Exact number searches are limited per user, audited without the number, and nothing rebuilds a masked number."""

from __future__ import annotations

import re

import datetime as dt

import pytest
from django.urls import reverse

from fanzha.alerts.models import Notification
from fanzha.core.idnumbers import make_id_number
from fanzha.core.models import AuditAction, AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    settings.FANZHA_SEARCH_PER_MINUTE = 5
    settings.FANZHA_SEARCH_PER_DAY = 60
    settings.FANZHA_SEARCH_REVEAL_PER_MINUTE = 30
    settings.FANZHA_SEARCH_MISS_NOTICE = 5
    return settings


def test_guessing_a_phone_tail_stops_at_the_limit_with_audit_rows(tree, personas, login, limits):
    """The guessing attack (a leader walking through last-four candidates of r1's phone) gets 5 answers, then 429."""
    client = login(personas.leader)
    statuses = []
    for guess in range(20):
        tail = f"{8990 + guess:04d}"  # r1's phone 13800138001 ends in 8001: never reached
        r = client.get(reverse("resident_list"), {"q": f"尾号{tail}"})
        statuses.append(r.status_code)
    assert statuses[:5] == [200] * 5
    assert set(statuses[5:]) == {429}
    last = client.get(reverse("resident_list"), {"q": "尾号8001"})
    assert last.status_code == 429
    body = last.content.decode()
    assert "按号码查询过于频繁" in body
    assert 'value="尾号8001"' in body  # the typed query is kept in the box
    assert "王建国" not in body  # the hit is not given away over the limit
    searches = AuditLog.objects.filter(user=personas.leader, action=AuditAction.SEARCH)
    assert searches.count() == 5
    assert all("kind=phone_tail" in a.detail and "miss" in a.detail for a in searches)
    refused = AuditLog.objects.filter(user=personas.leader, action=AuditAction.REFUSED)
    assert refused.count() == 16
    for a in AuditLog.objects.filter(user=personas.leader):
        plain = re.sub(r"h=[0-9a-f]+", "", a.detail)  # the keyed-hash prefix is hex and may hold any digits
        assert "8001" not in plain and "899" not in plain  # never the number in plain
    # five misses: the office of the leader's street hears of it
    assert Notification.objects.filter(user=personas.office, kind="search").count() == 1
    assert not Notification.objects.filter(user=personas.outsider).exists()


def test_api_full_number_search_answers_429_over_the_limit(tree, personas, login, limits):
    """The API's exact phone search answers 429 JSON with a message past the per-minute limit; hits are audited."""
    client = login(personas.grouphead)
    codes = [client.get("/api/v1/residents", {"q": "13800138001"}).status_code for _ in range(7)]
    assert codes == [200] * 5 + [429] * 2
    r = client.get("/api/v1/residents", {"q": "13800138001"})
    assert r.status_code == 429 and "按号码查询过于频繁" in r.json()["detail"]
    hits = AuditLog.objects.filter(user=personas.grouphead, action=AuditAction.SEARCH)
    assert hits.count() == 5 and all(" hit" in a.detail and "kind=phone" in a.detail for a in hits)


def test_roles_with_reveal_have_a_larger_allowance(tree, personas, login, limits):
    """The office may make more exact searches a minute than roles without reveal; name searches are not counted."""
    client = login(personas.office)
    codes = [client.get("/api/v1/residents", {"q": "尾号8001"}).status_code for _ in range(12)]
    assert codes == [200] * 12
    for _ in range(10):
        assert client.get("/api/v1/residents", {"q": "王"}).status_code == 200
    assert AuditLog.objects.filter(user=personas.office, action=AuditAction.SEARCH).count() == 12


def test_id_registered_outside_scope_is_refused_without_saying_where(tree, personas, login, limits):
    """Registering r9's ID (another street) answers 不能在此登记，请联系反诈办, is audited, notifies the office and counts."""
    client = login(personas.grouphead)
    url = reverse("resident_create") + f"?household={tree.h1.pk}"
    r = client.post(url, {"name": "冒名", "id_number": tree.r9.id_number, "residency": "permanent"})
    body = r.content.decode()
    assert "不能在此登记，请联系反诈办" in body
    assert "已登记在其他居民名下" not in body
    assert 'value="冒名"' in body  # what was typed stays
    assert AuditLog.objects.filter(user=personas.grouphead, action=AuditAction.REFUSED,
                                   detail__contains="registered_elsewhere").count() == 1
    assert tree.r9.id_number not in "".join(AuditLog.objects.values_list("detail", flat=True))
    assert Notification.objects.filter(user=personas.office, kind="search").exists()
    # the same attempt through the API, until the shared limit refuses it
    codes = []
    for _ in range(6):
        r = client.post("/api/v1/residents", {"household": tree.h1.pk, "name": "冒名", "id_number": tree.r9.id_number},
                        content_type="application/json")
        codes.append(r.status_code)
    assert codes[:4] == [400] * 4 and codes[4:] == [429, 429]
    # an ID already registered inside the user's own scope still says so (they can see that resident)
    r = client.post(url, {"name": "重复", "id_number": tree.r1.id_number, "residency": "permanent"})
    assert "已登记在其他居民名下" in r.content.decode() or r.status_code == 429


def test_birth_date_hidden_from_roles_without_reveal(tree, personas, login):
    """A group head sees neither the birth date on the detail page nor birth date/gender fields in the edit form."""
    client = login(personas.grouphead)
    birth = tree.r1.birth_date.strftime("%Y-%m-%d")
    detail = client.get(reverse("resident_detail", args=[tree.r1.pk])).content.decode()
    assert birth not in detail
    form = client.get(reverse("resident_edit", args=[tree.r1.pk])).content.decode()
    assert birth not in form and 'name="birth_date"' not in form
    # saving the form keeps the birth date and gender derived from the ID
    r = client.post(reverse("resident_edit", args=[tree.r1.pk]),
                    {"name": "王建国", "residency": "permanent", "note": "改备注", "version": getattr(tree.r1, "version", 1)})
    assert r.status_code == 302
    tree.r1.refresh_from_db()
    assert tree.r1.birth_date == dt.date(1950, 3, 7) and tree.r1.note == "改备注"
    office = login(personas.office).get(reverse("resident_detail", args=[tree.r1.pk])).content.decode()
    assert birth in office
    assert make_id_number  # the tree's IDs are real checksum-valid numbers
