"""Home page and tree browsing: figures, children with their figures, bounded queries, English."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fanzha.core.idnumbers import make_id_number
from fanzha.org import services
from fanzha.org.models import Level


def _figure(html: str, key: str) -> int:
    m = re.search(rf'fig-{key}"><div class="n">([\d,]+)<', html)
    assert m, key
    return int(m.group(1).replace(",", ""))


def test_office_home_figures_and_children(login, personas, tree):
    """The office's home shows the street's figures and each community's figures."""
    html = login(personas.office).get("/").content.decode()
    assert _figure(html, "residents") == 4 and _figure(html, "households") == 3
    assert _figure(html, "floating") == 2 and _figure(html, "elderly") == 1 and _figure(html, "elderly_alone") == 1
    assert _figure(html, "students") == 1 and _figure(html, "units") == 1 and _figure(html, "staff") == 1
    assert f'href="/nodes/{tree.street.pk}/"' in html
    # children table: one row per community, with that community's counts
    row_c1 = re.search(rf'/nodes/{tree.c1.pk}/">东关社区</a>.*?</tr>', html, re.S).group(0)
    assert 'data-label="居民"><a href="/residents/?node=%d">3</a>' % tree.c1.pk in row_c1
    row_c2 = re.search(rf'/nodes/{tree.c2.pk}/">南门社区</a>.*?</tr>', html, re.S).group(0)
    assert 'data-label="流动人口">1<' in row_c2
    assert "北关社区" not in html and "刘洋" not in html


def test_grid_home(login, personas, tree):
    """A grid worker's home shows their grid's figures and its household groups."""
    html = login(personas.grid1).get("/").content.decode()
    assert _figure(html, "residents") == 2 and _figure(html, "households") == 1 and _figure(html, "students") == 1
    assert tree.g1.name in html and tree.g1a.name in html
    assert tree.g2.name not in html


def test_gridleader_home_lists_both_grids(login, personas, tree):
    """A grid leader of two grids sees both grids as rows, each with its own figures."""
    html = login(personas.gridleader).get("/").content.decode()
    assert _figure(html, "residents") == 3
    assert tree.g1.name in html and tree.g2.name in html and tree.g3.name not in html


def test_liaison_home_shows_unit(login, personas, tree):
    """A liaison's home shows their unit and its staff count."""
    html = login(personas.liaison).get("/").content.decode()
    assert _figure(html, "units") == 1 and _figure(html, "staff") == 1 and _figure(html, "residents") == 0
    assert f'/units/{tree.unit.pk}/' in html and "西门小学" in html


def test_node_page_breadcrumbs_children_households(login, personas, tree):
    """A grid page shows its place in the tree, its groups and its households."""
    html = login(personas.community).get(f"/nodes/{tree.g1.pk}/").content.decode()
    assert f'<a href="/nodes/{tree.c1.pk}/">东关社区</a>' in html
    assert "<span>西门街道</span>" in html  # above the user's scope: named, not linked
    assert tree.g1a.name in html and tree.h1.address in html
    assert f"/residents/?node={tree.g1.pk}" in html
    assert f"/households/new/?node={tree.g1.pk}" in html


def test_group_page_lists_households(login, personas, tree):
    """A household group page lists its households with their head count."""
    html = login(personas.grouphead).get(f"/nodes/{tree.g1a.pk}/").content.decode()
    assert tree.h1.address in html and 'data-label="人数">2<' in html


def _grow(tree, n: int, tag: str) -> None:
    """More communities, grids, groups, households and residents under the street."""
    for i in range(n):
        c = services.node_create(parent=tree.street, level=Level.COMMUNITY, code=f"X{tag}{i}", name=f"新社区{tag}{i}")
        g = services.node_create(parent=tree.g1, level=Level.GROUP, code=f"Y{tag}{i}", name=f"新联户{tag}{i}")
        cg = services.node_create(parent=c, level=Level.GRID, code=f"Z{tag}{i}", name=f"新网格{tag}{i}")
        for k, parent in enumerate((g, services.node_create(parent=cg, level=Level.GROUP, code=f"W{tag}{i}", name=f"W{tag}{i}"))):
            h = services.household_create(node=parent, address=f"{parent.code}号")
            for j in range(3):
                services.resident_create(household=h, name=f"居民{tag}{i}{j}", phone=f"137000{i:02d}{k}{j}{len(tag)}",
                                         id_number=make_id_number("110101", dt.date(1940 + i, 1 + k, 1 + j), 100 + len(tag)))
        services.unit_create(node=c, name=f"单位{tag}{i}", kind="company")


