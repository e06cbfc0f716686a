"""In a real browser at phone size: the office downloads the semimonthly report as a PDF to forward it."""

from __future__ import annotations

import pytest

from fanzha.conftest import browser_login
from fanzha.core.tests.test_documents import needs_lo
from fanzha.outreach.tests.test_reports import REPORT_DAY, records  # noqa: F401 — the outreach records fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@needs_lo
def test_office_downloads_the_report_as_pdf_on_a_phone(phone_page, tree, personas, records, tmp_path):  # noqa: F811
    """On the reports page at 390 px the office sets the date and taps 下载PDF beside Word and Excel: a PDF arrives."""
    from playwright.sync_api import expect

    page = phone_page
    browser_login(page, "office")
    page.goto(page.base + "/outreach/reports/")
    form = page.locator("form", has=page.locator("#sm-node"))
    expect(form.get_by_role("button", name="下载Word")).to_be_visible()
    pdf_button = form.get_by_role("button", name="下载PDF")
    expect(pdf_button).to_be_visible()
    page.select_option("#sm-node", str(tree.street.pk))
    page.fill("#sm-date", REPORT_DAY.isoformat())
    with page.expect_download(timeout=120_000) as dl:
        pdf_button.click()
    download = dl.value
    assert download.suggested_filename.endswith(".pdf") and "西门街道" in download.suggested_filename
    path = tmp_path / "report.pdf"
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
