"""Importing the org tree, units, and unit staff with their families."""

from __future__ import annotations

import datetime as dt

import pytest

from fanzha.core import pii
from fanzha.core.idnumbers import make_id_number
from fanzha.org.models import FamilyMember, Level, Node, StaffMember, Unit
from fanzha.org.tests.io_helpers import BAD_ID, do_import, new_id, reasons, write_csv, write_xlsx

ORG = ["社区编码", "社区", "网格编码", "网格", "十联户编码", "十联户"]
UNITS = ["单位名称", "单位类型", "所属社区", "所属网格", "地址", "联系人"]
STAFF = ["单位名称", "姓名", "身份证号", "手机号", "职务", "用工形式", "与职工关系", "职工身份证号"]


def imp(kind, tmp_path, tree, user, table, name="f.xlsx", **kw):
    path = tmp_path / name
    (write_csv if name.endswith(".csv") else write_xlsx)(path, table)
    return do_import(kind, path, user, tree.street, **kw)


# --- org tree -----------------------------------------------------------------------------


def test_org_tree_created_and_reimport_unchanged(tmp_path, tree, personas):
    """Communities, grids and groups are created under the street (codes generated when empty); again: unchanged."""
    table = [ORG,
             ["", "西关社区", "", "西关第一网格", "", "西关1-1联户"],
             ["", "西关社区", "", "西关第一网格", "", "西关1-2联户"],
             ["XG-C2", "新村", "XG-C2-G1", "新村网格", "", ""],
             ["S-C1", "东关社区", "", "东关第一网格", "", "东关1-9联户"]]  # existing community and grid, new group
    before = Node.objects.count()
    result = imp("org", tmp_path, tree, personas.office, table)
    assert result.ok, reasons(result) or result.file_error
    assert result.counts == {"社区": {"created": 2, "updated": 0, "unchanged": 1},
                             "网格": {"created": 2, "updated": 0, "unchanged": 1},
                             "十联户": {"created": 3, "updated": 0, "unchanged": 0}}
    assert Node.objects.count() == before + 7
    west = Node.objects.get(name="西关社区")
    assert west.parent == tree.street and west.code.startswith("S-") and west.street_id == tree.street.id
    group = Node.objects.get(name="西关1-2联户")
    assert group.level == Level.GROUP and group.community_id == west.id and group.grid.name == "西关第一网格"
    assert Node.objects.get(code="XG-C2-G1").parent.code == "XG-C2"
    assert Node.objects.get(name="东关1-9联户").grid_id == tree.g1.id
    again = imp("org", tmp_path, tree, personas.office, table, name="again.csv")
    assert again.ok and all(c["created"] == 0 and c["updated"] == 0 for c in again.counts.values())
    assert Node.objects.count() == before + 7


def test_org_rename_by_code(tmp_path, tree, personas):
    """An org-tree row with a known code renames that node."""
    result = imp("org", tmp_path, tree, personas.office, [ORG, ["S-C1", "东关新社区", "", "", "", ""]])
    assert result.counts["社区"] == {"created": 0, "updated": 1, "unchanged": 0}
    tree.c1.refresh_from_db()
    assert tree.c1.name == "东关新社区"


@pytest.mark.parametrize("row, column, reason", [
    (["", "", "", "某网格", "", ""], "社区", "社区为空"),
    (["", "东关社区", "", "", "", "某联户"], "十联户", "网格"),
    (["T-C9", "北关社区", "", "", "", ""], "社区编码", "已被其他节点使用"),  # a code of another street
    (["S-C1-G1", "东关社区", "", "", "", ""], "社区编码", "已被其他节点使用"),  # a grid's code used for a community
    (["NEW-1", "东关社区", "", "", "", ""], "社区编码", "已存在"),  # the name exists with another code
])
def test_org_bad_rows(tmp_path, tree, personas, row, column, reason):
    """Each bad org-tree row is an error in its column and no node is created."""
    before = Node.objects.count()
    result = imp("org", tmp_path, tree, personas.office, [ORG, ["", "好社区", "", "", "", ""], row])
    assert [(e.row, e.column) for e in result.errors] == [(3, column)], reasons(result)
    assert reason in result.errors[0].reason
    assert Node.objects.count() == before


