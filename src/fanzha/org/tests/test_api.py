"""JSON API: the permission matrix over the personas, authentication, scoping.

Every endpoint that shows people's data: works in scope / other grid or other
street → 404 (like a missing id) / read-only leader writing → 403 / wrong
method → 405 / not logged in → 401.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from fanzha.core.models import ApiToken, AuditAction, AuditLog
from fanzha.org.models import Resident

API = "/api/v1"
PERSONAS = ["office", "leader", "police", "community", "gridleader", "grid1", "grid2", "grouphead", "liaison", "outsider"]


def as_user(client, user):
    client.force_login(user)
    return client


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def full_numbers(tree) -> list[str]:
    """Every full ID and phone number of the fixture tree: none may appear unrevealed."""
    people = [tree.r1, tree.r1b, tree.r2, tree.r3, tree.r9, tree.staff]
    return [p.id_number for p in people] + [p.phone for p in people]


# --- the matrix: who gets what ------------------------------------------------

# Expected status of each GET per persona; the tree is in conftest.py.
# grid1 and grouphead are inside grid 1 (r1, h1), grid2 in grid 2 (r2), the
# outsider is the office of another street, the liaison sees only its unit.
READ_MATRIX = {
    "resident r1": ("/residents/{r1}", {"office": 200, "leader": 200, "police": 200, "community": 200, "gridleader": 200,
                                         "grid1": 200, "grid2": 404, "grouphead": 200, "liaison": 404, "outsider": 404}),
    "resident r2": ("/residents/{r2}", {"office": 200, "leader": 200, "police": 200, "community": 200, "gridleader": 200,
                                         "grid1": 404, "grid2": 200, "grouphead": 404, "liaison": 404, "outsider": 404}),
    "resident r3": ("/residents/{r3}", {"office": 200, "leader": 200, "police": 200, "community": 404, "gridleader": 404,
                                         "grid1": 404, "grid2": 404, "grouphead": 404, "liaison": 404, "outsider": 404}),
    "resident r9": ("/residents/{r9}", {"office": 404, "leader": 404, "police": 404, "community": 404, "gridleader": 404,
                                         "grid1": 404, "grid2": 404, "grouphead": 404, "liaison": 404, "outsider": 200}),
    "household h1": ("/households/{h1}", {"office": 200, "leader": 200, "police": 200, "community": 200, "gridleader": 200,
                                           "grid1": 200, "grid2": 404, "grouphead": 200, "liaison": 404, "outsider": 404}),
    "household h2": ("/households/{h2}", {"office": 200, "leader": 200, "police": 200, "community": 200, "gridleader": 200,
                                           "grid1": 404, "grid2": 200, "grouphead": 404, "liaison": 404, "outsider": 404}),
    "node g1": ("/nodes/{g1}", {"office": 200, "leader": 200, "police": 200, "community": 200, "gridleader": 200,
                                 "grid1": 200, "grid2": 404, "grouphead": 404, "liaison": 404, "outsider": 404}),
    "children of g1": ("/nodes/{g1}/children", {"office": 200, "leader": 200, "police": 200, "community": 200, "gridleader": 200,
                                                 "grid1": 200, "grid2": 404, "grouphead": 404, "liaison": 404, "outsider": 404}),
    "unit": ("/units/{unit}", {"office": 200, "leader": 200, "police": 200, "community": 404, "gridleader": 404,
                                "grid1": 404, "grid2": 404, "grouphead": 404, "liaison": 200, "outsider": 404}),
    "unit staff": ("/units/{unit}/staff", {"office": 200, "leader": 200, "police": 200, "community": 404, "gridleader": 404,
                                            "grid1": 404, "grid2": 404, "grouphead": 404, "liaison": 200, "outsider": 404}),
}


def _url(template: str, tree) -> str:
    ids = {k: getattr(tree, k).id for k in ("r1", "r2", "r3", "r9", "h1", "h2", "g1", "unit")}
    return API + template.format(**ids)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("what", list(READ_MATRIX))
def test_read_matrix(client, tree, personas, persona, what):
    """Each persona reads exactly its part of the tree; the rest answers 404 like a missing id."""
    template, expected = READ_MATRIX[what]
    resp = as_user(client, getattr(personas, persona)).get(_url(template, tree))
    assert resp.status_code == expected[persona], resp.content
    assert resp["Content-Type"].startswith("application/json")
    if resp.status_code == 404:
        assert resp.json() == client.get(API + "/residents/987654321").json()  # same answer as a missing id
    body = resp.content.decode()
    for number in full_numbers(tree):
        assert number not in body, "full ID/phone numbers are never shown unrevealed"


RESIDENT_LISTS = {
    "office": {"r1", "r1b", "r2", "r3"}, "leader": {"r1", "r1b", "r2", "r3"}, "police": {"r1", "r1b", "r2", "r3"},
    "community": {"r1", "r1b", "r2"}, "gridleader": {"r1", "r1b", "r2"}, "grid1": {"r1", "r1b"}, "grid2": {"r2"},
    "grouphead": {"r1", "r1b"}, "liaison": set(), "outsider": {"r9"},
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_resident_list_is_scoped(client, tree, personas, persona):
    """The resident list holds exactly the persona's residents, with a matching total count."""
    names = {getattr(tree, k).id: k for k in ("r1", "r1b", "r2", "r3", "r9")}
    data = as_user(client, getattr(personas, persona)).get(API + "/residents").json()
    assert {names[item["id"]] for item in data["items"]} == RESIDENT_LISTS[persona]
    assert data["count"] == len(RESIDENT_LISTS[persona])


