import datetime as dt

import pytest
from django.utils import timezone

from fanzha.risk.models import KeyPerson

pytestmark = pytest.mark.django_db


def _overdue_file(tree):
    kp = KeyPerson(name="重点甲", opened_on=dt.date(2024, 1, 1), next_review_on=timezone.localdate() - dt.timedelta(days=5))
    kp.place_at(tree.g1)
    kp.save()
    return kp


def test_leader_home_shows_overview_with_off_track_marks(tree, personas, login, case_maker):
    """The leader's home page carries the overview; an overdue review is marked off track and links to its list."""
    _overdue_file(tree)
    case_maker(victim=tree.r1, reported_on=timezone.localdate(), loss_on=timezone.localdate(), today=timezone.localdate())
    c = login(personas.leader)
    r = c.get("/")
    assert r.status_code == 200 and 'hx-get="/home/panels/"' in r.content.decode()
    r = c.get("/home/panels/", HTTP_HX_REQUEST="true")  # the panels, loaded after the page
    assert r.status_code == 200 and 'id="overview"' in r.content.decode()
    o = next(p["data"] for p in r.context["panels"] if p["area"] == "analysis")
    figs = {f["key"]: f for f in o["figures"]}
    assert figs["reviews"]["value"] == 1 and figs["reviews"]["off"]
    assert figs["reviews"]["url"] == f"/risk/people/overdue/?node={tree.street.id}"
    assert len(figs["cases"]["trend"]) == 12 and figs["cases"]["trend"][-1] == 1
    assert [x["name"] for x in o["ranking"]][0] == "东关社区"


def test_grid_worker_home_has_no_overview(tree, personas, login):
    """Roles that may not open the analysis get no overview (no link they cannot open)."""
    c = login(personas.grid1)
    assert 'id="overview"' not in c.get("/").content.decode()
    assert c.get("/home/panel/analysis/", HTTP_HX_REQUEST="true").status_code in (403, 404)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_leader_taps_off_track_figure_on_phone(phone_page, tree, personas):
    """At 390 px the leader opens the home page, taps the red overdue-review figure and lands on that list."""
    from playwright.sync_api import expect

    from fanzha.conftest import browser_login

    _overdue_file(tree)
    page = phone_page
    browser_login(page, "leader")
    page.goto(page.base + "/")
    fig = page.locator("#ov-reviews.off")
    expect(fig).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    fig.click()
    page.wait_for_url(lambda u: "/risk/people/overdue/" in u)
    expect(page.locator("body")).to_contain_text("重点甲")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_analysis_page_fits_a_phone(phone_page, tree, personas, case_maker):
    """At 390 px the analysis page (heat map, hot spots, tables) has no sideways scroll; a type drills to its cases."""
    from playwright.sync_api import expect

    from fanzha.conftest import browser_login

    case_maker(victim=tree.r1, narrative="下午3点接到电话")
    page = phone_page
    browser_login(page, "office")
    page.goto(page.base + f"/analysis/?node={tree.street.id}&period=2025")
    expect(page.locator("#chart-heat canvas")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="刷单返利").first.click()
    expect(page.locator("#drill-cases")).to_contain_text("2025年3月10日")
