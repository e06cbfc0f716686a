"""In a real browser at 390 px: a grid worker sees they are behind on their quarter's 六进 outreach, and a
liaison ticks their bank's sector ledger from the phone."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fanzha.conftest import browser_login
from fanzha.duties.models import DutyEntry, UnitSector
from fanzha.duties.seeds import load_defaults
from fanzha.duties.tests.conftest import act

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_grid_worker_behind_and_liaison_ticks_ledger(phone_page, tree, personas):
    """grid1 opens 职责 on a phone and reads 落后 1/2; the liaison picks the bank ledger, ticks today and sees it counted."""
    from playwright.sync_api import expect

    load_defaults()
    act(tree.g1, user=personas.grid1, venue="family", on=timezone.localdate())
    UnitSector.objects.create(unit=tree.unit, sector="bank")
    page = phone_page
    browser_login(page, "grid1")
    page.goto(page.base + "/duties/")
    mine = page.locator(".duty-row.is-behind", has_text="网格员每季度六进宣传").first
    expect(mine).to_contain_text("落后：1/2")
    assert _width(page) <= 390
    page.context.clear_cookies()

    browser_login(page, "liaison")
    page.goto(page.base + "/duties/")
    page.get_by_role("link", name="登记台账").click()
    page.select_option("#row", label=page.locator("#row option", has_text="银行LED/ATM").first.inner_text())
    page.fill("#note", "LED屏滚动播放，柜台已提醒")
    page.get_by_role("button", name="登记").click()
    expect(page.get_by_role("status")).to_contain_text("已登记")
    assert _width(page) <= 390
    assert DutyEntry.objects.filter(unit=tree.unit, duty__seed_key="bank_prompts").count() == 1
    expect(page.locator(".duty-row", has_text="银行LED/ATM").first).to_contain_text("已完成 1/1")
