"""On a phone (390 px): grid1 joins a sweep, checks two people and one premises, raises a finding,
and the finding appears in the officer's list."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.utils import timezone

from fanzha.conftest import browser_login
from fanzha.risk.models import KeyPerson, PremisesCheck, SweepPerson
from fanzha.risk.services import premises as pr
from fanzha.risk.services import sweeps as sw

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


SHOTS = Path(os.environ.get("FANZHA_SHOTS", "/tmp/fz-shots"))


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_grid_worker_sweep_on_a_phone(phone_page, tree, personas):
    """Join → check 王建国 and 王小明 (frequent moves) → check 悦来宾馆 (unregistered tenants) → tap 建档 → police sees it."""
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)  # a loaded CI machine: wait like the page's own default, not 5 s
    pr.premises_create(user=personas.grid1, grid=tree.g1,
                       data=pr.PremisesData(name="悦来宾馆", kind="hotel", address="东关路8号"))
    sweep = sw.sweep_create(user=personas.gridleader, held_on=timezone.localdate(), grids=[tree.g1])
    page = phone_page
    page.set_default_timeout(20_000)
    browser_login(page, "grid1")
    page.goto(page.base + "/risk/sweeps/")
    page.click(f"a[href='/risk/sweeps/{sweep.pk}/']")
    page.click("#join")
    expect(page.locator(".messages")).to_contain_text("已加入")
    assert _width(page) <= 390

    for name, flag in (("王建国", None), ("王小明", "频繁更换住处")):
        page.fill("#q", name)
        page.click("#check-person form[role=search] button")
        page.wait_for_selector("input[name=resident]")
        if flag:
            page.check(f"label:has-text('{flag}')")
        page.click("#save-person")
        expect(page.locator("#checked-people")).to_contain_text(name)
    expect(page.locator("#sweep-counts")).to_contain_text("已核查2人")

    page.fill("#pq", "悦来")
    page.click("#check-premises form[role=search] button")
    page.select_option("#finding", "unregistered")
    page.fill("#pnote", "两名租客未登记")
    page.click("#save-premises")
    expect(page.locator("#checked-premises")).to_contain_text("租客未登记")
    assert _width(page) <= 390
    _shot(page, "risk-sweep-phone.png")

    page.locator("#checked-people li", has_text="王小明").get_by_role("button", name="发现问题，建档").click()
    expect(page.locator(".messages")).to_contain_text("已建立重点人员档案")
    expect(page.locator("#checked-people li", has_text="王小明")).to_contain_text("已建档")
    assert SweepPerson.objects.filter(sweep=sweep).count() == 2
    assert PremisesCheck.objects.get(sweep=sweep).finding == "unregistered"
    kp = KeyPerson.objects.get()
    assert kp.resident == tree.r1b and kp.source_sweep == sweep

    page.context.clear_cookies()
    browser_login(page, "police")
    page.goto(page.base + "/risk/people/?from=sweep")
    expect(page.locator("#key-person-table")).to_contain_text("王小明")
    expect(page.locator("#key-person-table")).to_contain_text("打卡发现")
    _shot(page, "risk-officer-list-phone.png")
    page.goto(page.base + "/risk/premises/?flagged=1")
    expect(page.locator("main")).to_contain_text("悦来宾馆")
    assert _width(page) <= 390
    page.goto(page.base + "/risk/figures/")
    page.wait_for_selector("#chart-months canvas")  # ECharts drew from the page's json_script
    expect(page.locator("#figure-table")).to_contain_text("打卡期数")
    assert _width(page) <= 390
    _shot(page, "risk-figures-phone.png")
