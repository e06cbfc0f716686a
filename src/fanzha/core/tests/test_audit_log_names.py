"""The audit log names every action and object in words, the apps' own actions (assessment, duties) included."""

from __future__ import annotations

import pytest

from fanzha.core.audit import audit

pytestmark = pytest.mark.django_db


def test_app_actions_read_as_words_and_can_be_filtered(login, personas):
    """An assessment attestation shows 认定指标 and 评定结果 with its number, not "assess.attest" / "verdict:99";
    the action filter offers it and keeps only its entries."""
    audit(user=personas.office, action="assess.attest", target="verdict:99", detail="x")
    audit(user=personas.office, action="duty.group", target="group:7", detail="y")
    c = login(personas.office)
    page = c.get("/audit/").content.decode()
    assert "认定指标" in page and "评定结果（编号99）" in page and "登记微信群" in page and "微信群（编号7）" in page
    assert "assess.attest" not in page.split('id="audit-action"', 1)[1].split("</select>", 1)[1]
    assert "verdict:99" not in page
    only = c.get("/audit/?action=assess.attest").content.decode()
    assert "认定指标" in only and "微信群（编号7）" not in only
