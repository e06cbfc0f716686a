"""On a phone (390 px): the liaison's outreach tabs all open; the leader opens a visit from the ledger;
grid1 corrects an activity it recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fanzha.conftest import browser_login
from fanzha.outreach import services
from fanzha.outreach.models import Activity

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_liaison_tabs_all_open_on_a_phone(phone_page, tree, personas):
    """Every tab the liaison is shown opens (no 404/403), without sideways scrolling."""
    page = phone_page
    browser_login(page, "liaison")
    page.goto(page.base + "/outreach/")
    hrefs = page.locator("nav.tabs a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert hrefs and not any("/visits/" in h or "/targets/" in h or "/wechat/" in h for h in hrefs)
    for href in hrefs:
        resp = page.goto(page.base + href)
        assert resp.status == 200, href
        assert _width(page) <= 390, href


def test_leader_opens_visit_and_grid1_corrects_activity(phone_page, tree, personas):
    """Leader: ledger address → the visit (not a 403 form). grid1: activity → 修改 → saved, audited."""
    from playwright.sync_api import expect

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    services.home_visit_record(user=personas.grid1, household=tree.h1, visited_on=yesterday, visitors="网格员甲",
                               actions=["explained"], materials=2, note="讲解冒充客服诈骗")
    a = services.activity_record(user=personas.grid1, node=tree.g1, data=services.ActivityData(
        held_on=yesterday, place="东关小区", organiser="东关社区", kind="leaflet", venue="residential",
        audiences=["general"], participants=30, materials=100, fraud_types=["rebate_task"]))
    page = phone_page
    browser_login(page, "leader")
    page.goto(page.base + f"/outreach/visits/?node={tree.street.pk}")
    page.get_by_role("link", name="东关路1号1栋101").click()
    expect(page.locator("body")).to_contain_text("讲解冒充客服诈骗")
    assert _width(page) <= 390

    page.context.clear_cookies()
    browser_login(page, "grid1")
    page.goto(page.base + f"/outreach/activities/{a.pk}/")
    page.get_by_role("link", name="修改").click()
    page.fill("#id_participants", "48")
    assert _width(page) <= 390
    page.get_by_role("button", name="保存").click()
    expect(page.locator("body")).to_contain_text("已保存修改")
    assert Activity.objects.get(pk=a.pk).participants == 48
