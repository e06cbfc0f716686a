"""Who may open which page: the permission matrix over the personas.

For every page that shows people's data: works in scope (200 with the data),
outside the user's part of the tree → 404 exactly like a record that does not
exist, read-only roles writing → 403, wrong method → 405, anonymous → login.
"""

from __future__ import annotations

import re

import pytest

from fanzha.core.models import AuditAction, AuditLog

CSRF = re.compile(rb'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')


def _strip_csrf(content: bytes) -> bytes:
    return CSRF.sub(rb"\1", content)


# (persona, object, expected status) for the detail pages of each kind.
RESIDENT_MATRIX = [
    ("office", "r1", 200), ("office", "r3", 200), ("office", "r9", 404),
    ("leader", "r1", 200), ("police", "r2", 200),
    ("community", "r2", 200), ("community", "r3", 404),
    ("gridleader", "r1", 200), ("gridleader", "r2", 200), ("gridleader", "r3", 404),
    ("grid1", "r1", 200), ("grid1", "r1b", 200), ("grid1", "r2", 404), ("grid1", "r3", 404),
    ("grid2", "r2", 200), ("grid2", "r1", 404),
    ("grouphead", "r1", 200), ("grouphead", "r2", 404),
    ("liaison", "r1", 403),  # the access table: liaisons do not open residents at all
    ("outsider", "r1", 404), ("outsider", "r9", 200),
]

HOUSEHOLD_MATRIX = [
    ("office", "h1", 200), ("office", "h9", 404), ("leader", "h2", 200),
    ("community", "h2", 200), ("community", "h3", 404),
    ("grid1", "h1", 200), ("grid1", "h2", 404), ("grid2", "h2", 200), ("grid2", "h1", 404),
    ("grouphead", "h1", 200), ("grouphead", "h2", 404),
    ("liaison", "h1", 403), ("outsider", "h1", 404),
]

NODE_MATRIX = [
    ("office", "street", 200), ("office", "c2", 200), ("office", "g9", 404),
    ("leader", "g1", 200), ("community", "c1", 200), ("community", "c2", 404),
    ("gridleader", "g2", 200), ("gridleader", "c1", 404),
    ("grid1", "g1", 200), ("grid1", "g1a", 200), ("grid1", "g2", 404), ("grid1", "c1", 404),
    ("grid2", "g1", 404), ("grouphead", "g1a", 200), ("grouphead", "g1", 404),
    ("liaison", "street", 404), ("outsider", "g1", 404),
]

UNIT_MATRIX = [
    ("office", 200), ("leader", 200), ("police", 200), ("liaison", 200),
    ("community", 404), ("grid1", 404), ("grouphead", 403), ("outsider", 404),  # group heads do not open units
]


@pytest.mark.parametrize("who,obj,status", RESIDENT_MATRIX)
def test_resident_detail_matrix(login, personas, tree, who, obj, status):
    """A resident page opens inside the user's scope and is 404 outside it."""
    r = getattr(tree, obj)
    resp = login(getattr(personas, who)).get(f"/residents/{r.pk}/")
    assert resp.status_code == status
    if status == 200:
        assert r.name in resp.content.decode()
        assert r.phone_masked in resp.content.decode()


@pytest.mark.parametrize("who,obj,status", HOUSEHOLD_MATRIX)
def test_household_detail_matrix(login, personas, tree, who, obj, status):
    """A household page opens inside the user's scope and is 404 outside it."""
    h = getattr(tree, obj)
    resp = login(getattr(personas, who)).get(f"/households/{h.pk}/")
    assert resp.status_code == status
    if status == 200:
        assert h.address in resp.content.decode()


@pytest.mark.parametrize("who,obj,status", NODE_MATRIX)
def test_node_detail_matrix(login, personas, tree, who, obj, status):
    """A tree node page opens inside the user's scope and is 404 outside it."""
    n = getattr(tree, obj)
    resp = login(getattr(personas, who)).get(f"/nodes/{n.pk}/")
    assert resp.status_code == status
    if status == 200:
        assert n.name in resp.content.decode()


@pytest.mark.parametrize("who,status", UNIT_MATRIX)
def test_unit_detail_matrix(login, personas, tree, who, status):
    """A unit page (staff and families) opens for users whose scope holds the unit."""
    resp = login(getattr(personas, who)).get(f"/units/{tree.unit.pk}/")
    assert resp.status_code == status
    if status == 200:
        html = resp.content.decode()
        assert tree.staff.name in html and tree.family.name in html
        assert tree.staff.phone_masked in html and tree.staff.phone not in html


