"""What every page shares: the larger-text setting, the phone menu, numbers and money the same in both languages."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

pytestmark = pytest.mark.django_db


def test_larger_text_is_chosen_in_the_header_and_kept_in_a_cookie(login, personas):
    """The header's 大字 link stores the choice in a cookie and returns to the same page; every page then scales."""
    c = login(personas.grid1)
    page = c.get("/residents/?q=王").content.decode()
    assert 'class="text-large"' not in page and 'href="?q=%E7%8E%8B&amp;fz_text=large"' in page
    r = c.get("/residents/?q=王&fz_text=large")
    assert r.status_code == 302 and r["Location"] == "/residents/?q=%E7%8E%8B"
    assert r.cookies["fz_text"].value == "large" and r.cookies["fz_text"]["samesite"] == "Lax"
    for url in ("/", "/residents/", "/outreach/"):
        assert '<html lang="zh-hans" class="text-large">' in c.get(url).content.decode()
    assert "标准字号" in c.get("/").content.decode()
    c.get("/?fz_text=normal")
    assert 'class="text-large"' not in c.get("/").content.decode()


def test_larger_text_ignores_other_values_and_posts(login, personas):
    """Only 'large' and 'normal' are taken, only on GET; anything else is the page as usual."""
    c = login(personas.grid1)
    assert c.get("/?fz_text=huge").status_code == 200
    assert "fz_text" not in c.cookies


def test_login_page_offers_larger_text(client):
    """Older users can enlarge the text before logging in."""
    assert "fz_text=large" in client.get("/login/").content.decode()


def test_phone_menu_is_a_wrapped_grid_not_a_sideways_strip():
    """At phone width the main menu wraps into a grid (every entry visible), never an overflow-x strip."""
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static" / "fanzha" / "app.css").read_text()
    phone = css.split("@media (max-width: 640px)", 1)[1]
    nav = next(line for line in phone.splitlines() if line.strip().startswith("header.top nav {"))
    assert "display:grid" in nav and "overflow-x:auto" not in nav and "nowrap" not in nav


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_numbers_read_the_same_in_both_languages(lang):
    """26,700 in Chinese and English alike: Django's own filters and fanzha's |num."""
    t = Template("{% load humanize fz %}{{ n|intcomma }} {{ n|num }} {{ x|num:1 }} {{ x|floatformat:'2g' }}")
    with translation.override(lang):
        assert t.render(Context({"n": 26700, "x": 1234567.25})) == "26,700 26,700 1,234,567.2 1,234,567.25"


def test_money_has_one_unit_and_fraud_types_translate():
    """|yuan and |wan give one unit each; a fraud type stored as plain Chinese is English on English pages."""
    t = Template("{% load fz %}{{ a|yuan }}|{{ a|wan }}|{{ ft|tr }}|{{ none|yuan }}")
    ctx = Context({"a": 4557000, "ft": "刷单返利", "none": None})
    assert t.render(ctx) == "4,557,000 元|455.70 万元|刷单返利|—"
    with translation.override("en"):
        out = t.render(ctx)
    assert out == "CNY 4,557,000|CNY 455.70 × 10,000|Task rebate (click farming)|—"


def test_english_strings_use_ascii_punctuation():
    """Full-width punctuation (，。：；（）！？、【】) belongs to Chinese strings only: no English translation uses it."""
    import re
    from pathlib import Path

    po = (Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    bad = []
    entries = re.findall(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', po, re.M)
    assert len(entries) > 100
    for _msgid, msgstr in entries:
        text = "".join(re.findall(r'"(.*)"', msgstr))
        if re.search(r"[，。：；（）！？、【】]", text) and not re.search(r"[\u4e00-\u9fff]", text):
            bad.append(text)
    assert bad == []
