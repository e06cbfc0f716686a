"""In a real browser at 390 px: the police register a case against a registered resident."""

from __future__ import annotations

import pytest

from fanzha.cases.models import Case
from fanzha.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_police_register_case_on_registered_resident_at_phone_width(phone_page, tree, personas):
    """Search the victim (Enter searches, never saves), pick her, fill the case, save: registered on her."""
    from playwright.sync_api import expect

    page = phone_page
    browser_login(page, "police")
    page.goto(page.base + "/cases/new/")
    page.fill("#victim_q", "李秀英")
    page.press("#victim_q", "Enter")
    pick = page.locator(f'#victim-results input[name="victim"][value="{tree.r2.pk}"]')
    expect(pick).to_be_visible()
    assert "/cases/new/" in page.url and not Case.objects.exists()
    pick.check()
    page.fill("#id_loss", "3500")
    page.select_option("#id_channel", "phone")
    page.fill("#id_narrative", "对方自称客服，称需刷单返利")
    page.select_option("#id_fraud_type", "rebate_task")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("button[data-save]")
    expect(page.locator("h1")).not_to_contain_text("登记案件")
    case = Case.objects.get()
    assert case.victim_id == tree.r2.pk and case.community_id == tree.c1.id
    expect(page.locator("body")).to_contain_text("李秀英")
