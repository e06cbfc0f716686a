"""The role-access table: SPEC §1 as code, printed for the README, and enforced on every area's page."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from fanzha.core import access
from fanzha.core.access import AREAS, BY_KEY, ROLE_ORDER

pytestmark = pytest.mark.django_db

PERSONA_ROLE = {"office": "office", "leader": "leader", "police": "officer", "community": "community",
                "gridleader": "grid_leader", "grid1": "grid_worker", "grouphead": "group_head", "liaison": "liaison",
                "safety": "safety_staff", "dept": "department"}


def _opens(role: str) -> set[str]:
    return {a.key for a in AREAS if role in a.roles}


def test_command_prints_every_area_and_role_as_markdown():
    """`fanzha access_table` prints one Markdown row per area and one column per role."""
    out = io.StringIO()
    call_command("access_table", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[0].startswith("| area | page |") and all(f"`{r}`" in lines[0] for r in ROLE_ORDER)
    assert lines[1] == "|" + "---|" * (2 + len(ROLE_ORDER))
    assert len(lines) == 2 + len(AREAS)
    row = next(line for line in lines if line.startswith("| `io` |"))
    assert "`org.import_data`" in row and row.count("✓") == 1


def test_command_in_english():
    """With --lang en the page and role names are English where translated (the keys stay the same)."""
    out = io.StringIO()
    call_command("access_table", "--lang", "en", stdout=out)
    assert "`group_head`" in out.getvalue()


def test_every_area_opens_a_real_page_and_tabs_belong_to_a_page():
    """Each area's address resolves; a tab's parent exists and every role allowed the tab is allowed the parent."""
    for a in AREAS:
        assert reverse(a.url_name)
        assert a.roles <= access.ALL_ROLES
        if a.parent:
            assert a.parent in BY_KEY and a.roles <= BY_KEY[a.parent].roles, a.key


def test_group_heads_get_visits_installs_and_outreach_only():
    """SPEC §1: a group head (联户长) has their households, visits, installs, outreach; not cases, not key persons."""
    opens = _opens("group_head")
    assert {"residents", "outreach", "outreach.visits"} <= opens
    assert not opens & {"cases", "cases.stats", "cases.targets", "risk", "alerts", "alerts.figures", "clues",
                        "supervision", "io", "audit"}


def test_departments_get_what_is_handed_to_them():
    """SPEC §1: a department sees clues and supervision items handed to it, nothing of the street's people."""
    opens = _opens("department")
    assert {"home", "clues", "supervision"} <= opens
    assert all(k.split(".")[0] in {"home", "clues", "supervision", "notifications"} for k in opens), opens


def test_volunteers_and_safety_officers_get_outreach():
    """SPEC §1: volunteers and safety officers are counted in outreach; no cases, alerts or residents."""
    for role in ("volunteer", "safety_staff"):
        opens = _opens(role)
        assert {"outreach", "outreach.activities"} <= opens
        assert not opens & {"cases", "alerts", "residents", "risk", "io", "audit"}


def test_liaisons_get_their_unit_not_the_street():
    """SPEC §1: a unit liaison has the unit's roster, staff installs, activities and reports; not households."""
    opens = _opens("liaison")
    assert {"units", "outreach", "outreach.activities", "outreach.units", "outreach.reports"} <= opens
    assert not opens & {"residents", "outreach.visits", "outreach.targets", "outreach.wechat", "cases", "alerts"}


def test_leaders_read_everything_but_administer_nothing():
    """SPEC §1: leaders have a read-only overview: every dashboard, no uploads, settings, imports or audit."""
    opens = _opens("leader")
    assert {"alerts", "alerts.figures", "residents", "cases", "cases.stats", "outreach", "outreach.reports", "risk",
            "clues", "supervision"} <= opens
    assert not opens & {"alerts.upload", "alerts.settings", "outreach.settings", "io", "audit"}


def test_police_get_alerts_cases_key_persons_and_clues():
    """SPEC §1: the police officer works alerts, cases, key persons (risk) and clues for the whole street."""
    assert {"alerts", "alerts.upload", "cases", "cases.stats", "risk", "clues"} <= _opens("officer")


@pytest.fixture
def everyone(personas, department):
    return {**vars(personas), "dept": department.user}


def test_every_area_page_refuses_a_role_the_table_leaves_out(client, everyone):
    """Typing the address of an area the role may not open answers 403 (never the page), for every persona."""
    wrong = []
    for name, role in PERSONA_ROLE.items():
        client.force_login(everyone[name])
        for a in AREAS:
            if role in a.roles:
                continue
            status = client.get(a.url()).status_code
            if status not in (403, 404):
                wrong.append((name, a.key, status))
    assert wrong == []


def test_menu_shows_exactly_the_areas_a_role_may_open(client, everyone):
    """The main menu lists each top-level area the role may open and no other."""
    for name, role in PERSONA_ROLE.items():
        client.force_login(everyone[name])
        body = client.get("/").content.decode()
        nav = body.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
        for a in AREAS:
            if a.parent or not a.menu:
                continue
            shown = f'href="{a.url()}"' in nav
            assert shown == (role in a.roles), (name, a.key)
