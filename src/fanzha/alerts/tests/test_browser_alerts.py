"""In a real browser: an alert pushed through the API appears in grid1's open queue without a reload, is signed,
worked and closed from a phone, and then shows in the leader's figures."""

from __future__ import annotations

import json
import re
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
    """A pushed alert appears in the phone queue by itself, is worked to closing and shows in the figures."""
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


def test_grid_worker_signs_phones_visits_and_closes_with_a_live_timeline(phone_page, tree, personas):
    """At 390 px, as grid1 would: sign, phone (no answer, then reached), record the visit, warn face to face and close;
    every step shows in 处置记录 as the answer to that tap (no reload), and the page never scrolls sideways."""
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    _sender, token = services.sender_create(name="县反诈中心", node=tree.street)
    page = phone_page
    pushed = _push(page.base, token, grade="中", id="YJ-TL-1")
    browser_login(page, "grid1")
    page.goto(page.base + f"/alerts/{pushed['id']}/")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("接收分派")
    assert _width(page) <= 390

    def tap(button, expect_in_timeline: str):
        with page.expect_response(lambda r: f"/alerts/{pushed['id']}/" in r.url and r.request.method == "POST"):
            button.click()
        # The answer of the tap itself carries the timeline (out-of-band swap): no waiting for the 5 s poll.
        expect(timeline).to_contain_text(expect_in_timeline, timeout=1500)

    tap(page.locator("#sign-button"), "签收")
    expect(page.locator("#alert-status")).to_have_text("处置中")
    tap(page.get_by_role("button", name="无人接听"), "无人接听")
    tap(page.get_by_role("button", name="已联系上").first, "已联系上")
    tap(page.get_by_role("button", name="上门见到本人"), "上门")
    tap(page.get_by_role("button", name="已会面宣防"), "会面宣防")
    assert _width(page) <= 390
    page.check('input[name="outcome"][value="dissuaded"]')
    page.fill("#id_note", "上门见到本人，已劝阻")
    tap(page.locator("#close-button"), "办结")
    expect(page.locator("#alert-status")).to_have_text("已办结")
    assert timeline.locator("li").count() >= 7
    page.screenshot(path=str(SHOTS / "alerts-timeline-phone.png"), full_page=True)
    assert _width(page) <= 390
    a = Alert.objects.get(pk=pushed["id"])
    assert (a.status, a.outcome, a.attempts) == (Status.CLOSED, "dissuaded", 3) and a.onsite_at and a.warned_at


def test_reassign_by_search_and_figures_on_a_phone(phone_page, tree, personas):
    """At 390 px: community staff find a grid worker by typing part of the grid's name and reassign; the figures page
    takes a date range, its tiles show whole figures and the per-person table sorts."""
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    _sender, token = services.sender_create(name="县反诈中心", node=tree.street)
    page = phone_page
    pushed = _push(page.base, token, grade="低", id="YJ-RA-1")
    browser_login(page, "community")
    page.goto(page.base + f"/alerts/{pushed['id']}/")
    options = page.locator("#assign-to optgroup")
    expect(options.first).to_have_attribute("label", re.compile("本预警所在"))
    page.fill("#assign-q", "第二网格")
    expect(page.locator("#assign-to option", has_text="grid2")).to_have_count(1)
    expect(page.locator("#assign-to option", has_text="grid1")).to_have_count(0)
    page.select_option("#assign-to", label=page.locator("#assign-to option", has_text="grid2").inner_text())
    page.get_by_role("button", name="改派", exact=True).click()
    expect(page.locator("#timeline")).to_contain_text("改派给grid2", timeout=3000)
    assert Alert.objects.get(pk=pushed["id"]).grid_id == tree.g2.id
    assert _width(page) <= 390

    page.goto(page.base + "/alerts/figures/")
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    start = today - dt.timedelta(days=300)
    page.fill("#start", start.isoformat())
    page.fill("#end", today.isoformat())
    page.get_by_role("button", name="查看").click()
    expect(page.locator("#window-label")).to_contain_text(start.isoformat())
    for el in page.locator("#totals .figure .n, #totals .figure .l").all():
        assert el.evaluate("e => e.scrollWidth <= e.clientWidth"), el.inner_text()
    page.select_option("#person-sort", "name")  # the column headers sort on a desk; a phone has this control
    page.get_by_role("button", name="排序").click()
    expect(page.locator('#by-person th[aria-sort="ascending"]')).to_contain_text("姓名")
    expect(page.locator("#person-sort")).to_have_value("name")
    assert _width(page) <= 390
    page.screenshot(path=str(SHOTS / "alerts-figures-phone.png"), full_page=True)


def test_office_pages_fit_a_phone(phone_page, tree, personas):
    """At 390 px the office's queue (with an unregistered and an out-of-area alert), settings with the routing rules,
    upload and conflicts pages never scroll sideways."""
    from playwright.sync_api import expect

    _sender, token = services.sender_create(name="县反诈中心", node=tree.street)
    page = phone_page
    _push(page.base, token, grade="高", id="YJ-W-1", phone="13312345678", name="未登记人员")
    _push(page.base, token, grade="中", id="YJ-W-2", phone="13312345679", area_code="NOWHERE")
    browser_login(page, "office")
    for url, text in (("/alerts/?tab=pending", "未登记人员"), ("/alerts/?tab=transfer", "#"), ("/alerts/settings/", "分派与通知规则"),
                      ("/alerts/upload/", "批量导入预警"), ("/alerts/conflicts/", "预警编号冲突")):
        page.goto(page.base + url)
        expect(page.locator("main")).to_contain_text(text)
        assert _width(page) <= 390, url
    page.goto(page.base + "/alerts/settings/")
    page.screenshot(path=str(SHOTS / "alerts-settings-phone.png"), full_page=True)
