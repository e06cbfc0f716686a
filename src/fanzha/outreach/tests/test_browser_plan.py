"""On a phone (390 px): the office sets this year's campaign, sees the department that is behind, and opens the
home-visit rate with the households not yet reached."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fanzha.conftest import browser_login
from fanzha.org.models import StaffMember, Unit, UnitKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_office_campaign_departments_and_visit_rate_on_a_phone(phone_page, tree, personas):
    """Campaign by form → departments view lists the department without installs as behind → 入户宣传率 lists 东关's households."""
    from playwright.sync_api import expect

    u = Unit(node=tree.street, name="综合执法队", kind=UnitKind.STREET_DEPARTMENT)
    u.place_at(tree.street)
    u.save()
    s = StaffMember(unit=u, name="执法一")
    s.place_like(u)
    s.save()
    page = phone_page
    browser_login(page, "office")
    page.goto(page.base + f"/outreach/targets/?node={tree.street.pk}")
    year = timezone.localdate().year + 1
    page.select_option("#id_campaign-node", str(tree.street.pk))
    # 目标 chips start on the campaign (30/60/100%)
    page.fill("#id_campaign-year", str(year))
    page.locator("form:has(input[name=action][value=campaign]) button[type=submit]").click()
    page.goto(page.base + f"/outreach/targets/?node={tree.street.pk}&group=departments")
    expect(page.locator("#progress")).to_contain_text("综合执法队")
    assert _width(page) <= 390
    page.click("#coverage-link")
    expect(page.locator("h1")).to_contain_text("入户宣传率")
    page.goto(page.base + f"/outreach/coverage/?node={tree.c1.pk}&p=month")
    expect(page.locator("#not-reached")).to_contain_text(tree.h1.address)
    assert _width(page) <= 390
