"""The office imports residents through the page in a real browser: the template,
a bad file's row report, then a good file's counts; also at phone width."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest

from fanzha.conftest import browser_login
from fanzha.org.models import Resident
from fanzha.org.tests.io_helpers import BAD_ID, RESIDENT_HEADERS, as_lists, resident_row, write_xlsx

SHOTS = Path(os.environ.get("FANZHA_SHOTS", "/tmp/fz-shots"))

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_imports_residents_through_the_page(desk_page, tree, personas, tmp_path):
    """office: downloads the template, uploads a file with bad rows and sees the row report
    (row numbers, columns, reasons) with nothing kept; then a good file and sees the counts."""
    from playwright.sync_api import expect

    page = desk_page
    browser_login(page, "office")
    page.click("text=导入导出")
    expect(page.locator("h1")).to_have_text("数据导入")

    with page.expect_download() as download:
        page.locator("#kind-residents").get_by_text("下载模板").click()
    assert download.value.suggested_filename == "residents-template.xlsx"
    download.value.save_as(tmp_path / "template.xlsx")
    template = openpyxl.load_workbook(tmp_path / "template.xlsx")
    assert [c.value for c in template.worksheets[0][1]][:4] == ["社区", "网格*", "十联户", "地址*"]

    ws = template.worksheets[0]
    headers = [c.value.rstrip("*") for c in ws[1]]
    bad_rows = [resident_row(1), resident_row(2, 身份证号=BAD_ID), resident_row(3, 网格="北关第一网格", 社区="")]
    for row in bad_rows:
        ws.append([row.get(h, "") for h in headers])
    bad = tmp_path / "居民-有错.xlsx"
    template.save(bad)
    before = Resident.objects.count()

    form = page.locator("#kind-residents form")
    form.locator("input[type=file]").set_input_files(str(bad))
    form.locator("button[name=go]").click()
    report = page.locator("table.row-report")
    expect(report).to_be_visible()
    expect(page.locator("#result h2")).to_have_text("未导入")
    body = report.locator("tbody tr")
    expect(body).to_have_count(2)
    expect(body.nth(0)).to_contain_text("4")  # row 1 header, row 2 example, rows 3.. data
    expect(body.nth(0)).to_contain_text("身份证号校验位错误")
    expect(body.nth(1)).to_contain_text("5")
    expect(body.nth(1)).to_contain_text("未知网格“北关第一网格”")
    assert Resident.objects.count() == before
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "import-report.png"), full_page=True)

    good = write_xlsx(tmp_path / "good.xlsx", as_lists([resident_row(1), resident_row(2)], RESIDENT_HEADERS))
    form = page.locator("form.import-form")
    form.locator("input[type=file]").set_input_files(str(good))
    form.locator("button[name=go]").click()
    expect(page.locator("#result h2")).to_have_text("导入完成")
    counts = page.locator("table.import-counts")
    expect(counts.locator("tr", has_text="居民")).to_contain_text("2")
    assert Resident.objects.count() == before + 2
    page.screenshot(path=str(SHOTS / "import-done.png"), full_page=True)


def test_import_page_fits_a_phone(phone_page, tree, personas):
    """The import page has no sideways scroll at 390 px."""
    page = phone_page
    browser_login(page, "office")
    page.goto(page.base + "/io/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