def test_grid1_resident_list_holds_only_grid1(login, personas, tree):
    """The resident list of a grid worker holds their grid and nothing else."""
    html = login(personas.grid1).get("/residents/").content.decode()
    assert "王建国" in html and "王小明" in html
    assert "李秀英" not in html and "张伟" not in html and "刘洋" not in html


def test_unit_list_liaison_sees_own_unit_only(login, personas, tree):
    """A liaison's unit list holds their unit; a grid worker's holds none of the street's units."""
    assert tree.unit.name in login(personas.liaison).get("/units/").content.decode()
    assert tree.unit.name not in login(personas.grid1).get("/units/").content.decode()


def test_resident_list_node_filter_out_of_scope_is_404(login, personas, tree):
    """Filtering the list by a node outside the scope answers 404, not an empty list."""
    c = login(personas.grid1)
    assert c.get(f"/residents/?node={tree.g1.pk}").status_code == 200
    assert c.get(f"/residents/?node={tree.g2.pk}").status_code == 404
    assert c.get("/residents/?node=abc").status_code == 404


def test_out_of_scope_404_is_identical_to_nonexistent(login, personas, tree):
    """grid1 cannot tell a resident of grid 2 from a resident that does not exist."""
    c = login(personas.grid1)
    for url_other, url_none in [
        (f"/residents/{tree.r2.pk}/", "/residents/999999/"),
        (f"/households/{tree.h2.pk}/", "/households/999999/"),
        (f"/nodes/{tree.g2.pk}/", "/nodes/999999/"),
        (f"/residents/{tree.r2.pk}/edit/", "/residents/999999/edit/"),
    ]:
        a, b = c.get(url_other), c.get(url_none)
        assert a.status_code == b.status_code == 404
        # Only the CSRF tokens and the path in the language switch's "next" may differ.
        assert _strip_csrf(a.content).replace(url_other.encode(), b"URL") == _strip_csrf(b.content).replace(url_none.encode(), b"URL")
        assert "未找到" in a.content.decode()
        assert "李秀英" not in a.content.decode()


@pytest.mark.parametrize("url", [
    "/", "/residents/", "/units/", "/residents/{r1}/", "/households/{h1}/", "/nodes/{g1}/", "/units/{unit}/",
    "/residents/{r1}/edit/", "/residents/new/?household={h1}", "/residents/{r1}/reveal/",
])
def test_anonymous_goes_to_login(client, tree, url):
    """Every page sends an anonymous visitor to the login page."""
    url = url.format(r1=tree.r1.pk, h1=tree.h1.pk, g1=tree.g1.pk, unit=tree.unit.pk)
    resp = client.get(url)
    assert resp.status_code == 302 and resp.url.startswith("/login/")
    if "reveal" in url:
        resp = client.post(url)
        assert resp.status_code == 302 and resp.url.startswith("/login/")


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
@pytest.mark.parametrize("url", ["/", "/residents/", "/units/", "/residents/{r1}/", "/households/{h1}/", "/nodes/{g1}/", "/units/{unit}/"])
def test_read_pages_refuse_other_methods(login, personas, tree, url, method):
    """Read-only pages answer 405 to anything but GET/HEAD."""
    url = url.format(r1=tree.r1.pk, h1=tree.h1.pk, g1=tree.g1.pk, unit=tree.unit.pk)
    assert getattr(login(personas.office), method)(url).status_code == 405


@pytest.mark.parametrize("method", ["put", "delete"])
@pytest.mark.parametrize("url", ["/residents/{r1}/edit/", "/residents/new/?household={h1}", "/households/{h1}/edit/",
                                 "/households/new/?node={g1a}", "/units/{unit}/staff/new/", "/staff/{staff}/family/new/"])
def test_form_pages_refuse_other_methods(login, personas, tree, url, method):
    """Form pages take GET and POST only."""
    url = url.format(r1=tree.r1.pk, h1=tree.h1.pk, g1a=tree.g1a.pk, unit=tree.unit.pk, staff=tree.staff.pk)
    assert getattr(login(personas.office), method)(url).status_code == 405


def test_reveal_get_is_405(login, personas, tree):
    """Revealing is a POST; a GET (a link, a prefetch) does nothing and answers 405."""
    resp = login(personas.grid1).get(f"/residents/{tree.r1.pk}/reveal/")
    assert resp.status_code == 405
    assert not AuditLog.objects.filter(action=AuditAction.REVEAL).exists()


