"""Importing key persons and premises: every bad row reported, all or nothing, re-import idempotent."""

import datetime as dt

import pytest

from fanzha.core.idnumbers import make_id_number
from fanzha.org.tests.io_helpers import as_lists, do_import, reasons, write_csv, write_xlsx
from fanzha.risk.models import KeyPerson, Premises

pytestmark = pytest.mark.django_db
KP = ["姓名", "身份证号", "类别", "社区", "网格", "住址", "手机号", "关注要点", "涉诈情况", "建档日期"]
PR = ["场所名称", "类型", "地址", "社区", "网格", "所在楼宇", "负责人", "联系电话"]


def test_key_persons_import_links_residents(tmp_path, personas, tree):
    """A resident's row links by ID number; an unregistered person is placed by community; re-import adds nothing."""
    idn = make_id_number("532501", dt.date(1996, 4, 18), 731)
    rows = [{"姓名": "王建国", "身份证号": tree.r1.id_number, "类别": "涉诈前科、两卡", "建档日期": "2026-03-01"},
            {"姓名": "岩某", "身份证号": idn, "类别": "滞留缅北", "社区": "南门社区", "关注要点": "回流"}]
    path = write_xlsx(tmp_path / "kp.xlsx", as_lists(rows, KP))
    result = do_import("key_persons", path, personas.office, tree.street)
    assert result.ok, reasons(result)
    linked = KeyPerson.objects.get(resident=tree.r1)
    assert linked.grid_id == tree.g1.id and {c.category for c in linked.categories.all()} == {"offender", "two_card"}
    assert linked.next_review_on == dt.date(2026, 3, 31)
    other = KeyPerson.objects.get(name="岩某")
    assert other.community_id == tree.c2.id and other.id_number == idn
    again = do_import("key_persons", path, personas.office, tree.street)
    assert again.ok and list(again.counts.values())[0] == {"created": 0, "updated": 0, "unchanged": 2}


def test_key_persons_bad_rows_all_reported(tmp_path, personas, tree):
    """Unknown category, bad ID number, unregistered without a place, duplicate ID: each reported; nothing kept."""
    rows = [{"姓名": "甲", "身份证号": tree.r1.id_number, "类别": "涉诈前科"},
            {"姓名": "乙", "类别": "赌博", "社区": "东关社区"},
            {"姓名": "丙", "身份证号": "110101199001011234", "类别": "高危", "社区": "东关社区"},
            {"姓名": "丁", "类别": "高危"},
            {"姓名": "戊", "身份证号": tree.r1.id_number, "类别": "回流"}]
    result = do_import("key_persons", write_csv(tmp_path / "kp.csv", as_lists(rows, KP)), personas.office, tree.street)
    got = {(row, col) for row, col, _why in reasons(result)}
    assert got == {(3, "类别"), (4, "身份证号"), (5, "社区"), (6, "身份证号")}
    assert not KeyPerson.objects.exists()


def test_premises_import(tmp_path, personas, tree):
    """Premises are placed by grid; a bad kind or unknown grid is reported; a clean re-import updates the manager."""
    rows = [{"场所名称": "悦来宾馆", "类型": "宾馆", "地址": "东关路8号", "网格": "东关第一网格", "负责人": "张某", "联系电话": "13800000001"},
            {"场所名称": "某科技有限公司", "类型": "商务楼宇", "地址": "东关路9号12楼", "网格": "东关第二网格", "所在楼宇": "东关大厦"}]
    bad = rows + [{"场所名称": "X", "类型": "赌场", "地址": "Y", "网格": "东关第一网格"},
                  {"场所名称": "Z", "类型": "网吧", "地址": "Y", "网格": "不存在网格"}]
    result = do_import("premises", write_csv(tmp_path / "bad.csv", as_lists(bad, PR)), personas.office, tree.street)
    assert {(r, c) for r, c, _w in reasons(result)} == {(4, "类型"), (5, "网格")} and not Premises.objects.exists()
    assert do_import("premises", write_csv(tmp_path / "ok.csv", as_lists(rows, PR)), personas.office, tree.street).ok
    rows[0]["负责人"] = "李某"
    again = do_import("premises", write_csv(tmp_path / "ok2.csv", as_lists(rows, PR)), personas.office, tree.street)
    assert list(again.counts.values())[0] == {"created": 0, "updated": 1, "unchanged": 1}
    p = Premises.objects.get(name="悦来宾馆")
    assert p.manager_name == "李某" and p.grid_id == tree.g1.id and p.manager_phone == "13800000001"


def test_kinds_on_the_import_page(login, personas, tree):
    """Both kinds are on the office's import page, with a template to download."""
    c = login(personas.office)
    page = c.get("/io/").content.decode()
    assert "/io/import/key_persons/" in page and "/io/import/premises/" in page
    for kind in ("key_persons", "premises"):
        r = c.get(f"/io/template/{kind}.xlsx")
        assert r.status_code == 200 and r.content[:2] == b"PK"
