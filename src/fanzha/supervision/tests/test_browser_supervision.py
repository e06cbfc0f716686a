"""In a real browser at phone width: the office records a supervision visit and issues a rectification notice,
the department closes it with a photo taken on its phone, the office accepts it, and the leader's overdue list
no longer shows it."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from django.utils import timezone

from fanzha.conftest import browser_login
from fanzha.supervision.models import Rectification, RectificationStatus

SHOTS = Path(os.environ.get("FANZHA_SHOTS", "/tmp/fz-shots"))

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _jpeg_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 140, 90)).save(out, "JPEG")
    return out.getvalue()


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _as(page, username: str) -> None:
    page.context.clear_cookies()
    browser_login(page, username)


def test_rectification_from_visit_to_acceptance_on_a_phone(phone_page, tree, personas, department):
    """At phone size a visit's finding becomes a rectification that the department answers and the office accepts."""
    from playwright.sync_api import expect

    SHOTS.mkdir(parents=True, exist_ok=True)
    page = phone_page
    today = timezone.localdate()

    # 1. The office records a visit to the department with a finding, on a phone.
    _as(page, "office")
    page.goto(page.base + "/supervision/visits/new")
    page.select_option("#id_holder", label="西门街道综合行政执法队（街道部门）")
    page.fill("#id_visited_on", (today - dt.timedelta(days=20)).isoformat())
    page.fill("#id_visitors", "郭敏、陈静")
    page.check('input[name="check_1"][value="problem"]')
    page.fill("#id_finding", "宣传活动台账缺少影像资料")
    assert _fits(page)
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("西门街道综合行政执法队")
    page.click("text=下发整改通知")
    page.fill("#id_requirement", "补齐影像资料并归档")
    page.fill("#id_issued_on", (today - dt.timedelta(days=20)).isoformat())
    page.fill("#id_deadline", (today - dt.timedelta(days=5)).isoformat())  # already late
    page.click("main button[type=submit]")
    expect(page.locator("#rect-status")).to_contain_text("逾期5天")
    rect = Rectification.objects.get()
    page.screenshot(path=str(SHOTS / "supervision-notice-390.png"), full_page=True)

    # 2. The leader sees it at the top of the overdue list.
    _as(page, "leader")
    page.goto(page.base + "/supervision/")
    overdue = page.locator("ul.overdue")
    expect(overdue).to_contain_text("宣传活动台账缺少影像资料")
    expect(overdue).to_contain_text("逾期5天")
    assert _fits(page)

    # 3. The department opens its notice on the phone and reports the fix with a photo.
    _as(page, "dept")
    page.goto(page.base + "/supervision/")
    page.click(f"text={rect.number}")
    page.fill("#id_fix_note", "已补齐5月活动照片并归档")
    page.set_input_files("#id_files", files=[{"name": "fix.jpg", "mimeType": "image/jpeg", "buffer": _jpeg_bytes()}])
    assert _fits(page)
    page.click("main form button:has-text(\"报送\")")
    expect(page.locator("#rect-status")).to_contain_text("待验收")
    expect(page.locator(".photos img")).to_have_count(1)

    # 4. The office accepts it.
    _as(page, "office")
    page.goto(page.base + f"/supervision/rectifications/{rect.pk}/")
    page.click("main button:has-text(\"验收通过\")")
    expect(page.locator("#rect-status")).to_contain_text("已验收")
    assert Rectification.objects.get().status == RectificationStatus.ACCEPTED

    # 5. The leader's overdue list no longer has it.
    _as(page, "leader")
    page.goto(page.base + "/supervision/")
    expect(page.locator("ul.overdue")).not_to_contain_text("宣传活动台账缺少影像资料")
    expect(page.locator("#overdue-total")).to_have_text("0")
    page.screenshot(path=str(SHOTS / "supervision-leader-390.png"), full_page=True)