@pytest.mark.parametrize("persona,expected", [("office", {"西门小学"}), ("leader", {"西门小学"}), ("liaison", {"西门小学"}),
                                              ("grid1", set()), ("outsider", set())])
def test_unit_list_is_scoped(client, tree, personas, persona, expected):
    """Units are listed for the street's staff and the unit's liaison only."""
    data = as_user(client, getattr(personas, persona)).get(API + "/units").json()
    assert {u["name"] for u in data["items"]} == expected


@pytest.mark.parametrize("persona,expected", [("office", {"h1", "h2", "h3"}), ("grid1", {"h1"}), ("grid2", {"h2"}),
                                              ("outsider", {"h9"}), ("liaison", set())])
def test_household_list_is_scoped(client, tree, personas, persona, expected):
    """Households are listed inside the persona's part of the tree only."""
    names = {getattr(tree, k).id: k for k in ("h1", "h2", "h3", "h9")}
    data = as_user(client, getattr(personas, persona)).get(API + "/households").json()
    assert {names[h["id"]] for h in data["items"]} == expected


WRITES = {
    "create resident": ("post", "/residents", lambda t: {"household": t.h1.id, "name": "新居民"}, 201),
    "replace resident": ("put", "/residents/{r1}", lambda t: {"name": "王建国", "id_number": t.r1.id_number}, 200),
    "patch resident": ("patch", "/residents/{r1}", lambda t: {"occupation": "退休"}, 200),
    "create household": ("post", "/households", lambda t: {"node": t.g1a.id, "address": "东关路1号1栋102"}, 201),
    "patch household": ("patch", "/households/{h1}", lambda t: {"note": "已走访"}, 200),
}


@pytest.mark.parametrize("what", list(WRITES))
@pytest.mark.parametrize("persona,outcome", [("office", "ok"), ("grid1", "ok"), ("grouphead", "ok"), ("leader", 403),
                                             ("grid2", "other"), ("outsider", "other"), ("liaison", "other")])
def test_write_matrix(client, tree, personas, what, persona, outcome):
    """Writers change records in scope; the leader gets 403; outside the scope it is 404, in the URL or the body."""
    method, template, body, ok_status = WRITES[what]
    resp = getattr(as_user(client, getattr(personas, persona)), method)(
        _url(template, tree), body(tree), content_type="application/json")
    if outcome == "ok":
        assert resp.status_code == ok_status, resp.content
    elif outcome == 403:
        assert resp.status_code == 403
        assert resp.json()["detail"]
    else:
        # A record named in the URL or in the body answers 404, like a missing one.
        assert resp.status_code == 404, resp.content


