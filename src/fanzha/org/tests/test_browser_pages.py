"""The pages in a real browser at phone size (390 px): search, masking, scope, no sideways scroll."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fanzha.conftest import browser_login
from fanzha.core.models import AuditAction, AuditLog

SHOTS = Path(os.environ.get("FANZHA_SHOTS", "/tmp/fz-shots"))

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_grid_worker_on_phone(phone_page, tree, personas):
    """grid1 on a phone finds a resident of grid 1 with the phone masked, and cannot open one of grid 2."""
    from playwright.sync_api import expect

    page = phone_page
    browser_login(page, "grid1")
    assert _page_width(page) <= 390
    expect(page.locator("h1")).to_contain_text(tree.g1.name)
    _shot(page, "home-phone.png")

    page.goto(page.base + "/residents/")
    expect(page.locator("#results")).to_contain_text("王小明")
    assert _page_width(page) <= 390

    # Typing searches as you type (htmx), without submitting the form.
    page.locator("#id_q").press_sequentially("王建国", delay=30)
    expect(page.locator("#results")).not_to_contain_text("王小明")
    results = page.locator("#results")
    expect(results).to_contain_text("王建国")
    expect(results).to_contain_text("138****8001")
    assert "13800138001" not in page.content()
    expect(page).to_have_url(page.base + "/residents/?q=%E7%8E%8B%E5%BB%BA%E5%9B%BD&residency=&tag=")
    assert _page_width(page) <= 390

    # A phone number in another format finds the same resident.
    page.fill("#id_q", "")
    page.locator("#id_q").press_sequentially("+86 138-0013-8001", delay=10)
    expect(results).to_contain_text("按号码精确查找")
    expect(results).to_contain_text("王建国")
    page.fill("#id_q", "")
    page.locator("#id_q").press_sequentially("王", delay=10)
    expect(results).to_contain_text("王小明")
    _shot(page, "residents-phone.png")

    # The detail page is masked; the reveal button shows the number and audits it.
    page.click("text=王建国")
    expect(page.locator("h1")).to_contain_text("王建国")
    expect(page.locator("#pii")).to_contain_text("138****8001")
    assert "13800138001" not in page.content()
    assert _page_width(page) <= 390
    page.click("text=显示完整号码")
    expect(page.locator("#pii")).to_contain_text("13800138001")
    expect(page.locator("#pii")).to_contain_text(tree.r1.id_number)
    assert AuditLog.objects.filter(action=AuditAction.REVEAL, target=f"resident:{tree.r1.pk}", username="grid1").count() == 1
    _shot(page, "resident-phone.png")

    # A resident of grid 2, by URL: the same 404 page as for a record that does not exist.
    response = page.goto(page.base + f"/residents/{tree.r2.pk}/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("未找到")
    assert "李秀英" not in page.content()
    assert _page_width(page) <= 390


def test_office_pages_fit_phone(phone_page, tree, personas):
    """The office's wide tables turn into cards and nothing scrolls sideways at 390 px."""
    page = phone_page
    browser_login(page, "office")
    for url in ["/", f"/nodes/{tree.c1.pk}/", f"/nodes/{tree.g1.pk}/", f"/households/{tree.h1.pk}/",
                f"/residents/{tree.r1.pk}/edit/", "/units/", f"/units/{tree.unit.pk}/"]:
        page.goto(page.base + url)
        assert _page_width(page) <= 390, url
    page.goto(page.base + "/")
    _shot(page, "home-office-phone.png")
    page.goto(page.base + f"/units/{tree.unit.pk}/")
    _shot(page, "unit-phone.png")


def test_form_keeps_typed_values_in_browser(phone_page, tree, personas):
    """Submitting a bad ID in the browser shows the error with the typed values still in the fields."""
    from playwright.sync_api import expect

    page = phone_page
    browser_login(page, "grid1")
    page.goto(page.base + f"/residents/new/?household={tree.h1.pk}")
    page.fill("#id_name", "陈错")
    page.fill("#id_id_number", "110101195003071231")
    page.fill("#id_phone", "+86 139 0000 2222")
    page.click("main form.form button[type=submit]")
    expect(page.locator(".errorlist").first).to_be_visible()
    expect(page.locator("body")).to_contain_text("身份证号校验位错误")
    expect(page.locator("#id_id_number")).to_have_value("110101195003071231")
    expect(page.locator("#id_phone")).to_have_value("+86 139 0000 2222")
    expect(page.locator("#id_name")).to_have_value("陈错")
    assert _page_width(page) <= 390
    _shot(page, "form-error-phone.png")
