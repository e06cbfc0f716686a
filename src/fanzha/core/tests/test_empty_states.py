"""Empty lists, tables and charts say so in words, and money keeps one unit per page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

SRC = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(SRC.glob("**/templates/**/*.html"))

# Loops over rows that may not carry {% empty %}: the view never renders them empty (it answers "" instead), or
# the rows are one record's own details shown only when present.
ROWS_NEVER_EMPTY = {
    ("org/templates/org/_node_rows.html", "rows"),  # the whole table is inside {% if rows %}
    ("risk/templates/risk/_my_overdue.html", "mine"),  # the view answers "" when nothing is overdue
    ("supervision/templates/supervision/_points.html", "points"),  # included only {% if points %}
    ("alerts/templates/alerts/conflicts.html", "c.differences"),  # a conflict has at least one difference
    ("cases/templates/cases/case_detail.html", "ch.changes.items"),  # a change record lists what changed
    ("alerts/templates/alerts/upload.html", "errors_shown"),  # shown only when the upload has errors
    ("org/templates/org/io/import.html", "errors_shown"),  # shown only when the import has errors
    ("org/templates/org/io/import.html", "result.counts.items"),  # a finished import has counts
    ("alerts/templates/alerts/settings.html", "r.rule_form"),  # a form's fields
    ("risk/templates/risk/calendar.html", "cal.rows"),  # one row per community of a non-empty tree
    ("outreach/templates/outreach/report_preview.html", "t.rows"),
    ("risk/templates/risk/key_person_detail.html", "categories"),  # one row per fixed category
}


def _row_loops(text: str):
    """(iterable, has_empty, text before) for each {% for %} whose body starts with a table row or list item."""
    stack, out = [], []
    for t in re.finditer(r"{%\s*(for|empty|endfor)\b([^%]*)%}", text):
        kind = t.group(1)
        if kind == "for":
            stack.append([t, False])
        elif kind == "empty":
            stack[-1][1] = True
        else:
            start, has_empty = stack.pop()
            body = text[start.end():t.start()].lstrip()
            if body.startswith(("<tr", "<li")):
                iterable = start.group(2).split(" in ", 1)[1].split("|")[0].strip()
                out.append((iterable, has_empty, text[max(0, start.start() - 1200):start.start()]))
    return out


def test_every_list_and_table_says_when_it_is_empty():
    """A loop that renders table rows or list items has a translated {% empty %} row, or sits inside an
    {% if %} on the same rows; otherwise an empty period shows a bare table header."""
    bare = []
    for path in TEMPLATES:
        rel = path.relative_to(SRC).as_posix()
        for iterable, has_empty, before in _row_loops(path.read_text(encoding="utf-8")):
            last = iterable.split(".")[-1]
            guarded = re.search(r"{%\s*(if|with)\b[^%]*\b" + re.escape(last) + r"\b", before)
            if not has_empty and not guarded and (rel, iterable) not in ROWS_NEVER_EMPTY:
                bare.append(f"{rel}: for … in {iterable}")
    assert bare == []


@pytest.mark.parametrize("data", [None, [], [{"label": "刷单返利", "count": 0}], {"months": ["2025-01"], "n": [0, 0]}, 0])
def test_a_chart_with_nothing_to_draw_says_so(data):
    """chart_empty puts "暂无" before the chart (app.css hides the blank chart after it); English on English pages."""
    t = Template("{% load fz %}{% chart_empty data %}")
    assert t.render(Context({"data": data})) == '<p class="muted chart-empty">暂无</p>'
    with translation.override("en"):
        assert "None yet" in t.render(Context({"data": data}))


@pytest.mark.parametrize("data", [[{"label": "刷单返利", "count": 2}], {"series": {"n": [0, 1]}}, 3])
def test_a_chart_with_figures_is_drawn(data):
    """Any non-zero figure, however nested, keeps the chart."""
    assert Template("{% load fz %}{% chart_empty data %}").render(Context({"data": data})) == ""


def test_the_blank_chart_is_hidden_by_the_shared_stylesheet():
    """The rule that hides the chart element right after the empty message is in the one stylesheet."""
    css = (SRC / "static" / "fanzha" / "app.css").read_text(encoding="utf-8")
    assert ".chart-empty + * { display:none !important; }" in css


def test_money_goes_through_the_shared_filters_with_one_unit_per_page():
    """Amounts are written with `fz`'s |yuan or |wan, never both on one page and never as bare numbers."""
    money = re.compile(r"{{\s*[\w.]*(loss|amount|stopped)\b[^}]*}}")
    mixed, bare = [], []
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(SRC).as_posix()
        if "|yuan" in text and "|wan" in text:
            mixed.append(rel)
        for m in money.finditer(text):
            if not re.search(r"\|(yuan|wan)\b|form\.", m.group(0)):
                bare.append(f"{rel}: {m.group(0)}")
    assert mixed == [] and bare == []
    assert not (SRC / "alerts" / "templatetags" / "alerts_tags.py").read_text(encoding="utf-8").count("def wan(")



@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/cases/stats/?period=2001", "/analysis/?period=2001", "/alerts/figures/?period=2001"])
def test_figures_pages_of_an_empty_period_say_so(login, personas, url):
    """A period with no cases or alerts renders its tables and charts with "暂无", not blank."""
    page = login(personas.office).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="muted chart-empty"' in html or 'class="muted">暂无' in html
