"""JSON API: search, writes through the services, bad input (always 4xx, never
500), the OpenAPI schema and the `fanzha token` command."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fanzha.core.idnumbers import make_id_number
from fanzha.core.models import ApiToken, AuditAction, AuditLog
from fanzha.org.models import Household, Resident

API = "/api/v1"


def as_user(client, user):
    client.force_login(user)
    return client


def ids(resp) -> list[int]:
    assert resp.status_code == 200, resp.content
    return [r["id"] for r in resp.json()["items"]]


# --- search ---------------------------------------------------------------------


@pytest.mark.parametrize("q", ["13800138001", "+86 138-0013-8001", "138 0013 8001", "0086 13800138001",
                               "１３８００１３８００１", "(138)0013-8001"])
def test_search_by_phone_is_exact_in_any_format(client, tree, personas, q):
    """A phone number typed with +86, spaces, dashes or full-width digits finds r1, and only r1."""
    assert ids(as_user(client, personas.grid1).get(f"{API}/residents", {"q": q})) == [tree.r1.id]


def test_search_by_phone_is_exact_not_partial(client, tree, personas):
    """Part of a phone number finds nobody (exact look-up through the keyed hash)."""
    assert ids(as_user(client, personas.office).get(f"{API}/residents", {"q": "1380013800"})) == []


def test_search_by_id_number_is_exact(client, tree, personas):
    """An ID number (any case, with spaces) finds its resident."""
    idn = tree.r1.id_number
    c = as_user(client, personas.office)
    assert ids(c.get(f"{API}/residents", {"q": idn})) == [tree.r1.id]
    assert ids(c.get(f"{API}/residents", {"q": f"{idn[:6]} {idn[6:14]} {idn[14:].lower()}"})) == [tree.r1.id]
    assert ids(c.get(f"{API}/residents", {"q": tree.r3.id_number})) == [tree.r3.id]


def test_search_by_name_is_partial(client, tree, personas):
    """Part of a name finds every resident whose name holds it."""
    c = as_user(client, personas.office)
    assert ids(c.get(f"{API}/residents", {"q": "建国"})) == [tree.r1.id]
    assert set(ids(c.get(f"{API}/residents", {"q": "王"}))) == {tree.r1.id, tree.r1b.id}


def test_search_stays_in_scope(client, tree, personas):
    """A grid worker's search never finds residents of another grid, by any key."""
    c = as_user(client, personas.grid2)
    assert ids(c.get(f"{API}/residents", {"q": "13800138001"})) == []
    assert ids(c.get(f"{API}/residents", {"q": tree.r1.id_number})) == []
    assert ids(c.get(f"{API}/residents", {"q": "王建国"})) == []
    assert ids(c.get(f"{API}/residents", {"q": "13900139002"})) == [tree.r2.id]


def test_filters_node_residency_tag(client, tree, personas):
    """The list filters by node, residency and tag, and pages with limit/offset."""
    c = as_user(client, personas.office)
    assert set(ids(c.get(f"{API}/residents", {"node": tree.g1.id}))) == {tree.r1.id, tree.r1b.id}
    assert ids(c.get(f"{API}/residents", {"residency": "floating"})) == [tree.r3.id]
    assert ids(c.get(f"{API}/residents", {"tag": "elderly"})) == [tree.r1.id]
    assert ids(c.get(f"{API}/residents", {"tag": "student"})) == [tree.r1b.id]
    assert set(ids(c.get(f"{API}/residents", {"tag": "floating"}))) == {tree.r1b.id, tree.r3.id}
    page = c.get(f"{API}/residents", {"limit": 2, "offset": 3}).json()
    assert page["count"] == 4 and len(page["items"]) == 1
    assert c.get(f"{API}/residents", {"offset": 100}).json()["items"] == []
    # Empty text parameters mean "no filter"; an empty id is not an id (the schema says integer).
    assert len(ids(c.get(f"{API}/residents?q=&residency=&tag="))) == 4
    assert c.get(f"{API}/residents?node=").status_code == 422


def test_node_filter_outside_scope_is_404(client, tree, personas):
    """Filtering by a node outside the scope answers 404 like a missing node."""
    c = as_user(client, personas.grid1)
    assert c.get(f"{API}/residents", {"node": tree.g2.id}).status_code == 404
    assert c.get(f"{API}/households", {"node": tree.g9.id}).status_code == 404
    assert c.get(f"{API}/units", {"node": 999999}).status_code == 404


# --- writes -------------------------------------------------------------------------


