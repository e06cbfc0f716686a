"""Risk pages, figures, exports, API and demo data."""

import datetime as dt

import pytest
from django.utils import timezone

from fanzha.demo import risk as demo
from fanzha.risk.models import KeyPerson, Premises, Screening, Sweep
from fanzha.risk.reports import risk_figures
from fanzha.cases.periods import Period

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_data(tree, personas):
    return demo.build(tree.street, today=timezone.localdate(), key_persons=3, premises_per_grid=3, officer=personas.police,
                      worker=personas.community)


def test_demo_has_the_awkward_cases(demo_data, tree, personas):
    """Demo data holds a closed file, a person not on the roster, an open den, an off-window sweep, an unswept grid, a missing screening."""
    assert KeyPerson.objects.filter(status="closed").exclude(close_reason="").exists()
    assert KeyPerson.objects.filter(resident__isnull=True).exists()
    assert Premises.objects.filter(open_finding="den").exists()
    assert Sweep.objects.filter(off_window=True).exists()
    assert Sweep.objects.count() > 40 and Screening.objects.count() == 2 * 12 - 1
    figs = risk_figures(personas.office, node=tree.street, period=Period.containing(timezone.localdate(), "year"),
                        today=timezone.localdate())
    assert figs["sweeps"]["held"] > 0 and figs["premises"]["flagged"] >= 1 and figs["key_persons"]["open"] >= 3


@pytest.mark.parametrize("who", ["office", "leader", "police", "community", "gridleader", "grid1"])
def test_pages_open_for_each_field_role(login, personas, demo_data, who):
    """Every risk tab a role is shown opens (200) for that role."""
    from fanzha.core.access import tabs_for

    c = login(getattr(personas, who))
    for area in tabs_for(getattr(personas, who), "risk"):
        assert c.get(area.url()).status_code == 200, area.key
    assert c.get("/risk/sweeps/calendar/").status_code == 200


def test_figures_page_api_and_exports(login, personas, demo_data, tree):
    """The figures page, its API and the three ledgers answer; the API gives the same numbers as the report dict."""
    c = login(personas.office)
    assert c.get(f"/risk/figures/?node={tree.street.pk}").status_code == 200
    api = c.get(f"/api/v1/risk/figures?node={tree.street.pk}").json()
    direct = risk_figures(personas.office, node=tree.street, period=Period.containing(timezone.localdate(), "year"),
                          today=timezone.localdate())
    assert api["sweeps"] == direct["sweeps"] and api["key_persons"]["by_category"] == direct["key_persons"]["by_category"]
    for what in ("figures", "key_persons", "checks", "sweeps"):
        r = c.get(f"/risk/export/{what}.xlsx?node={tree.street.pk}")
        assert r.status_code == 200 and b"".join(r.streaming_content)[:2] == b"PK", what
    assert c.get("/api/v1/risk/figures?period=bad").status_code == 422  # refused by the documented pattern
    grid = login(personas.grid1)  # the same test client, now logged in as grid1
    assert grid.get("/risk/export/key_persons.xlsx").status_code == 403
    assert grid.get("/api/v1/risk/figures").status_code == 403


def test_overdue_list_query_count(login, personas, demo_data, django_assert_max_num_queries):
    """The overdue list page runs a bounded number of queries however many rows it shows."""
    c = login(personas.office)
    with django_assert_max_num_queries(14):
        assert c.get("/risk/people/overdue/").status_code == 200
    with django_assert_max_num_queries(16):
        assert c.get("/risk/people/").status_code == 200
    with django_assert_max_num_queries(14):
        assert c.get("/risk/premises/").status_code == 200


def test_demo_loader_through_command_list(demo_data):
    """The risk loader is registered with the demo command."""
    from fanzha.demo import LOADERS

    assert "risk" in LOADERS
    _ = dt


def test_load_demo_with_demo_users(tree, personas):
    """`load_demo` (what `fanzha demo` calls) fills the street and names the demo officer and community worker."""
    out = demo.load_demo(tree.street)
    assert out["key_persons"] >= 3 and KeyPerson.objects.filter(officer=personas.police).exists()


def test_officer_opens_files_from_the_page(login, personas, tree):
    """A file for a resident and one for a person not on the roster are opened from the form; a bad ID keeps what was typed."""
    c = login(personas.police)
    r = c.post("/risk/people/new/", {"resident": tree.r1.pk, "categories": ["offender", "two_card"], "opened_on": "2026-11-01",
                                     "watch_for": "留意", "detail": "详情"})
    assert r.status_code == 302
    r = c.post("/risk/people/new/", {"name": "岩某", "id_number": "110101199001011234", "place": tree.c1.pk,
                                     "categories": ["returnee"], "watch_for": "刚回流"})
    body = r.content.decode()
    assert r.status_code == 200 and "校验位" in body and 'value="岩某"' in body and "刚回流" in body
    assert KeyPerson.objects.count() == 1


def test_edit_file_of_person_not_on_roster(login, personas, tree):
    """Editing a file opened for someone not on the roster keeps the name and place, and records the change."""
    from fanzha.risk.services import key_persons as kp

    p = kp.key_person_open(user=personas.police, categories=["returnee"], place=tree.c1, data=kp.PersonData(name="岩某"))
    c = login(personas.police)
    page = c.get(f"/risk/people/{p.pk}/edit/").content.decode()
    assert 'value="岩某"' in page
    r = c.post(f"/risk/people/{p.pk}/edit/", {"name": "岩某某", "place": tree.g1.pk, "categories": ["returnee"],
                                              "watch_for": "新"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.name == "岩某某" and p.grid_id == tree.g1.id and p.changes.filter(action="edit").exists()