def test_org_code_used_twice_in_file(tmp_path, tree, personas):
    """A code used twice in one file is an error naming the row that used it first."""
    result = imp("org", tmp_path, tree, personas.office, [ORG, ["X-1", "甲社区", "", "", "", ""], ["X-1", "乙社区", "", "", "", ""]])
    assert reasons(result) == [(3, "社区编码", "编码“X-1”在第2行已用于“甲社区”")]


# --- units ------------------------------------------------------------------------------------


def test_units_created_updated_unchanged(tmp_path, tree, personas):
    """Units are created or updated by name, placed at their community or grid, their kind read from its label."""
    table = [UNITS,
             ["东关银行", "银行", "东关社区", "", "东关路1号", "钱行长"],
             ["第一网格酒店", "宾馆", "东关社区", "东关第一网格", "", ""],
             ["街道办", "街道部门", "", "", "", ""],
             ["西门小学", "学校", "", "", "西门路8号", "赵老师"]]  # the fixture's unit: updated
    result = imp("units", tmp_path, tree, personas.office, table)
    assert result.ok, reasons(result)
    assert result.counts["单位"] == {"created": 3, "updated": 1, "unchanged": 0}
    bank = Unit.objects.get(name="东关银行")
    assert (bank.kind, bank.node_id, bank.community_id, bank.address) == ("bank", tree.c1.id, tree.c1.id, "东关路1号")
    hotel = Unit.objects.get(name="第一网格酒店")
    assert hotel.kind == "hotel" and hotel.node_id == tree.g1.id and hotel.grid_id == tree.g1.id
    assert Unit.objects.get(name="街道办").node_id == tree.street.id
    tree.unit.refresh_from_db()
    assert tree.unit.address == "西门路8号" and tree.unit.contact_name == "赵老师"
    again = imp("units", tmp_path, tree, personas.office, table, name="u.csv")
    assert again.counts["单位"] == {"created": 0, "updated": 0, "unchanged": 4}


def test_unit_moved_carries_its_staff(tmp_path, tree, personas):
    """Moving a unit to a community moves its staff and their families in the tree too."""
    result = imp("units", tmp_path, tree, personas.office, [UNITS, ["西门小学", "学校", "南门社区", "", "", ""]])
    assert result.counts["单位"]["updated"] == 1
    assert StaffMember.objects.get(pk=tree.staff.pk).community_id == tree.c2.id
    assert FamilyMember.objects.get(pk=tree.family.pk).community_id == tree.c2.id


@pytest.mark.parametrize("row, column, reason", [
    (["", "企业", "", "", "", ""], "单位名称", "为空"),
    (["某厂", "工厂", "", "", "", ""], "单位类型", "未知单位类型"),
    (["某厂", "企业", "北关社区", "", "", ""], "所属社区", "未知社区"),  # a community of another street
    (["某厂", "企业", "", "北关第一网格", "", ""], "所属网格", "未知网格"),
    (["好单位", "企业", "", "", "", ""], "单位名称", "重复"),
])
def test_unit_bad_rows(tmp_path, tree, personas, row, column, reason):
    """Each bad unit row is an error in its column and no unit is created."""
    before = Unit.objects.count()
    result = imp("units", tmp_path, tree, personas.office, [UNITS, ["好单位", "企业", "", "", "", ""], row])
    assert [(e.row, e.column) for e in result.errors] == [(3, column)], reasons(result)
    assert reason in result.errors[0].reason
    assert Unit.objects.count() == before


# --- staff and families --------------------------------------------------------------------------


def staff_id(seq):
    return make_id_number("330106", dt.date(1985, 1, 1) + dt.timedelta(days=seq), seq % 1000)


