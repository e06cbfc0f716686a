"""In a real browser at phone size (390 px): an anonymous reporter submits a clue with a photo, the office
checks it and hands it to the police station, the station answers, the office closes it, and the reporter's
lookup shows the outcome. The public pages have zero axe-core violations."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from fanzha.clues.models import Clue, Status
from fanzha.clues.tests.conftest import png_bytes, solve
from fanzha.conftest import browser_login
from fanzha.core.tests.browser import axe_violations, page_width

SHOTS = Path(os.environ.get("FANZHA_SHOTS", "/tmp/fz-shots"))

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phone(chromium, base):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base = base
    return page


_width = page_width


def _axe(page) -> list:
    return axe_violations(page, page.base, tags=None)  # every rule, best practices included


def test_anonymous_report_to_outcome_at_phone_size(phone_page, _chromium, live_server, tree, personas, tmp_path):
    """At phone size an anonymous report with a photo is checked, handed to the station, answered, and its outcome looked up."""
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    page = phone_page
    page.goto(page.base + "/report/S/")
    expect(page.locator("h1")).to_have_text("举报诈骗线索")
    assert _axe(page) == [], json.dumps(_axe(page), ensure_ascii=False)

    # The reporter types, forgets the sum: the page keeps what was typed and asks again.
    page.fill("#id_summary", "有人打电话自称公安局，让我把钱转到安全账户")
    page.select_option("#id_community", str(tree.c1.pk))
    page.fill("#id_phones", "139 1234 5678")
    photo = tmp_path / "screenshot.png"
    photo.write_bytes(png_bytes((300, 600)))
    page.set_input_files("#id_photos", str(photo))
    page.check("#id_anonymous")
    page.click("#submit-report")
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#id_summary")).to_have_value("有人打电话自称公安局，让我把钱转到安全账户")
    assert _width(page) <= 390
    assert _axe(page) == []
    page.screenshot(path=str(SHOTS / "clues-public-form-phone.png"), full_page=True)
    question = page.locator("label[for=id_answer]").inner_text()
    page.fill("#id_answer", solve(question))
    page.set_input_files("#id_photos", str(photo))
    page.click("#submit-report")
    expect(page.locator("#receipt")).to_be_visible()
    receipt = page.locator("#receipt").inner_text().strip()
    assert re.fullmatch(r"\d{4} \d{4} \d{4}", receipt)
    assert _width(page) <= 390 and _axe(page) == []
    page.screenshot(path=str(SHOTS / "clues-public-receipt-phone.png"), full_page=True)
    clue = Clue.objects.get()
    assert clue.anonymous and clue.files.count() == 1 and clue.status == Status.NEW

    # The office checks it on a phone and hands it to the police station (吹哨).
    office = _phone(_chromium, live_server.url)
    browser_login(office, "office")
    office.goto(office.base + "/clues/")
    office.locator(f'[data-clue="{clue.pk}"]').click()
    expect(office.locator("#clue-status")).to_have_text("待核查")
    office.check('input[name="verdict"][value="real"]')
    office.click("#check-button")
    expect(office.locator("#clue-status")).to_have_text("待交办")
    office.select_option("#id_target", "police")
    office.fill("#id_days", "3")
    office.fill("#id_instructions", "请核查号码并回访")
    office.click("#handoff-button")
    expect(office.locator("#clue-status")).to_have_text("已交办")
    assert _width(office) <= 390
    office.screenshot(path=str(SHOTS / "clues-handoff-phone.png"), full_page=True)

    # The station (an officer) answers from a phone (报到).
    police = _phone(_chromium, live_server.url)
    browser_login(police, "police")
    police.goto(police.base + "/clues/?tab=handed")
    police.locator(f'[data-clue="{clue.pk}"]').click()
    police.check('input[name="accepted"][value="yes"]')
    police.fill("#id_action", "已对号码开展调查")
    police.fill("#id_result", "已立案侦查")
    police.click("#answer-button")
    expect(police.locator("#clue-status")).to_have_text("部门已报到")
    assert _width(police) <= 390

    # The office closes it with the outcome.
    office.reload()
    office.check('input[name="outcome"][value="case_opened"]')
    office.click("#close-button")
    expect(office.locator("#clue-status")).to_have_text("已办结")
    expect(office.locator("#timeline")).to_contain_text("报到")

    # The reporter looks it up with the receipt code.
    page.goto(page.base + "/r/")
    assert _axe(page) == []
    page.fill("#id_code", receipt)
    page.click("#lookup-button")
    expect(page.locator("#result-status")).to_have_text("已办结")
    expect(page.locator("#result-outcome")).to_contain_text("立案")
    assert "已对号码开展调查" not in page.content() and "office" not in page.locator("main").inner_text()
    assert _width(page) <= 390 and _axe(page) == []
    page.screenshot(path=str(SHOTS / "clues-lookup-phone.png"), full_page=True)
    for p in (office, police):
        p.context.close()


def test_sweep_finding_to_clue_in_one_tap_at_phone_size(phone_page, tree, personas):
    """At 390 px a grid worker taps 转为线索 beside a flagged person on the sweep page and lands on the new clue."""
    from playwright.sync_api import expect

    from fanzha.clues.tests.test_workflow import _finding_records

    sweep, _check, _calm, person = _finding_records(tree, personas)
    page = phone_page
    browser_login(page, "grid1")
    page.goto(page.base + f"/risk/sweeps/{sweep.pk}/")
    button = page.locator(f'[data-clue-from="sweep-person-{person.pk}"]')
    expect(button).to_be_visible()
    assert _width(page) <= 390
    button.click()
    page.wait_for_url(re.compile(r"/clues/\d+/$"))
    expect(page.locator("body")).to_contain_text("流动人员甲")
    assert _width(page) <= 390
    assert Clue.objects.get().source == "sweep"