def test_create_resident_normalises_and_masks(client, tree, personas):
    """A resident created through the API is parsed by the service and shown masked."""
    idn = make_id_number("110101", dt.date(1960, 4, 1), 777)
    resp = as_user(client, personas.grid1).post(
        f"{API}/residents", {"household": tree.h1.id, "name": " 陈阿姨 ", "id_number": idn.lower(),
                             "phone": "+86 135-1234-5678", "lives_alone": True}, content_type="application/json")
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert data["name"] == "陈阿姨" and data["phone_masked"] == "135****5678"
    assert data["gender"] == "M" and "elderly_alone" in data["tags"]
    r = Resident.objects.get(pk=data["id"])
    assert r.id_number == idn and r.phone == "13512345678" and r.grid_id == tree.g1.id
    assert idn not in resp.content.decode()


def test_patch_changes_only_given_fields(client, tree, personas):
    """PATCH keeps the ID and phone numbers it was not given."""
    resp = as_user(client, personas.grid1).patch(f"{API}/residents/{tree.r1.id}",
                                                 {"occupation": "退休", "phone2": "010-6512 3456"},
                                                 content_type="application/json")
    assert resp.status_code == 200, resp.content
    r = Resident.objects.get(pk=tree.r1.id)
    assert (r.occupation, r.id_number, r.phone, r.phone2) == ("退休", tree.r1.id_number, "13800138001", "01065123456")
    assert r.lives_alone is True


def test_put_replaces_the_record(client, tree, personas):
    """PUT is a full replacement: fields left out are cleared."""
    resp = as_user(client, personas.office).put(f"{API}/residents/{tree.r2.id}", {"name": "李秀英"},
                                                content_type="application/json")
    assert resp.status_code == 200, resp.content
    r = Resident.objects.get(pk=tree.r2.id)
    assert r.phone == "" and r.id_number == "" and resp.json()["phone_masked"] == ""


def test_move_resident_to_a_household_in_scope_only(client, tree, personas):
    """A resident moves to another household in scope; one outside answers 404 like a missing one."""
    c = as_user(client, personas.community)
    assert c.patch(f"{API}/residents/{tree.r1b.id}", {"household": tree.h2.id},
                   content_type="application/json").status_code == 200
    assert Resident.objects.get(pk=tree.r1b.id).grid_id == tree.g2.id
    resp = c.patch(f"{API}/residents/{tree.r1b.id}", {"household": tree.h3.id}, content_type="application/json")
    assert resp.status_code == 404


def test_create_household_and_move_it(client, tree, personas):
    """A household is created on a grid or group in scope; moving it moves its residents."""
    c = as_user(client, personas.community)
    resp = c.post(f"{API}/households", {"node": tree.g1.id, "address": "东关路5号", "head_name": "周强"},
                  content_type="application/json")
    assert resp.status_code == 201, resp.content
    hid = resp.json()["id"]
    assert Household.objects.get(pk=hid).grid_id == tree.g1.id
    assert c.patch(f"{API}/households/{tree.h1.id}", {"node": tree.g2a.id}, content_type="application/json").status_code == 200
    assert set(Resident.objects.filter(household=tree.h1).values_list("grid_id", flat=True)) == {tree.g2.id}


# --- bad input: always 4xx with a message, never 500 ------------------------------------

BAD_GETS = [
    ("/residents?limit=abc", 422), ("/residents?limit=0", 422), ("/residents?limit=501", 422),
    ("/residents?limit=1.5", 422), ("/residents?offset=-1", 422), ("/residents?offset=x", 422),
    ("/residents?node=999999", 404), ("/residents?node=abc", 422), ("/residents?node=0", 422),
    ("/residents?node=99999999999999999999999999", 422), ("/residents?residency=bogus", 422),
    ("/residents?tag=bogus", 422), ("/residents?q=%00", 422), ("/residents?q=" + "x" * 1000, 422),
    ("/residents/notanumber", 422), ("/residents/0", 422), ("/residents/-5", 422),
    ("/residents/99999999999999999999", 422), ("/residents/9223372036854775807", 404), ("/residents/999999", 404),
    ("/residents/1.5", 422), ("/nodes/abc", 422), ("/nodes/999999", 404), ("/households/abc", 422),
    ("/households?node=%20", 422), ("/units?kind=bogus", 422), ("/units/999999/staff", 404),
    ("/units/{unit}/staff?limit=100000", 422), ("/nowhere", 404), ("/residents/1/nowhere", 404),
]


@pytest.mark.parametrize("path,status", BAD_GETS)
def test_bad_query_input_is_4xx(client, tree, personas, path, status):
    """Malformed, out-of-range or unknown parameters answer 4xx with a message."""
    resp = as_user(client, personas.office).get(API + path.format(unit=tree.unit.id))
    assert resp.status_code == status, resp.content
    assert resp["Content-Type"].startswith("application/json")
    if status >= 400:
        assert resp.json()["detail"]