def test_leader_write_is_refused_with_a_message(client, tree, personas):
    """The read-only leader gets 403 with a message and nothing changes."""
    before = Resident.objects.count()
    resp = as_user(client, personas.leader).post(API + "/residents", {"household": tree.h1.id, "name": "某人"},
                                                 content_type="application/json")
    assert resp.status_code == 403
    assert "只能查看" in resp.json()["detail"]
    assert Resident.objects.count() == before


WRONG_METHODS = [
    ("delete", "/residents/{r1}"), ("put", "/residents"), ("delete", "/residents"), ("get", "/residents/{r1}/reveal"),
    ("post", "/nodes"), ("post", "/nodes/{g1}"), ("delete", "/households/{h1}"), ("put", "/units/{unit}"),
    ("post", "/units/{unit}/staff"), ("post", "/me"),
]


@pytest.mark.parametrize("method,template", WRONG_METHODS)
def test_wrong_method_is_405(client, tree, personas, method, template):
    """A method an endpoint does not take answers 405 with the allowed ones, as JSON."""
    resp = getattr(as_user(client, personas.office), method)(_url(template, tree))
    assert resp.status_code == 405
    assert resp["Allow"]
    assert resp.json()["detail"]


UNAUTHENTICATED = [
    ("get", "/me"), ("get", "/nodes"), ("get", "/nodes/{g1}"), ("get", "/nodes/{g1}/children"), ("get", "/residents"),
    ("get", "/residents/{r1}"), ("post", "/residents"), ("put", "/residents/{r1}"), ("patch", "/residents/{r1}"),
    ("post", "/residents/{r1}/reveal"), ("get", "/households"), ("get", "/households/{h1}"), ("post", "/households"),
    ("get", "/units"), ("get", "/units/{unit}"), ("get", "/units/{unit}/staff"),
]


@pytest.mark.parametrize("method,template", UNAUTHENTICATED)
def test_unauthenticated_is_401(client, tree, method, template):
    """Without a session or token every endpoint answers 401 with a message."""
    resp = getattr(client, method)(_url(template, tree), {"name": "x"}, content_type="application/json") \
        if method != "get" else client.get(_url(template, tree))
    assert resp.status_code == 401
    assert "登录" in resp.json()["detail"]
    assert resp["WWW-Authenticate"].startswith("Bearer")


# --- bearer tokens --------------------------------------------------------------


def test_bearer_token_acts_as_its_user(client, tree, personas):
    """A bearer token gives its user's scope: grid1's token sees r1, not r2."""
    _token, key = ApiToken.issue(user=personas.grid1, name="sync")
    assert client.get(f"{API}/residents/{tree.r1.id}", **bearer(key)).status_code == 200
    assert client.get(f"{API}/residents/{tree.r2.id}", **bearer(key)).status_code == 404
    me = client.get(f"{API}/me", **bearer(key)).json()
    assert me["username"] == "grid1" and me["auth"] == "token"


def test_bearer_token_via_headers_argument(client, tree, personas):
    """The Authorization header works however the client sets it."""
    _token, key = ApiToken.issue(user=personas.grid2)
    resp = client.get(f"{API}/residents", headers={"Authorization": f"Bearer {key}"})
    assert [r["id"] for r in resp.json()["items"]] == [tree.r2.id]


@pytest.mark.parametrize("header", ["Bearer fz_not-a-real-token", "Bearer ", "bearer fz_" + "x" * 500, "Bearer revoked"])
def test_bad_or_revoked_token_is_401(client, tree, personas, header):
    """An unknown, empty, oversized or revoked token answers 401 with a message."""
    if header == "Bearer revoked":
        token, key = ApiToken.issue(user=personas.office)
        ApiToken.objects.filter(pk=token.pk).update(active=False)
        header = f"Bearer {key}"
    resp = client.get(f"{API}/residents", HTTP_AUTHORIZATION=header)
    assert resp.status_code == 401
    assert resp.json()["detail"]