def test_staff_with_families(tmp_path, tree, personas):
    """Staff rows and family rows linked by 职工身份证号 (in the file or already registered)."""
    a, b = staff_id(1), staff_id(2)
    table = [STAFF,
             ["西门小学", "钱老师", a, "13600000001", "教师", "合同", "", ""],
             ["", "钱父", staff_id(3), "", "", "", "父亲", a],
             ["", "钱妻", "", "13600000004", "", "", "妻子", a],
             ["西门小学", "孙老师", b, "", "校长", "在编", "本人", ""],
             ["", "孙子", staff_id(5), "", "", "", "儿子", b],
             ["", "赵母", "", "", "", "", "母亲", tree.staff.id_number]]  # family of the fixture's staff member
    result = imp("staff", tmp_path, tree, personas.office, table)
    assert result.ok, reasons(result)
    assert result.counts == {"职工": {"created": 2, "updated": 0, "unchanged": 0},
                             "家属": {"created": 4, "updated": 0, "unchanged": 0}}
    qian = StaffMember.objects.get(id_number_hash=pii.lookup_hash("id", a))
    assert (qian.unit_id, qian.employment, qian.position, qian.phone) == (tree.unit.id, "contract", "教师", "13600000001")
    assert qian.street_id == tree.street.id and qian.birth_date == dt.date(1985, 1, 2)
    assert sorted(qian.family.values_list("relation", "name")) == [("parent", "钱父"), ("spouse", "钱妻")]
    assert FamilyMember.objects.get(name="赵母").staff_id == tree.staff.id
    again = imp("staff", tmp_path, tree, personas.office, table, name="s.csv")
    assert again.counts == {"职工": {"created": 0, "updated": 0, "unchanged": 2},
                            "家属": {"created": 0, "updated": 0, "unchanged": 4}}
    table[1][4] = "教导主任"
    table[3][1] = "钱妻子"
    changed = imp("staff", tmp_path, tree, personas.office, table, name="s2.xlsx")
    assert changed.counts == {"职工": {"created": 0, "updated": 1, "unchanged": 1},
                              "家属": {"created": 1, "updated": 0, "unchanged": 3}}  # no ID: a new name is a new person


def test_staff_linked_to_resident(tmp_path, tree, personas):
    """A staff member with a resident's ID number is linked to that resident, as the form does."""
    result = imp("staff", tmp_path, tree, personas.office, [STAFF, ["西门小学", "李秀英", tree.r2.id_number, "", "", "", "", ""]])
    assert result.ok
    assert StaffMember.objects.get(name="李秀英").resident_id == tree.r2.id


@pytest.mark.parametrize("row, column, reason", [
    (["不存在的单位", "某人", "", "", "", "", "", ""], "单位名称", "未知单位"),
    (["", "某人", "", "", "", "", "", ""], "单位名称", "须填写单位名称"),
    (["西门小学", "某人", BAD_ID, "", "", "", "", ""], "身份证号", "校验位"),
    (["西门小学", "某人", "", "", "", "外包", "", ""], "用工形式", "未知用工形式"),
    (["", "某家属", "", "", "", "", "表哥", staff_id(1)], "与职工关系", "未知关系"),
    (["", "某家属", "", "", "", "", "配偶", ""], "职工身份证号", "须填写"),
    (["", "某家属", "", "", "", "", "配偶", staff_id(9)], "职工身份证号", "没有该身份证号的职工"),
    (["西门小学", "好职工", staff_id(1), "", "", "", "", ""], "身份证号", "同一职工"),
])
def test_staff_bad_rows(tmp_path, tree, personas, row, column, reason):
    """Each bad staff row is an error in its column and no staff or family member is created."""
    before = (StaffMember.objects.count(), FamilyMember.objects.count())
    table = [STAFF, ["西门小学", "好职工", staff_id(1), "", "", "", "", ""], row]
    result = imp("staff", tmp_path, tree, personas.office, table)
    assert [(e.row, e.column) for e in result.errors] == [(3, column)], reasons(result)
    assert reason in result.errors[0].reason
    assert (StaffMember.objects.count(), FamilyMember.objects.count()) == before


def test_staff_of_unit_in_other_street_is_unknown(tmp_path, tree, personas):
    """A unit of another street is unknown to this street's office, as if it did not exist."""
    from fanzha.org import services

    services.unit_create(node=tree.street2, name="东门中学", kind="school")
    result = imp("staff", tmp_path, tree, personas.office, [STAFF, ["东门中学", "某人", new_id(1), "", "", "", "", ""]])
    assert reasons(result) == [(2, "单位名称", "未知单位“东门中学”")]


def test_org_same_grid_names_under_new_communities(tmp_path, tree, personas):
    """Two new communities without codes, each with a 第一网格: two grids, each under its own community."""
    table = [ORG, ["", "甲社区", "", "第一网格", "", ""], ["", "乙社区", "", "第一网格", "", ""]]
    result = imp("org", tmp_path, tree, personas.office, table)
    assert result.counts["网格"]["created"] == 2
    grids = Node.objects.filter(name="第一网格")
    assert sorted(g.parent.name for g in grids) == ["乙社区", "甲社区"]
    assert len({g.code for g in grids}) == 2