def _resident(tree, **extra):
    return {"household": tree.h1.id, "name": "测试", **extra}


BAD_BODIES = {
    "malformed JSON": (lambda t: "{", 400, None),
    "not JSON at all": (lambda t: "name=x&household=1", 400, None),
    "a list": (lambda t: "[]", 400, None),
    "a string": (lambda t: '"hello"', 400, None),
    "null": (lambda t: "null", 400, None),
    "not UTF-8": (lambda t: b"\xff\xfe{", 400, None),
    "empty body": (lambda t: "", 422, "body"),
    "household missing": (lambda t: {"name": "x"}, 422, "household"),
    "household a string": (lambda t: {"household": "abc", "name": "x"}, 422, "household"),
    "household a float": (lambda t: {"household": 1.5, "name": "x"}, 422, "household"),
    "household huge": (lambda t: {"household": 10**30, "name": "x"}, 422, "household"),
    "household elsewhere": (lambda t: {"household": t.h9.id, "name": "x"}, 404, None),
    "household missing id": (lambda t: {"household": 999999, "name": "x"}, 404, None),
    "name empty": (lambda t: _resident(t, name="  "), 400, "name"),
    "name a list": (lambda t: _resident(t, name=["a"]), 422, "name"),
    "name too long for the model": (lambda t: _resident(t, name="名" * 60), 400, "name"),
    "name far too long": (lambda t: _resident(t, name="x" * 100_000), 422, "name"),
    "name with NUL": (lambda t: _resident(t, name="a\x00b"), 422, "name"),
    "bad ID checksum": (lambda t: _resident(t, id_number=make_id_number("110101", dt.date(1970, 1, 1), 5)[:-1] + "0"
                                            if make_id_number("110101", dt.date(1970, 1, 1), 5)[-1] != "0"
                                            else make_id_number("110101", dt.date(1970, 1, 1), 5)[:-1] + "1"), 400, "id_number"),
    "ID too short": (lambda t: _resident(t, id_number="11010119700101"), 400, "id_number"),
    "duplicate ID": (lambda t: _resident(t, id_number=t.r2.id_number), 400, "id_number"),
    "bad phone": (lambda t: _resident(t, phone="12345"), 400, "phone"),
    "letters in phone": (lambda t: _resident(t, phone="138abc"), 400, "phone"),
    "phone a dict": (lambda t: _resident(t, phone={"a": 1}), 422, "phone"),
    "bad date": (lambda t: _resident(t, birth_date="1990-13-45"), 422, "birth_date"),
    "future birth date": (lambda t: _resident(t, birth_date="2999-01-01"), 400, "birth_date"),
    "bad residency": (lambda t: _resident(t, residency="mars"), 422, "residency"),
    "bad gender": (lambda t: _resident(t, gender="X"), 422, "gender"),
    "bool as text": (lambda t: _resident(t, is_student="maybe"), 422, "is_student"),
}


@pytest.mark.parametrize("what", list(BAD_BODIES))
def test_bad_resident_body_is_4xx(client, tree, personas, what):
    """Every kind of bad body answers 4xx with a message (and the field when there is one); nothing is saved."""
    make, status, field = BAD_BODIES[what]
    body = make(tree)
    before = Resident.objects.count()
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    resp = as_user(client, personas.office).post(f"{API}/residents", data, content_type="application/json")
    assert resp.status_code == status, resp.content
    out = resp.json()
    assert out["detail"]
    if field:
        assert field in out["errors"], out
    assert Resident.objects.count() == before


def test_body_errors_say_what_is_wrong(client, tree, personas):
    """A body that is not JSON, or not an object, is named as such."""
    c = as_user(client, personas.office)
    assert "JSON 对象" in c.post(f"{API}/residents", "[1, 2]", content_type="application/json").json()["detail"]
    assert "第 1 行" in c.post(f"{API}/residents", '{"name": ', content_type="application/json").json()["detail"]


def test_service_errors_are_in_chinese(client, tree, personas):
    """The service's own messages come back per field."""
    resp = as_user(client, personas.office).post(f"{API}/residents", _resident(tree, name="", phone="123"),
                                                 content_type="application/json")
    errors = resp.json()["errors"]
    assert errors["name"] == ["姓名不能为空"]
    assert "11位" in errors["phone"][0]


def test_huge_body_is_413(client, tree, personas):
    """A body over the API's limit is refused before it is read."""
    body = json.dumps(_resident(tree, note="x" * (2 * 1024 * 1024)))
    resp = as_user(client, personas.office).post(f"{API}/residents", body, content_type="application/json")
    assert resp.status_code == 413
    assert resp.json()["detail"]


