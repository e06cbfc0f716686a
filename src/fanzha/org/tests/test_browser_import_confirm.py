"""In a browser at 390 px: the office checks a roster (upload progress shown), then 确认导入 imports the same
file without choosing it again."""

from __future__ import annotations

import pytest

from fanzha.conftest import browser_login
from fanzha.org.models import Resident
from fanzha.org.tests.io_helpers import RESIDENT_HEADERS, as_lists, resident_row, write_xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_check_then_confirm_on_a_phone(phone_page, tree, personas, tmp_path):
    """只检查 → 检查通过 → 确认导入 → 导入完成; nothing written before the confirmation."""
    from playwright.sync_api import expect

    path = write_xlsx(tmp_path / "roster.xlsx", as_lists([resident_row(1), resident_row(2)], RESIDENT_HEADERS))
    before = Resident.objects.count()
    page = phone_page
    browser_login(page, "office")
    page.goto(page.base + "/io/import/residents/")
    page.set_input_files('input[type="file"]', str(path))
    page.get_by_role("button", name="只检查，不写入").click()
    expect(page.locator("#result")).to_contain_text("检查通过")
    assert Resident.objects.count() == before
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("#confirm-import")
    expect(page.locator("#result")).to_contain_text("导入完成")
    assert Resident.objects.count() == before + 2