@pytest.mark.parametrize("url,data", [
    ("/residents/{r1}/edit/", {"name": "改名", "residency": "permanent"}),
    ("/residents/new/?household={h1}", {"name": "新人", "residency": "permanent"}),
    ("/households/{h1}/edit/", {"address": "新地址"}),
    ("/households/new/?node={g1a}", {"address": "新地址"}),
    ("/units/{unit}/staff/new/", {"name": "新职工", "employment": "formal"}),
    ("/staff/{staff}/family/new/", {"name": "新家属", "relation": "child"}),
])
def test_leader_cannot_write(login, personas, tree, url, data):
    """The read-only leader gets 403 (with a friendly page) on every write, and nothing changes."""
    url = url.format(r1=tree.r1.pk, h1=tree.h1.pk, g1a=tree.g1a.pk, unit=tree.unit.pk, staff=tree.staff.pk)
    c = login(personas.leader)
    resp = c.post(url, data)
    assert resp.status_code == 403
    assert "没有权限" in resp.content.decode()
    assert c.get(url).status_code == 403
    tree.r1.refresh_from_db()
    tree.h1.refresh_from_db()
    assert tree.r1.name == "王建国" and tree.h1.address == "东关路1号1栋101"


def test_leader_sees_no_edit_buttons(login, personas, tree):
    """Read-only users are not offered buttons they cannot use."""
    html = login(personas.leader).get(f"/residents/{tree.r1.pk}/").content.decode()
    assert f"/residents/{tree.r1.pk}/edit/" not in html
    assert "显示完整号码" not in html


def test_grid_worker_cannot_write_other_grid(login, personas, tree):
    """A grid worker writing to a resident or household of another grid gets 404."""
    c = login(personas.grid1)
    assert c.post(f"/residents/{tree.r2.pk}/edit/", {"name": "x", "residency": "permanent"}).status_code == 404
    assert c.post(f"/residents/new/?household={tree.h2.pk}", {"name": "x", "residency": "permanent"}).status_code == 404
    assert c.post(f"/households/new/?node={tree.g2a.pk}", {"address": "x"}).status_code == 404
    assert c.post(f"/households/{tree.h2.pk}/edit/", {"address": "x"}).status_code == 404
    tree.r2.refresh_from_db()
    assert tree.r2.name == "李秀英"


# --- masking and reveal ----------------------------------------------------------


def test_numbers_masked_by_default(login, personas, tree):
    """List, household and detail pages show masked numbers and never the full ones."""
    c = login(personas.grid1)
    for url in ["/residents/", f"/residents/{tree.r1.pk}/", f"/households/{tree.h1.pk}/", f"/residents/{tree.r1.pk}/edit/"]:
        html = c.get(url).content.decode()
        assert "138****8001" in html, url
        assert tree.r1.phone not in html and tree.r1.id_number not in html, url


def test_reveal_shows_numbers_and_audits(login, personas, tree):
    """Revealing returns the full numbers as an htmx fragment and writes one audit entry."""
    resp = login(personas.grid1).post(f"/residents/{tree.r1.pk}/reveal/", HTTP_HX_REQUEST="true", REMOTE_ADDR="10.1.2.3")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "<html" not in html
    assert tree.r1.phone in html and tree.r1.id_number in html
    log = AuditLog.objects.get(action=AuditAction.REVEAL)
    assert (log.action, log.target, log.username, log.ip) == (AuditAction.REVEAL, f"resident:{tree.r1.pk}", "grid1", "10.1.2.3")


def test_reveal_without_js_returns_page(login, personas, tree):
    """Without htmx the reveal form posts and gets the whole detail page with the numbers."""
    resp = login(personas.office).post(f"/residents/{tree.r2.pk}/reveal/")
    html = resp.content.decode()
    assert resp.status_code == 200 and "<html" in html and tree.r2.phone in html
    assert AuditLog.objects.filter(action=AuditAction.REVEAL, target=f"resident:{tree.r2.pk}").count() == 1


@pytest.mark.parametrize("who", ["grouphead", "leader", "liaison"])
def test_reveal_needs_permission(login, personas, tree, who):
    """Roles without the reveal permission get 403 and nothing is logged."""
    resp = login(getattr(personas, who)).post(f"/residents/{tree.r1.pk}/reveal/")
    assert resp.status_code == 403
    assert tree.r1.phone not in resp.content.decode()
    assert not AuditLog.objects.filter(action=AuditAction.REVEAL).exists()


def test_reveal_out_of_scope_is_404(login, personas, tree):
    """Revealing a resident of another grid is 404 and not logged."""
    assert login(personas.grid1).post(f"/residents/{tree.r2.pk}/reveal/").status_code == 404
    assert not AuditLog.objects.filter(action=AuditAction.REVEAL).exists()


def test_reveal_button_only_with_permission(login, personas, tree):
    """The reveal button appears for grid workers and not for group heads."""
    url = f"/residents/{tree.r1.pk}/"
    assert "显示完整号码" in login(personas.grid1).get(url).content.decode()
    assert "显示完整号码" not in login(personas.grouphead).get(url).content.decode()