def test_bad_token_is_refused_even_with_a_session(client, tree, personas):
    """A wrong token is an error even when a session cookie would have been accepted."""
    as_user(client, personas.office)
    assert client.get(f"{API}/residents", **bearer("fz_wrong")).status_code == 401
    assert client.get(f"{API}/residents").status_code == 200


def test_token_of_inactive_user_is_401(client, tree, personas):
    """Deactivating a user stops their tokens."""
    _token, key = ApiToken.issue(user=personas.grid1)
    personas.grid1.is_active = False
    personas.grid1.save()
    assert client.get(f"{API}/me", **bearer(key)).status_code == 401


def test_token_last_used_is_written_at_most_once_a_minute(client, tree, personas):
    """last_used_at is set on use and not rewritten within a minute."""
    token, key = ApiToken.issue(user=personas.grid1)
    client.get(f"{API}/me", **bearer(key))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get(f"{API}/me", **bearer(key))
    token.refresh_from_db()
    assert token.last_used_at == first
    old = timezone.now() - dt.timedelta(minutes=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    client.get(f"{API}/me", **bearer(key))
    token.refresh_from_db()
    assert token.last_used_at > old + dt.timedelta(minutes=4)


def test_bearer_writes_need_no_csrf(tree, personas):
    """A machine client with a token writes without a CSRF token (it sends no cookies)."""
    _token, key = ApiToken.issue(user=personas.grid1)
    strict = Client(enforce_csrf_checks=True)
    resp = strict.post(f"{API}/residents", {"household": tree.h1.id, "name": "机器登记"},
                       content_type="application/json", **bearer(key))
    assert resp.status_code == 201, resp.content


def test_session_writes_need_csrf(tree, personas):
    """A browser session's unsafe request without the CSRF token is refused; with it, accepted."""
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(personas.grid1)
    body = {"household": tree.h1.id, "name": "页面登记"}
    resp = strict.post(f"{API}/residents", body, content_type="application/json")
    assert resp.status_code == 403
    assert "CSRF" in resp.json()["detail"]
    secret = get_random_string(32)
    strict.cookies["csrftoken"] = secret
    resp = strict.post(f"{API}/residents", body, content_type="application/json", HTTP_X_CSRFTOKEN=secret)
    assert resp.status_code == 201, resp.content
    # Reads need no CSRF token.
    assert strict.get(f"{API}/residents").status_code == 200


# --- reveal -------------------------------------------------------------------


@pytest.mark.parametrize("persona,status", [("grid1", 200), ("office", 200), ("community", 200), ("police", 200),
                                            ("grouphead", 403), ("leader", 403), ("liaison", 403),
                                            ("grid2", 404), ("outsider", 404)])
def test_reveal_matrix(client, tree, personas, persona, status):
    """Revealing needs the permission and the scope; each reveal is audited, a refusal is not a reveal."""
    user = getattr(personas, persona)
    resp = as_user(client, user).post(f"{API}/residents/{tree.r1.id}/reveal")
    assert resp.status_code == status, resp.content
    logs = AuditLog.objects.filter(action=AuditAction.REVEAL, target=f"resident:{tree.r1.id}")
    if status == 200:
        data = resp.json()
        assert data["id_number"] == tree.r1.id_number and data["phone"] == "13800138001"
        assert "no-store" in resp["Cache-Control"]
        log = logs.get()
        assert log.user == user and log.ip == "127.0.0.1"
    else:
        assert not logs.exists()
        assert resp.json()["detail"]


# --- me and the tree --------------------------------------------------------------


def test_me_shows_roles_scope_and_permissions(client, tree, personas):
    """/me names the user's roles, top nodes and permissions."""
    me = as_user(client, personas.grid1).get(f"{API}/me").json()
    assert [r["role"] for r in me["roles"]] == ["grid_worker"]
    assert [n["id"] for n in me["nodes"]] == [tree.g1.id]
    assert set(me["permissions"]) == {"reveal_pii", "change_records"}
    leader = as_user(client, personas.leader).get(f"{API}/me").json()
    assert leader["permissions"] == ["export_data"]
    liaison = as_user(client, personas.liaison).get(f"{API}/me").json()
    assert liaison["units"] == [{"id": tree.unit.id, "name": "西门小学"}] and liaison["nodes"] == []


def test_nodes_walk_down_the_tree(client, tree, personas):
    """Top nodes, a node with its children and figures, and its children."""
    c = as_user(client, personas.office)
    assert [n["id"] for n in c.get(f"{API}/nodes").json()] == [tree.street.id]
    street = c.get(f"{API}/nodes/{tree.street.id}").json()
    assert [n["id"] for n in street["children"]] == [tree.c1.id, tree.c2.id]
    assert street["figures"]["residents"] == 4 and street["figures"]["units"] == 1
    children = c.get(f"{API}/nodes/{tree.c1.id}/children").json()
    assert [n["name"] for n in children] == ["东关第一网格", "东关第二网格"]
    gl = as_user(client, personas.gridleader).get(f"{API}/nodes").json()
    assert {n["id"] for n in gl} == {tree.g1.id, tree.g2.id}


def test_household_detail_lists_members_masked(client, tree, personas):
    """A household shows its residents with masked numbers."""
    data = as_user(client, personas.grid1).get(f"{API}/households/{tree.h1.id}").json()
    assert {r["name"] for r in data["residents"]} == {"王建国", "王小明"}
    assert {r["phone_masked"] for r in data["residents"]} == {"138****8001", "138****8011"}


def test_unit_detail_lists_staff_masked(client, tree, personas):
    """A unit shows its staff with masked numbers; the staff list is paginated."""
    c = as_user(client, personas.liaison)
    data = c.get(f"{API}/units/{tree.unit.id}").json()
    assert data["staff_count"] == 1 and data["staff"][0]["phone_masked"] == "136****6005"
    staff = c.get(f"{API}/units/{tree.unit.id}/staff?limit=1").json()
    assert staff["count"] == 1 and staff["items"][0]["name"] == "赵老师"


# --- query counts -----------------------------------------------------------------


def test_resident_list_query_count_is_bounded(client, tree, personas, django_assert_max_num_queries):
    """Listing many residents costs a fixed number of queries (no N+1)."""
    from fanzha.org import services

    for i in range(40):
        services.resident_create(household=tree.h2 if i % 2 else tree.h1, name=f"居民{i}", phone=f"1350000{i:04d}")
    c = as_user(client, personas.office)
    # session, user, the user's assignments (scope), count, one page: 5, with one to spare.
    with django_assert_max_num_queries(6):
        data = c.get(f"{API}/residents?limit=500").json()
    assert data["count"] == 44 and len(data["items"]) == 44
    _token, key = ApiToken.issue(user=personas.grid1)
    with django_assert_max_num_queries(7):
        data = client.get(f"{API}/residents?limit=500&node={tree.g1.id}", **bearer(key)).json()
    assert data["count"] == 22


def test_household_and_unit_lists_query_count_is_bounded(client, tree, personas, django_assert_max_num_queries):
    """Household and unit lists cost a fixed number of queries."""
    from fanzha.org import services

    for i in range(20):
        services.household_create(node=tree.g1a, address=f"东关路{i + 10}号")
        services.unit_create(node=tree.street, name=f"公司{i}", kind="company")
    c = as_user(client, personas.office)
    with django_assert_max_num_queries(6):
        assert c.get(f"{API}/households?limit=500").json()["count"] == 23
    with django_assert_max_num_queries(6):
        assert c.get(f"{API}/units?limit=500").json()["count"] == 21
