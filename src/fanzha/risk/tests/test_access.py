"""Who sees what of a key-person file: the access matrix per role."""

import pytest

from fanzha.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who,status,sees_detail", [
    ("police", 200, True), ("office", 200, True), ("leader", 200, True), ("community", 200, True),
    ("gridleader", 200, False), ("grid1", 200, False),
    ("grid2", 404, None),        # file in g1, grid2 works g2
    ("grouphead", 403, None), ("liaison", 403, None), ("outsider", 404, None),
])
def test_file_page_per_role(login, personas, file_r1, who, status, sees_detail):
    """Detail for officer/office/leader/community; grid workers of the grid see flag + watch-for only; others 403/404."""
    r = login(getattr(personas, who)).get(f"/risk/people/{file_r1.pk}/")
    assert r.status_code == status
    if status == 200:
        body = r.content.decode()
        assert "夜间外出频繁" in body
        assert ("2023年帮信罪判刑一年" in body) is sees_detail
        assert ("帮教记录" in body) is sees_detail


def test_other_community_is_404(login, personas, file_r3):
    """The community worker of c1 cannot open a file of c2: 404, like a missing one."""
    assert login(personas.community).get(f"/risk/people/{file_r3.pk}/").status_code == 404
    assert login(personas.community).get("/risk/people/999999/").status_code == 404


def test_every_view_is_audited(login, personas, file_r1):
    """Each view of a file, detail or flag, writes an audit row naming the file."""
    login(personas.police).get(f"/risk/people/{file_r1.pk}/")
    login(personas.grid1).get(f"/risk/people/{file_r1.pk}/")
    rows = AuditLog.objects.filter(target=f"risk.key_person:{file_r1.pk}", action="view")
    assert sorted(r.username for r in rows) == ["grid1", "police"]
    assert {r.detail.split(" ")[0] for r in rows} == {"detail", "flag"}


def test_leader_is_read_only(login, personas, file_r1):
    """The leader reads the file but cannot record a follow-up, close it or open a new one (403)."""
    c = login(personas.leader)
    assert c.post(f"/risk/people/{file_r1.pk}/follow-up/", {"on": "2026-11-01", "method": "visit", "content": "x",
                                                            "state": "stable"}).status_code == 403
    assert c.post(f"/risk/people/{file_r1.pk}/close/", {"reason": "x"}).status_code == 403
    assert c.get("/risk/people/new/").status_code == 403
    file_r1.refresh_from_db()
    assert file_r1.status == "open"


def test_grid_worker_list_hides_detail(login, personas, file_r1, file_r3):
    """A grid worker's list shows their grid's files with the watch-for, never the offence detail."""
    body = login(personas.grid1).get("/risk/people/").content.decode()
    assert "夜间外出频繁" in body and "2023年帮信罪" not in body
    assert file_r3.name not in body


def test_api_gives_flags_to_grid_workers(login, personas, file_r1):
    """The API returns the same restriction: detail fields only for the detail roles."""
    r = login(personas.grid1).get(f"/api/v1/risk/key-persons/{file_r1.pk}")
    assert r.status_code == 200 and "detail" not in r.json() and r.json()["watch_for"] == "夜间外出频繁"
    r = login(personas.police).get(f"/api/v1/risk/key-persons/{file_r1.pk}")
    assert r.json()["detail"] == "2023年帮信罪判刑一年"
    assert login(personas.outsider).get(f"/api/v1/risk/key-persons/{file_r1.pk}").status_code == 404


def test_open_file_for_resident_outside_scope_is_404(login, personas, tree):
    """Opening a file for a resident of another community answers 404 and writes nothing."""
    from fanzha.risk.models import KeyPerson

    r = login(personas.community).post("/risk/people/new/", {"resident": tree.r3.pk, "categories": ["offender"]})
    assert r.status_code == 404
    assert not KeyPerson.objects.exists()


def test_wrong_method_is_405(login, personas, file_r1):
    """Write endpoints accept POST only."""
    assert login(personas.police).get(f"/risk/people/{file_r1.pk}/close/").status_code == 405


def test_home_panel_and_badge(login, personas, tree):
    """The officer in charge gets a home-page card and a menu badge for an overdue review; a grid worker gets neither."""
    import datetime as dt

    from fanzha.risk.services import key_persons as kp

    kp.key_person_open(user=personas.police, categories=["stranded"], resident=tree.r2,
                       data=kp.PersonData(officer=personas.police), opened_on=dt.date(2024, 1, 1),
                       today=dt.date(2024, 1, 1))
    c = login(personas.police)
    assert "李秀英" in c.get("/risk/my-overdue/").content.decode()
    assert ">1<" in c.get("/risk/badge/").content.decode()
    g = login(personas.grid2)
    assert g.get("/risk/my-overdue/").content == b"" and g.get("/risk/badge/").content == b""
