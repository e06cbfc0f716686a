"""On a phone (390 px): grid1 records a visit with two installs and a photo, and the grid's rate moves."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fanzha.conftest import browser_login
from fanzha.outreach.models import Evidence, HomeVisit, InstallStatus
from fanzha.outreach.tests.conftest import jpeg_bytes

SHOTS = Path(os.environ.get("FANZHA_SHOTS", "/tmp/fz-shots"))

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_grid_worker_records_a_visit_on_a_phone(phone_page, tree, personas, tmp_path):
    """Dashboard → ranked list → household: tick two app installs, attach a photo, save; the rate goes 0% → 100%."""
    from playwright.sync_api import expect

    page = phone_page
    browser_login(page, "grid1")
    page.goto(page.base + "/outreach/")
    expect(page.locator("h1")).to_contain_text(tree.g1.name)
    expect(page.locator("#fig-app-rate")).to_have_text("0.0%")
    assert _width(page) <= 390
    _shot(page, "outreach-dashboard-before.png")

    page.click("text=点对点走访名单")
    expect(page.locator("#targeted tbody tr").first).to_contain_text(tree.h1.address)
    expect(page.locator("#targeted tbody tr").first).to_contain_text("独居老人")
    assert _width(page) <= 390
    page.locator("#targeted tbody tr").first.get_by_role("link", name="走访", exact=True).click()

    expect(page.locator("h1")).to_have_text(tree.h1.address)
    assert _width(page) <= 390
    page.click(f"label:has(#id_app_{tree.r1.pk})")
    page.click(f"label:has(#id_app_{tree.r1b.pk})")
    expect(page.locator(f"#id_app_{tree.r1.pk}")).to_be_checked()
    photo = tmp_path / "IMG_20261120_101112.jpg"
    photo.write_bytes(jpeg_bytes())
    page.set_input_files("#id_files", str(photo))
    page.fill("#id_note", "讲解刷单返利诈骗，指导安装国家反诈中心APP")
    _shot(page, "outreach-visit-form.png")
    page.get_by_role("button", name="保存走访").click()

    expect(page.locator(".messages")).to_contain_text("已记录走访")
    expect(page.locator(".messages")).to_contain_text("新增安装反诈APP 2人")
    visit = HomeVisit.objects.get()
    assert visit.household_id == tree.h1.pk and "讲解刷单返利诈骗" in visit.note
    assert InstallStatus.objects.filter(app_installed_on__isnull=False).count() == 2
    e = Evidence.objects.get()
    assert e.visit_id == visit.pk and e.taken_at is not None and e.had_gps and not e.gps_kept

    page.goto(page.base + "/outreach/")
    expect(page.locator("#fig-app-rate")).to_have_text("100.0%")
    expect(page.locator("#fig-visited")).to_have_text("1")
    assert _width(page) <= 390
    _shot(page, "outreach-dashboard-after.png")


def test_activity_form_on_a_phone(phone_page, tree, personas, tmp_path):
    """The activity form fits the phone; chips toggle with a tap; a photo named wrongly is refused, input kept."""
    from playwright.sync_api import expect

    page = phone_page
    browser_login(page, "grid1")
    page.goto(page.base + "/outreach/activities/new/")
    assert _width(page) <= 390
    page.click("label:has(input[name=kind][value=lecture])")
    page.click("label:has(input[name=fraud_types][value=rebate_task])")
    page.click("label:has(input[name=fraud_types][value=elderly_health_products])")
    page.fill("#id_place", "东关社区活动室")
    page.fill("#id_participants", "45")
    page.fill("#id_materials", "120")
    bad = tmp_path / "photo.png"
    bad.write_bytes(jpeg_bytes())
    page.set_input_files("#id_files", str(bad))
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".form-errors")).to_contain_text("请重新选择")
    expect(page.locator("#f-files")).to_contain_text("内容是JPEG图片")
    expect(page.locator("#id_place")).to_have_value("东关社区活动室")
    expect(page.locator("input[name=fraud_types][value=elderly_health_products]")).to_be_checked()
    good = tmp_path / "photo.jpg"
    good.write_bytes(jpeg_bytes())
    page.set_input_files("#id_files", str(good))
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已登记宣传活动")
    expect(page.locator(".gallery img")).to_have_count(1)
    assert _width(page) <= 390
    _shot(page, "outreach-activity.png")