def test_bad_patch_and_household_bodies_are_4xx(client, tree, personas):
    """PATCH and household writes reject bad input the same way."""
    c = as_user(client, personas.office)
    assert c.patch(f"{API}/residents/{tree.r1.id}", {"is_student": "maybe"}, content_type="application/json").status_code == 422
    assert c.patch(f"{API}/residents/{tree.r1.id}", {"phone": "1"}, content_type="application/json").status_code == 400
    assert c.patch(f"{API}/residents/{tree.r1.id}", "{oops", content_type="application/json").status_code == 400
    dup = c.post(f"{API}/households", {"node": tree.g1a.id, "address": "东关路1号1栋101"}, content_type="application/json")
    assert dup.status_code == 400 and dup.json()["detail"]
    wrong_level = c.post(f"{API}/households", {"node": tree.c1.id, "address": "社区直属1号"}, content_type="application/json")
    assert wrong_level.status_code == 400 and "node" in wrong_level.json()["errors"]
    elsewhere = c.post(f"{API}/households", {"node": tree.g9a.id, "address": "北关路10号"}, content_type="application/json")
    assert elsewhere.status_code == 404
    assert c.post(f"{API}/households", {"node": "x", "address": ""}, content_type="application/json").status_code == 422


def test_bad_content_length_is_400(client, tree, personas):
    """A nonsense Content-Length header is a 400, not a crash."""
    resp = as_user(client, personas.office).generic("POST", f"{API}/residents", b"{}", content_type="application/json",
                                                    CONTENT_LENGTH="abc")
    assert resp.status_code == 400


# --- schema and docs ------------------------------------------------------------------


def test_openapi_schema_lists_the_paths(client, tree, personas):
    """/api/v1/openapi.json is valid JSON with every path and both auth schemes; it needs a login or a token."""
    anonymous = client.get(f"{API}/openapi.json")
    assert anonymous.status_code == 401 and "detail" in anonymous.json()
    _token, key = ApiToken.issue(user=personas.grid1)
    assert client.get(f"{API}/openapi.json", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    client.force_login(personas.grid1)
    resp = client.get(f"{API}/openapi.json")
    assert resp.status_code == 200
    schema = json.loads(resp.content)
    assert schema["openapi"].startswith("3.")
    for p in ["/me", "/nodes", "/nodes/{node_id}", "/nodes/{node_id}/children", "/residents", "/residents/{resident_id}",
              "/residents/{resident_id}/reveal", "/households", "/households/{household_id}", "/units",
              "/units/{unit_id}", "/units/{unit_id}/staff"]:
        assert API + p in schema["paths"], p
    assert set(schema["paths"][f"{API}/residents/{{resident_id}}"]) == {"get", "put", "patch"}
    assert {"TokenAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])


def test_docs_page_is_served(client, tree, personas):
    """/api/v1/docs shows the interactive documentation to a logged-in user, a JSON 401 to others."""
    assert client.get(f"{API}/docs").status_code == 401
    client.force_login(personas.office)
    resp = client.get(f"{API}/docs")
    assert resp.status_code == 200
    assert b"openapi.json" in resp.content


# --- fanzha token -----------------------------------------------------------------------


def _token_cmd(*args) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue().strip()


def test_token_command_prints_a_working_key(client, tree, personas):
    """`fanzha token create USERNAME` prints a key that works as a bearer token, once; it is audited."""
    key = _token_cmd("create", "grid1", "--name", "county centre")
    assert key.startswith("fz_") and "\n" not in key
    resp = client.get(f"{API}/residents", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert resp.status_code == 200 and {r["id"] for r in resp.json()["items"]} == {tree.r1.id, tree.r1b.id}
    token = ApiToken.objects.get(user=personas.grid1)
    assert token.name == "county centre" and key not in (token.key_hash, token.prefix)
    assert AuditLog.objects.filter(action=AuditAction.TOKEN, username="grid1").exists()


def test_token_list_and_revoke(client, tree, personas):
    """`token list` shows the prefix; `token revoke PREFIX` stops the key at once."""
    key = _token_cmd("create", "office")
    listing = _token_cmd("list", "office")
    assert key[:8] in listing and "active" in listing and key not in listing
    assert "revoked" in _token_cmd("revoke", key[:8])
    assert client.get(f"{API}/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert "revoked" in _token_cmd("list", "office")


def test_token_revoke_by_whole_key_and_errors(client, tree, personas):
    """Revoking by the whole key works; unknown users and prefixes are command errors."""
    key = _token_cmd("create", "police")
    _token_cmd("revoke", key)
    assert client.get(f"{API}/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    with pytest.raises(CommandError):
        _token_cmd("create", "nobody")
    with pytest.raises(CommandError):
        _token_cmd("revoke", "fz_zzzzz")
    with pytest.raises(CommandError):
        _token_cmd("revoke", "fz")
