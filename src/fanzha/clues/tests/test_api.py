"""The clue workflow through the JSON API, with the same scoping and roles as the pages."""

from __future__ import annotations

import pytest

from fanzha.clues.models import Clue, Status
from fanzha.clues.tests.conftest import make_clue

pytestmark = pytest.mark.django_db


def _post(c, url, data):
    return c.post(url, data, content_type="application/json")


def test_whole_workflow_through_the_api(client, tree, personas, department, login):
    """Create, check, hand off, answer, close; the public lookup answers with the outcome."""
    g = login(personas.grid1)
    r = _post(g, "/api/v1/clues", {"summary": "群里发刷单广告", "node_id": tree.g1.pk, "source": "wechat", "phones": "13912345678"})
    assert r.status_code == 201, r.content
    clue_id, code = r.json()["id"], r.json()["receipt_code"]
    assert r.json()["subjects"] == [{"kind": "phone", "shown": "139****5678"}]
    o = login(personas.office)
    assert _post(o, f"/api/v1/clues/{clue_id}/check", {"verdict": "real"}).json()["status"] == "checked"
    r = _post(o, f"/api/v1/clues/{clue_id}/hand-off", {"to": f"unit:{department.unit.pk}", "days": 3})
    assert r.status_code == 200 and r.json()["status"] == "handed" and r.json()["handoffs"][0]["target"] == department.unit.name
    d = login(department.user)
    assert [x["id"] for x in d.get("/api/v1/clues?tab=handed").json()] == [clue_id]
    r = _post(d, f"/api/v1/clues/{clue_id}/answer", {"accepted": True, "action": "已约谈群主", "result": "广告已删除"})
    assert r.status_code == 200 and r.json()["status"] == "answered"
    o = login(personas.office)
    r = _post(o, f"/api/v1/clues/{clue_id}/close", {"outcome": "dissuaded"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    client.logout()
    r = _post(client, "/api/v1/public/clues/lookup", {"code": code})
    assert r.status_code == 200 and r.json()["status"] == "closed" and "劝阻" in r.json()["public_outcome"]
    assert set(r.json()) == {"receipt", "status", "status_label", "public_outcome", "received_on", "updated_on", "merged"}
    assert _post(client, "/api/v1/public/clues/lookup", {"code": "123456789012"}).status_code == 404


def test_api_errors(client, tree, personas, department, login):
    """Bad input is 400 with a message; a department acting on a clue not handed to it is 404; the leader 403."""
    clue = make_clue(tree.g1)
    o = login(personas.office)
    r = _post(o, f"/api/v1/clues/{clue.pk}/check", {"verdict": "duplicate", "duplicate_of": "1"})
    assert r.status_code == 400 and "duplicate_of" in r.json()["errors"]
    r = _post(o, f"/api/v1/clues/{clue.pk}/hand-off", {"to": "police"})
    assert r.status_code == 400  # not checked yet
    d = login(department.user)
    assert d.get(f"/api/v1/clues/{clue.pk}").status_code == 404
    assert _post(d, f"/api/v1/clues/{clue.pk}/answer", {"result": "x"}).status_code == 404
    leader = login(personas.leader)
    assert _post(leader, f"/api/v1/clues/{clue.pk}/check", {"verdict": "real"}).status_code == 403
    assert _post(leader, "/api/v1/clues", {"summary": "x", "node_id": tree.g1.pk}).status_code == 403
    assert Clue.objects.get(pk=clue.pk).status == Status.NEW


def test_figures_api(client, tree, personas, login):
    """The figures endpoint returns the page's report dict for the caller's node."""
    make_clue(tree.g1, source="wechat")
    r = login(personas.office).get("/api/v1/clues/figures?period=recent")
    assert r.status_code == 200 and r.json()["total"] == 1 and r.json()["node"]["id"] == tree.street.pk
    assert login(personas.office).get(f"/api/v1/clues/figures?node={tree.street2.pk}").status_code == 404