# The campaign tiles (alerts 1, cases 2 + 1 per target, outreach roll-up ~10) load after the home page;
# a search by number (here the last four digits) also takes from the user's allowance and is audited.
PAGES_WITH_BOUND = [("office", "/", 16), ("grid1", "/", 16), ("office", "/home/campaign/", 24), ("grid1", "/home/campaign/", 24), ("office", "/residents/", 10), ("grid1", "/residents/", 10),
                    ("office", "/residents/?q=居民", 10), ("office", "/residents/?q=8001", 20), ("grid1", "/nodes/{g1}/", 20), ("office", "/units/", 10)]


@pytest.mark.parametrize("who,url,limit", PAGES_WITH_BOUND)
def test_query_count_bounded(login, personas, tree, django_assert_max_num_queries, who, url, limit):
    """Home, node and list pages run a small number of queries that does not grow with the data."""
    c = login(getattr(personas, who))
    url = url.format(g1=tree.g1.pk)

    def count():
        cache.clear()  # measure the uncached path: cached street figures would hide queries
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    _grow(tree, 2, "a")
    before = count()
    _grow(tree, 8, "bb")
    cache.clear()
    with django_assert_max_num_queries(limit):
        assert c.get(url).status_code == 200
    assert count() <= before  # never more with more data (a first request may set up what later ones reuse)


# --- English -------------------------------------------------------------------


def _english(c):
    from django.conf import settings

    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return c


def test_browser_language_alone_keeps_chinese(login, personas, tree):
    """An English browser still gets Chinese until the user picks English."""
    html = login(personas.office).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hans">' in html


def test_english_by_cookie(login, personas, tree):
    """With the language cookie set to English the pages show English labels."""
    c = _english(login(personas.office))
    html = c.get("/").content.decode()
    assert '<html lang="en">' in html
    for label in ["Households", "Residents", "Floating population", "Elderly living alone", "Sign out"]:
        assert label in html, label
    assert "居民名单" not in html
    html = c.get(f"/residents/{tree.r1.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "ID number" in html and "Show full numbers" in html


def test_english_by_language_switch(login, personas, tree):
    """The header's language switch sets English for the following pages, and back."""
    c = login(personas.grid1)
    resp = c.post("/i18n/setlang/", {"language": "en", "next": "/residents/"})
    assert resp.status_code == 302 and resp.url == "/residents/"
    html = c.get("/residents/").content.decode()
    assert "Search" in html and "Name, phone or ID number" in html
    c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "居民" in c.get("/residents/").content.decode()


def test_english_error_pages_and_messages(login, personas, tree):
    """404 and 403 pages and service messages come out in English too."""
    c = _english(login(personas.leader))
    assert "Not found" in c.get("/residents/999999/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No permission" in c.post(f"/residents/{tree.r1.pk}/edit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    c = _english(login(personas.grid1))
    html = c.post(f"/residents/new/?household={tree.h1.pk}", {"name": "x", "residency": "permanent", "id_number": "110101195003071231"},
                  HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "check digit" in html.lower()


def test_chinese_by_default(login, personas, tree):
    """Without a language preference the pages are in Chinese."""
    html = login(personas.office).get("/").content.decode()
    assert '<html lang="zh-hans">' in html and "户数" in html and "独居老人" in html


def test_street_figures_read_from_maintained_counts(login, personas, tree):
    """The street's counts are read from the maintained head counts (no resident is counted on a view)
    and change at once after a write."""
    c = login(personas.office)

    def resident_counts(ctx):
        return [q for q in ctx.captured_queries if "org_resident" in q["sql"] and "COUNT" in q["sql"].upper()]

    with CaptureQueriesContext(connection) as ctx:
        first = c.get("/").context["figures"]
    assert not resident_counts(ctx)
    assert dict((k, n) for k, _l, n in first)["residents"] == 4
    services.resident_create(household=tree.h3, name="新居民")
    after = dict((k, n) for k, _l, n in c.get("/").context["figures"])
    assert after["residents"] == 5
