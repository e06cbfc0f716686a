"""The home page's campaign tiles, the grid switcher and the household's outreach panel."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fanzha.alerts import services as alert_services
from fanzha.alerts.models import Alert
from fanzha.cases.models import Case, ReductionTarget
from fanzha.org import campaign as cm
from fanzha.outreach import services as outreach_services
from fanzha.outreach.models import InstallTarget


def _alerts(tree):
    """Three alerts for street S: r1's (high, its limits passed), r2's escalated to the street, an unregistered one."""
    sender, _token = alert_services.sender_create(name="县反诈中心", node=tree.street)
    now = timezone.now()
    made = []
    for ext, name, phone, minutes in (("A1", "王建国", "13800138001", 40), ("A2", "李秀英", "13900139002", 1),
                                      ("A3", "无名", "13311112222", 1)):
        data = {"external_id": ext, "occurred_at": timezone.localtime(now - dt.timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M:%S"),
                "grade": "高", "name": name, "phone": phone, "fraud_type": "冒充公检法"}
        made.append(alert_services.alert_ingest(sender=sender, data=data, now=now - dt.timedelta(minutes=minutes)).alert)
    Alert.objects.filter(pk=made[1].pk).update(escalation_level=2, escalated_to_id=tree.street.pk, escalated_at=now)
    return made


def _outreach(tree, personas):
    today = timezone.localdate()
    outreach_services.install_set(user=personas.grid1, person=tree.r1, app_installed_on=today, call_warning_on=None,
                                  jinzhongzhao_on=None, verifier="王网格")
    outreach_services.home_visit_record(user=personas.grid1, household=tree.h1, visited_on=today, visitors="王网格",
                                        actions=["explained"], materials=2, note="讲解了刷单诈骗")
    InstallTarget.objects.create(node=tree.street, group="residents", rate=50, deadline=today + dt.timedelta(days=30))


def test_campaign_figures_for_the_office(personas, tree):
    """The office's tiles: open, overdue and escalated-to-street alerts; cases and target; installs; visits."""
    _alerts(tree)
    _outreach(tree, personas)
    today = timezone.localdate()
    Case.objects.create(number="C1", reported_on=today, loss_on=today, loss=1000, victim_name="甲", fraud_type="other",
                        **{f"{f}_id": getattr(tree.r1, f"{f}_id") for f in ("county", "street", "community", "grid", "group")})
    ReductionTarget.objects.create(node=tree.street, kind="all", period=str(today.year), base_period=str(today.year - 1),
                                   change_pct=-5)
    c = cm.campaign(personas.office, [tree.street])
    assert c.alerts["open"] == 3 and c.alerts["to_street"] == 1 and c.alerts["overdue"] >= 1
    assert [a.name for a in c.escalated] == ["李秀英"]
    assert c.cases["count"] == 1 and c.cases["targets"][0]["actual"] == 1
    assert c.installs["installed"] == 1 and c.installs["people"] == 4 and c.installs["rate"] == 25.0
    assert c.installs["target_rate"] == 50.0 and c.installs["deadline"] == today + dt.timedelta(days=30)
    assert c.visits["visited"] == 1 and c.visits["households"] == 3


def test_campaign_fragment_links_to_the_lists(login, personas, tree):
    """The fragment shows the escalation badge and links each tile to the page behind it."""
    _alerts(tree)
    _outreach(tree, personas)
    c = login(personas.leader)
    home = c.get("/").content.decode()
    assert 'hx-get="/home/campaign/"' in home
    html = c.get("/home/campaign/", HTTP_HX_REQUEST="true").content.decode()
    assert "1 条升级到街道" in html and 'href="/alerts/?tab=escalated"' in html
    assert f'href="/cases/?node={tree.street.pk}&amp;period=' in html
    assert f'href="/outreach/targets/?node={tree.street.pk}"' in html
    assert "目标 50%" in html and "25.0%" in html
    assert "<html" not in html
    page = c.get("/home/campaign/").content.decode()  # without JavaScript: a whole page
    assert "<html" in page and "反诈APP安装率" in page


def test_campaign_tiles_follow_the_access_table(login, personas, tree):
    """A group head gets no case tile (not theirs to open); a liaison gets no campaign at all."""
    _outreach(tree, personas)
    c = cm.campaign(personas.grouphead, [tree.g1a])
    assert c.cases is None and c.alerts is None and c.visits is not None
    html = login(personas.grouphead).get("/home/campaign/", HTTP_HX_REQUEST="true").content.decode()
    assert "/cases/" not in html and "发案" not in html
    assert "/home/campaign/" not in login(personas.liaison).get("/").content.decode()


def test_gridleader_sees_grids_combined_with_switcher(login, personas, tree):
    """A grid leader's home combines both grids, with a switcher to each; a grid page switches back."""
    c = login(personas.gridleader)
    html = c.get("/").content.decode()
    assert "全部网格（合计）" in html and f'href="/nodes/{tree.g1.pk}/"' in html and f'href="/nodes/{tree.g2.pk}/"' in html
    html = c.get(f"/nodes/{tree.g2.pk}/").content.decode()
    assert 'aria-current="page" class="on">东关第二网格' in html and 'href="/">全部网格（合计）' in html
    html = c.get("/residents/", {"node": tree.g1.pk}).content.decode()
    assert f'href="/residents/?node={tree.g2.pk}"' in html and 'href="/residents/">全部网格（合计）' in html
    camp = cm.campaign(personas.gridleader, [tree.g1, tree.g2])
    assert camp.visits["households"] == 2  # h1 + h2, both grids together


def test_one_grid_has_no_switcher(login, personas, tree):
    """A grid worker with one grid sees no switcher."""
    assert "node-switcher" not in login(personas.grid1).get("/").content.decode()


def test_household_page_shows_installs_visits_and_visit_button(login, personas, tree):
    """The household page lists each member's installs and the visit history, with a 走访 button."""
    _outreach(tree, personas)
    html = login(personas.grid1).get(f"/households/{tree.h1.pk}/").content.decode()
    assert f"/outreach/households/{tree.h1.pk}/visit/" in html
    assert "王建国" in html and "王小明" in html
    assert "王网格" in html  # visitor / verifier
    html = login(personas.grid1).get(f"/residents/{tree.r1b.pk}/").content.decode()
    assert f"/outreach/households/{tree.h1.pk}/visit/" in html and "王网格" in html


def test_leader_sees_household_outreach_without_visit_button(login, personas, tree):
    """The leader (read-only) sees installs and visits but no 走访 button."""
    _outreach(tree, personas)
    html = login(personas.leader).get(f"/households/{tree.h1.pk}/").content.decode()
    assert "王网格" in html and f"/outreach/households/{tree.h1.pk}/visit/" not in html
