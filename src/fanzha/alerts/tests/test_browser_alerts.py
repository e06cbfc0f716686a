"""In a real browser: an alert pushed through the API appears in grid1's open queue without a reload, is signed,
worked and closed from a phone, and then shows in the leader's figures."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

import pytest

from fanzha.alerts import services
from fanzha.alerts.models import Alert, Status
from fanzha.alerts.tests.conftest import alert_data
from fanzha.conftest import browser_login

SHOTS = Path(os.environ.get("FANZHA_SHOTS", "/tmp/fz-shots"))

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _push(base: str, token: str, **fields) -> dict:
    req = urllib.request.Request(f"{base}/api/v1/alerts", method="POST",
                                 data=json.dumps(alert_data(**fields), ensure_ascii=False).encode(),
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 201
        return json.loads(resp.read())


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_alert_arrives_is_worked_on_a_phone_and_counted(phone_page, desk_page, tree, personas):
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    _sender, token = services.sender_create(name="县反诈中心", node=tree.street)
    page = phone_page
    browser_login(page, "grid1")
    page.goto(page.base + "/alerts/")
    expect(page.locator("#queue")).to_contain_text("暂无预警")

    # The centre pushes; the open queue shows it by itself (htmx polling), no reload.
    pushed = _push(page.base, token, grade="高")
    card = page.locator(f'[data-alert="{pushed["id"]}"]')
    expect(card).to_be_visible(timeout=10_000)
    expect(card).to_contain_text("王建国")
    expect(card).to_contain_text("签收剩余")
    assert "13800138001" not in page.content()
    assert _width(page) <= 390
    page.screenshot(path=str(SHOTS / "alerts-queue-phone.png"), full_page=True)

    # Sign, call (reached), close as dissuaded: a few taps.
    card.click()
    expect(page.locator("h1")).to_contain_text("王建国")
    page.click("#sign-button")
    expect(page.locator("#alert-status")).to_have_text("处置中")
    page.get_by_role("button", name="已联系上").first.click()
    expect(page.locator("#work")).to_contain_text("已联系 1 次")
    page.screenshot(path=str(SHOTS / "alerts-work-phone.png"), full_page=True)
    page.check('input[name="outcome"][value="dissuaded"]')
    page.fill("#id_note", "电话劝阻成功，未转账")
    page.fill("#id_saved_amount", "20000")
    page.click("#close-button")
    expect(page.locator("#alert-status")).to_have_text("已办结")
    expect(page.locator("#timeline")).to_contain_text("办结", timeout=10_000)
    assert _width(page) <= 390
    a = Alert.objects.get(pk=pushed["id"])
    assert (a.status, a.outcome, a.signed_by_id) == (Status.CLOSED, "dissuaded", personas.grid1.id)

    # The leader sees it in the figures.
    desk = desk_page
    browser_login(desk, "leader")
    desk.goto(desk.base + "/alerts/figures/")
    expect(desk.locator("#fig-received")).to_have_text("1")
    expect(desk.locator("#fig-dissuaded")).to_have_text("1")
    expect(desk.locator("#by-person")).to_contain_text("grid1")
    desk.wait_for_function("document.querySelector('#chart-trend canvas') !== null")
    desk.screenshot(path=str(SHOTS / "alerts-figures-desk.png"), full_page=True)
