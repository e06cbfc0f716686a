"""Resident search on the list page: name (partial), phone and ID number (exact)."""

from __future__ import annotations

import pytest


def _names(resp) -> str:
    assert resp.status_code == 200
    return resp.content.decode()


@pytest.mark.parametrize("q", ["王建国", "建国", " 建国 "])
def test_search_by_name_partial(login, personas, tree, q):
    """A part of a name finds the resident."""
    html = _names(login(personas.grid1).get("/residents/", {"q": q}))
    assert "王建国" in html and "王小明" not in html


@pytest.mark.parametrize("q", [
    "13800138001", "138 0013 8001", "138-0013-8001", "+86 138 0013 8001", "+8613800138001",
    "008613800138001", "8613800138001", "１３８００１３８００１", "（+86）138-0013-8001",
])
def test_search_by_phone_any_format(login, personas, tree, q):
    """A phone number typed with +86, spaces, dashes or full-width digits finds its resident."""
    html = _names(login(personas.grid1).get("/residents/", {"q": q}))
    assert "王建国" in html and "王小明" not in html
    assert "按号码精确查找" in html


def test_search_by_phone_is_exact(login, personas, tree):
    """Phone search is exact: a neighbouring number finds nobody."""
    html = _names(login(personas.grid1).get("/residents/", {"q": "13800138002"}))
    assert "王建国" not in html and "没有找到居民" in html and "没有登记手机号（含备用电话）13800138002的居民" in html


def test_search_by_id_number(login, personas, tree):
    """An ID number (lower-case x, spaces allowed) finds its resident exactly."""
    idn = tree.r1.id_number
    c = login(personas.grid1)
    assert "王建国" in _names(c.get("/residents/", {"q": idn}))
    assert "王建国" in _names(c.get("/residents/", {"q": f"{idn[:6]} {idn[6:14]} {idn[14:]}"}))


def test_search_other_grid_by_number_finds_nothing(login, personas, tree):
    """A grid worker searching a number of another grid's resident finds nothing."""
    c = login(personas.grid1)
    assert "李秀英" not in _names(c.get("/residents/", {"q": tree.r2.id_number}))
    assert "李秀英" not in _names(c.get("/residents/", {"q": tree.r2.phone}))
    assert "李秀英" in _names(login(personas.office).get("/residents/", {"q": tree.r2.phone}))


@pytest.mark.parametrize("q,why", [
    ("1380013800", "电话号码应为11位"),
    ("12800138001", "号段无效"),
    ("110101195003071231", "校验位错误"),
])
def test_search_invalid_number_says_why(login, personas, tree, q, why):
    """A number that cannot be a phone or ID number gets a clear message, not an empty list."""
    html = _names(login(personas.grid1).get("/residents/", {"q": q}))
    assert why in html and "不是有效的号码" in html
    assert "王建国" not in html


def test_search_box_keeps_query(login, personas, tree):
    """The search box shows what was searched for."""
    html = _names(login(personas.grid1).get("/residents/", {"q": "建国"}))
    assert 'value="建国"' in html


def test_htmx_request_gets_fragment(login, personas, tree):
    """With HX-Request the list answers only the results fragment; without it, the whole page."""
    c = login(personas.grid1)
    frag = c.get("/residents/", {"q": "建国"}, HTTP_HX_REQUEST="true")
    html = frag.content.decode()
    assert '<div id="results">' in html and "<html" not in html and "王建国" in html
    assert "HX-Request" in frag["Vary"]
    full = c.get("/residents/", {"q": "建国"})
    assert "<html" in full.content.decode() and 'hx-get="/residents/"' in full.content.decode()
    restore = c.get("/residents/", {"q": "建国"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restore.content.decode()


@pytest.mark.parametrize("params,present,absent", [
    ({"tag": "elderly"}, ["王建国"], ["王小明"]),
    ({"tag": "elderly_alone"}, ["王建国"], ["王小明"]),
    ({"tag": "student"}, ["王小明"], ["王建国"]),
    ({"tag": "floating"}, ["王小明"], ["王建国"]),
    ({"residency": "temporary"}, ["王小明"], ["王建国"]),
    ({"residency": "permanent"}, ["王建国"], ["王小明"]),
    ({"tag": "nonsense", "residency": "nonsense"}, ["王建国", "王小明"], []),
])
def test_filters(login, personas, tree, params, present, absent):
    """Residency and tag filters narrow the list; unknown values are ignored."""
    html = _names(login(personas.grid1).get("/residents/", params))
    for n in present:
        assert n in html
    for n in absent:
        assert f">{n}<" not in html


def test_node_filter(login, personas, tree):
    """The list filtered to a node holds only that node's residents."""
    html = _names(login(personas.office).get("/residents/", {"node": tree.g2.pk}))
    assert "李秀英" in html and "王建国" not in html and "张伟" not in html
    assert tree.g2.name in html


def test_tags_shown(login, personas, tree):
    """Elderly, living alone, student, temporary and unit staff show as tags."""
    from fanzha.org import services

    services.staff_create(unit=tree.unit, name="王建国", id_number=tree.r1.id_number)
    html = _names(login(personas.grid1).get("/residents/"))
    for tag in ["老人", "独居", "学生", "暂住", "单位职工"]:
        assert 'class="pill' in html and tag in html


def test_pagination(login, personas, tree):
    """Fifty residents a page; the next page keeps the filters."""
    from fanzha.org import services

    for i in range(55):
        services.resident_create(household=tree.h1, name=f"测试{i:02d}")
    c = login(personas.grid1)
    first = _names(c.get("/residents/", {"q": "测试"}))
    assert "测试00" in first and "测试54" not in first
    assert "q=%E6%B5%8B%E8%AF%95&amp;page=2" in first or "q=%E6%B5%8B%E8%AF%95&page=2" in first
    second = _names(c.get("/residents/", {"q": "测试", "page": 2}))
    assert "测试54" in second and "测试00" not in second
    assert _names(c.get("/residents/", {"page": "xyz"}))  # a bad page number shows the first page
