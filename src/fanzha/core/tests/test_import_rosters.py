"""Real street rosters (花名册): cells merged down over a family's rows, header cells over two lines."""

from __future__ import annotations

import openpyxl
import pytest

from fanzha.org.models import Household, Resident
from fanzha.org.tests.io_helpers import RESIDENT_HEADERS, as_lists, do_import, resident_row


@pytest.fixture
def office(personas):
    return personas.office


def _roster(path, rows, merges, header_breaks=()):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["西门街道东关社区居民花名册"])  # a title row above the header, as rosters have
    table = as_lists(rows, RESIDENT_HEADERS)
    header = [h if h not in header_breaks else h[:2] + "\n" + h[2:] for h in table[0]]
    ws.append(header)
    for r in table[1:]:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    wb.save(path)
    return path


def test_vertically_merged_address_and_head_fill_every_member_row(tmp_path, tree, office):
    """A family's address and head cells merged down over its rows give every member that household."""
    rows = [
        resident_row(1, 地址="东关路8号", 户主="测试1", 与户主关系="户主"),
        resident_row(2, 地址="", 户主="", 与户主关系="配偶", 社区="", 网格="", 十联户=""),
        resident_row(3, 地址="", 户主="", 与户主关系="子女", 社区="", 网格="", 十联户=""),
        resident_row(4, 地址="东关路9号", 户主="测试4", 与户主关系="户主"),
    ]
    col = {h: openpyxl.utils.get_column_letter(i + 1) for i, h in enumerate(RESIDENT_HEADERS)}
    merges = [f"{col[h]}3:{col[h]}5" for h in ("社区", "网格", "十联户", "地址", "户主")]
    path = _roster(tmp_path / "roster.xlsx", rows, merges)
    result = do_import("residents", path, office, tree.street)
    assert result.ok and result.applied, result.summary()
    family = Household.objects.get(address="东关路8号")
    assert sorted(Resident.objects.filter(household=family).values_list("name", flat=True)) == ["测试1", "测试2", "测试3"]
    assert Resident.objects.get(name="测试4").household.address == "东关路9号"


def test_header_cell_with_a_line_break_is_named_on_one_line(tmp_path, tree, office):
    """A header written over two lines matches its column, and errors name it on one line."""
    rows = [resident_row(1, 手机号="12345")]
    path = _roster(tmp_path / "roster.xlsx", rows, [], header_breaks=("身份证号", "手机号"))
    result = do_import("residents", path, office, tree.street)
    assert not result.ok
    assert [e.column for e in result.errors] == ["手机号"]
