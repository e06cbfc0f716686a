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


def _run(street, period, outcomes, *, overrides=()):
    from fanzha.assessment.models import Assessment, Verdict

    run = Assessment(period=period, base_period=str(int(period[:4]) - 1))
    run.place_at(street)
    run.save()
    for i, (community, computed) in enumerate(outcomes):
        v = Verdict(assessment=run, kind="community", subject=community, name=community.name, sort=i, computed=computed,
                    override=overrides[i] if i < len(overrides) else "")
        v.place_at(community)
        v.save()
    return run


def test_fraud_free_standing_from_the_latest_run(tree, personas):
    """The overview counts the fraud-free communities of the street's latest run (reviews win), red when one fails."""
    from fanzha.analysis.overview import home_overview

    _run(tree.street, "2023", [(tree.c1, "fail"), (tree.c2, "fail")])  # an older year: not counted
    run = _run(tree.street, "2024", [(tree.c1, "pass"), (tree.c2, "pending")], overrides=["", "fail"])
    _run(tree.street2, "2024", [(tree.c9, "fail")])  # another street: not the leader's
    o = home_overview(personas.leader, [tree.street], fresh=True)
    fig = {f["key"]: f for f in o["figures"]}["fraud_free"]
    assert fig["value"] == "1/2" and fig["off"] and fig["url"] == f"/assessment/runs/{run.pk}/"
    assert "1个未达标" in fig["note"]


def test_overview_figures_loss_and_open_clues(tree, personas, case_maker):
    """The overview shows this year's loss with its monthly trend and the clues still open next to the overdue ones."""
    from decimal import Decimal

    from fanzha.analysis.overview import home_overview

    today = timezone.localdate()
    case_maker(victim=tree.r1, reported_on=today, loss_on=today, loss=Decimal("25000"), today=today)
    o = home_overview(personas.leader, [tree.street], fresh=True)
    figs = {f["key"]: f for f in o["figures"]}
    assert figs["loss"]["value"] == 2.5 and figs["loss"]["trend"][-1] == 2.5
    assert figs["clues_open"]["value"] == 0 and figs["clues_open"]["url"] == "/clues/?tab=all"
    assert "fraud_free" not in figs  # no assessment run yet: no figure rather than a misleading 0/0


def test_overview_is_cached_per_user_and_node(tree, personas, case_maker, django_assert_num_queries):
    """A second look within the figures' lifetime costs no query; `fresh` recounts (a new case shows)."""
    from fanzha.analysis.overview import home_overview

    today = timezone.localdate()
    first = home_overview(personas.leader, [tree.street])
    case_maker(victim=tree.r1, reported_on=today, loss_on=today, today=today)
    with django_assert_num_queries(0):
        again = home_overview(personas.leader, [tree.street])
    assert again["figures"] == first["figures"]
    fresh = home_overview(personas.leader, [tree.street], fresh=True)
    assert {f["key"]: f for f in fresh["figures"]}["cases"]["value"] == \
        {f["key"]: f for f in first["figures"]}["cases"]["value"] + 1
    assert home_overview(personas.office, [tree.street]) is not None  # another user: counted for them
