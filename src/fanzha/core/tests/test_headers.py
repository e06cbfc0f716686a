"""Security headers: a Content-Security-Policy on every page that the pages keep (no inline script anywhere),
HSTS behind HTTPS, no-store on pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from fanzha.conftest import browser_login

SRC = Path(settings.BASE_DIR)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)


def test_no_template_holds_inline_script_or_event_handlers():
    """Every template's script is a static file and its behaviour a data-* attribute (the CSP refuses the rest)."""
    found = []
    for path in SRC.rglob("*.html"):
        if "static" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for rx in (INLINE_SCRIPT, INLINE_HANDLER):
            for m in rx.finditer(text):
                if "json_script" in text[max(0, m.start() - 80):m.start()]:
                    continue
                found.append(f"{path.relative_to(SRC)}: {m.group(0).strip()}")
    assert not found, "\n".join(found)


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client, tree, personas, login):
    """Pages and the login page carry a CSP allowing scripts from this site only."""
    for c, url in ((client, "/login/"), (login(personas.office), "/"), (login(personas.office), "/cases/stats/")):
        policy = c.get(url)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert directives["script-src"] == "'self'", url
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"


@pytest.mark.django_db
def test_hsts_only_behind_https(client, settings):
    """HSTS is sent when served over HTTPS behind the proxy, never over plain HTTP."""
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert "max-age=31536000" in client.get("/login/", HTTP_X_FORWARDED_PROTO="https")["Strict-Transport-Security"]
    assert "Strict-Transport-Security" not in client.get("/login/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_charts_and_behaviours_run_under_the_policy(desk_page, tree, personas):
    """Under the CSP the statistics charts draw and the autosubmit behaviour works, with no CSP error."""
    from django.utils import timezone

    from fanzha.cases import services as cases

    today = timezone.localdate()
    # A case this month, so the trend has something to draw (an empty chart gives way to 暂无).
    cases.case_register(user=personas.office, reported_on=today, loss_on=today, loss=1000,
                        fraud_type="rebate_task", community=tree.c1, victim_name="甲")
    page = desk_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    browser_login(page, "office")
    page.goto(page.base + "/cases/stats/")
    page.wait_for_selector("#chart-trend canvas")
    page.goto(page.base + "/units/")
    with page.expect_navigation():
        page.select_option("#id_kind", "school")
    assert "kind=school" in page.url
    assert errors == []
