"""In a real browser at 390 px: a grid leader finds a resident by the last four digits of a phone, opens the
household, sees who has the app and when it was last visited, and goes to record a visit; the leader's home
page loads the campaign with the escalation badge. No page scrolls sideways."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone

from fanzha.alerts import services as alert_services
from fanzha.alerts.models import Alert
from fanzha.conftest import browser_login
from fanzha.outreach import services as outreach_services

SHOTS = Path(os.environ.get("FANZHA_SHOTS", "/tmp/fz-shots"))

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_gridleader_finds_by_tail_and_goes_to_visit(phone_page, tree, personas):
    """Tail search → resident → household panel → 走访, at 390 px, switching between the leader's two grids."""
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    outreach_services.home_visit_record(user=personas.grid1, household=tree.h1, visited_on=timezone.localdate(),
                                        visitors="王网格", actions=["explained"], materials=1)
    page = phone_page
    browser_login(page, "gridleader")
    expect(page.locator(".node-switcher")).to_contain_text("全部网格（合计）")
    page.goto(page.base + "/residents/")
    page.fill("#id_q", "8001")
    page.keyboard.press("Enter")
    expect(page.locator("#results")).to_contain_text("按手机尾号 8001 查找")
    page.get_by_role("link", name="王建国").click()
    expect(page.locator("h1")).to_contain_text("王建国")
    expect(page.locator(".household-outreach")).to_contain_text("王网格")
    assert _width(page) <= 390
    page.screenshot(path=str(SHOTS / "org-resident-outreach-390.png"), full_page=True)
    page.get_by_role("link", name="走访", exact=True).first.click()
    page.wait_for_url(lambda url: f"/outreach/households/{tree.h1.pk}/visit/" in url)
    # nothing found: the page says why
    page.goto(page.base + "/residents/?q=9999")
    expect(page.locator(".empty-reasons")).to_contain_text("尾号为9999")
    assert _width(page) <= 390


def test_leader_home_shows_campaign_with_escalation_badge(phone_page, tree, personas):
    """The leader's home loads the campaign tiles; an alert escalated to the street shows as a badge linking to it."""
    from playwright.sync_api import expect

    sender, _token = alert_services.sender_create(name="县反诈中心", node=tree.street)
    now = timezone.now()
    data = {"external_id": "B1", "occurred_at": timezone.localtime(now - dt.timedelta(minutes=50)).strftime("%Y-%m-%d %H:%M:%S"),
            "grade": "高", "name": "李秀英", "phone": "13900139002", "fraud_type": "冒充公检法"}
    alert = alert_services.alert_ingest(sender=sender, data=data, now=now - dt.timedelta(minutes=50)).alert
    Alert.objects.filter(pk=alert.pk).update(escalation_level=2, escalated_to_id=tree.street.pk, escalated_at=now)
    page = phone_page
    browser_login(page, "leader")
    badge = page.locator(".campaign .badge")
    expect(badge).to_contain_text("1 条升级到街道")
    expect(page.locator(".tile-installs")).to_be_visible()
    expect(page.locator(".tile-visits")).to_be_visible()
    assert _width(page) <= 390
    page.screenshot(path=str(SHOTS / "org-home-campaign-390.png"), full_page=True)
    badge.click()
    page.wait_for_url(lambda url: "tab=escalated" in url)
