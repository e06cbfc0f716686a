"""Duties pages for every role: who may open what, scoping, the ledger tick, settings, campaign downloads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fanzha.core.access import can_open
from fanzha.duties import services
from fanzha.duties.models import Duty, DutyEntry, UnitSector
from fanzha.duties.tests.conftest import act

PAGES = ["duties:home", "duties:entry", "duties:groups", "duties:volunteers", "duties:campaigns", "duties:settings"]
AREA = {"duties:home": "duties", "duties:entry": "duties.entry", "duties:groups": "duties.groups",
        "duties:volunteers": "duties.volunteers", "duties:campaigns": "duties.campaigns", "duties:settings": "duties.settings"}


@pytest.mark.parametrize("persona", ["office", "leader", "police", "community", "gridleader", "grid1", "grid2",
                                     "grouphead", "liaison", "safety", "outsider"])
def test_pages_for_every_role(tree, personas, login, persona, django_assert_max_num_queries):
    """Each role opens the duties pages the access table gives it (200) and is refused the others (403)."""
    from django.urls import reverse

    user = getattr(personas, persona)
    client = login(user)
    for name in PAGES:
        with django_assert_max_num_queries(60):
            r = client.get(reverse(name))
        assert r.status_code == (200 if can_open(user, AREA[name]) else 403), (persona, name, r.status_code)


def test_grid_worker_sees_they_are_behind(tree, personas, login):
    """The grid worker's page lists their own quarter's 六进 duty as behind with done/due."""
    act(tree.g1, user=personas.grid1, venue="family", on=timezone.localdate())
    body = login(personas.grid1).get("/duties/").content.decode()
    assert "网格员每季度六进宣传" in body and "落后：1/2" in body
    assert "grid2" not in body  # another grid's worker is out of scope


def test_behind_ranked_worst_first_and_filtered(tree, personas, login):
    """Who is behind is ranked worst first (least of the due done), and the community filter narrows it."""
    act(tree.g1, user=personas.grid1, on=timezone.localdate())
    body = login(personas.office).get("/duties/").content.decode()
    assert body.index("grid2") < body.index("grid1")  # 0/2 before 1/2 on the same duty
    body = login(personas.office).get(f"/duties/?community={personas.grid1.assignments.first().node.community_id}").content.decode()
    listed = body.split('<ul class="items">')[-1]
    assert "东关社区" in listed and "南门社区" not in listed


def test_liaison_ticks_sector_ledger(tree, personas, login):
    """The liaison records their bank's LED/counter ledger for today; it counts and the form keeps what was typed on error."""
    UnitSector.objects.create(unit=tree.unit, sector="bank")
    d = Duty.objects.get(seed_key="bank_prompts")
    client = login(personas.liaison)
    page = client.get("/duties/entry/").content.decode()
    assert f"{d.id}|unit:{tree.unit.id}" in page
    r = client.post("/duties/entry/", {"row": f"{d.id}|unit:{tree.unit.id}", "on": "2999-01-01", "note": "柜台已提醒"})
    assert r.status_code == 400 and "柜台已提醒" in r.content.decode()
    r = client.post("/duties/entry/", {"row": f"{d.id}|unit:{tree.unit.id}", "on": timezone.localdate().isoformat(),
                                      "note": "柜台已提醒"})
    assert r.status_code == 302
    assert DutyEntry.objects.get().unit == tree.unit


def test_office_settings_change_count(tree, personas, login):
    """The office changes a duty's count on the settings page; other roles cannot."""
    d = Duty.objects.get(seed_key="group_pushes")
    r = login(personas.office).post("/duties/settings/", {"duty": d.id, "count": 3, "rhythm": "weekly", "remind_days": 2,
                                                         "active": "1"})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.count == 3
    assert login(personas.community).post("/duties/settings/", {"duty": d.id, "count": 1}).status_code == 403


def test_groups_page_records_push(tree, personas, login):
    """A community worker adds their group and records a push to it; the group's week shows 1/2."""
    client = login(personas.community)
    assert client.post("/duties/groups/", {"name": "东关阳光村务群", "kind": "sunshine", "node": tree.c1.id}).status_code == 302
    g = services.WechatGroup.objects.get()
    assert client.post("/duties/groups/", {"action": "push", "group": g.id, "title": "防诈",
                                          "pushed_on": timezone.localdate().isoformat()}).status_code == 302
    assert "本周 1/2" in client.get("/duties/groups/").content.decode()
    # out of scope: another street's office cannot push to it
    assert login(personas.outsider).post("/duties/groups/", {"action": "push", "group": g.id, "title": "x",
                                                             "pushed_on": timezone.localdate().isoformat()}).status_code == 404


def test_campaign_pages_and_downloads(tree, personas, login):
    """The office creates a campaign, tags an activity, and downloads the summary as .xlsx and Word."""
    client = login(personas.office)
    today = timezone.localdate()
    r = client.post("/duties/campaigns/", {"name": "集中宣传月", "node": tree.street.id, "starts_on": (today - dt.timedelta(days=5)).isoformat(),
                                           "ends_on": today.isoformat(), "summary_due_on": today.isoformat()})
    assert r.status_code == 302
    a = act(tree.g1, on=today)
    url = r["Location"]
    assert client.post(url, {"activity": a.id}).status_code == 302
    assert "共开展宣传活动1场" in client.get(url).content.decode()
    assert client.get(url + "?format=xlsx")["Content-Type"].startswith("application/vnd.openxml")
    assert client.get(url + "?format=docx").content[:2] == b"PK"
    assert login(personas.outsider).get(url).status_code == 404


def test_home_panel_template(tree, personas, rf):
    """The home panel include shows the user's own duties and how many are behind in their area."""
    from django.template.loader import render_to_string

    from fanzha.duties.selectors import home_panel

    html = render_to_string("duties/_home_panel.html", {"panel": home_panel(personas.grid1)})
    assert "网格员每季度六进宣传" in html and "落后 0/2" in html
