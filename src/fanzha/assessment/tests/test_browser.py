"""In a real browser at 390 px: the office opens the year's assessment, attests, overrides with a reason, publishes."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from fanzha.assessment.models import Assessment, Verdict
from fanzha.assessment.tests.conftest import make_case
from fanzha.conftest import browser_login

SHOTS = Path(os.environ.get("FANZHA_SHOTS", "/tmp/fz-shots"))

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_office_assesses_and_publishes_on_a_phone(phone_page, tree, personas):
    """At phone size the office runs an assessment, attests, overrides with a reason and publishes the list."""
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    make_case(node=tree.c1, reported_on=dt.date(2025, 6, 1), loss="500000")
    page = phone_page
    browser_login(page, "office")
    page.goto(page.base + "/assessment/")
    page.fill("#id_period", "2025")
    page.click("text=开始考核")
    expect(page.locator("h1")).to_contain_text("2025年无诈社区、无诈单位创建名单")
    assert _width(page) <= 390

    # 东关社区 fails on the 500,000-yuan case: the office attests its duties, then overrides with a reason.
    page.click("a.title:has-text('东关社区')")
    expect(page.locator("#c-major")).to_contain_text("有1起50万元以上案件")
    page.click("#c-duties summary")
    page.fill("#note-duties", "查阅走访台账、活动照片")
    page.click("#c-duties button[type=submit]")
    expect(page.locator("#c-duties")).to_contain_text("已认定")
    page.click("#override summary")
    page.select_option("#id_outcome", "pass")
    page.click("#override button[type=submit]")
    expect(page.locator(".form-errors")).to_be_visible()  # no reason: refused, nothing lost
    page.fill("#id_reason", "受害人实际居住在外地，经派出所核实不属本社区")
    page.click("#override button[type=submit]")
    expect(page.locator(".notice")).to_contain_text("经派出所核实")
    assert _width(page) <= 390
    page.screenshot(path=str(SHOTS / "assessment-verdict-phone.png"), full_page=True)

    # Publishing with the others unattested is refused with the list; attest them and publish.
    page.click(".breadcrumbs a")
    page.click("text=公布结果")
    expect(page.locator(".messages")).to_contain_text("南门社区")
    for name, key in (("南门社区", "duties"), ("西门小学", "outreach")):
        page.click(f"a.title:has-text('{name}')")
        page.click(f"#c-{key} summary")
        page.fill(f"#note-{key}", "台账齐全")
        page.click(f"#c-{key} button[type=submit]")
        expect(page.locator(f"#c-{key}")).to_contain_text("已认定")
        page.click(".breadcrumbs a")
    page.click("text=公布结果")
    expect(page.locator(".messages")).to_contain_text("已公布")
    expect(page.locator("text=重新考核（新建一轮）")).to_be_visible()
    assert _width(page) <= 390
    page.screenshot(path=str(SHOTS / "assessment-run-phone.png"), full_page=True)
    run = Assessment.objects.get()
    assert run.status == "published"
    c1 = Verdict.objects.get(assessment=run, subject=tree.c1)
    assert (c1.computed, c1.outcome) == ("fail", "pass") and "派出所" in c1.override_reason
