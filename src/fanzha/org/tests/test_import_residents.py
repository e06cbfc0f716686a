"""Importing households and residents: every kind of bad row, all or nothing,
idempotent re-imports, updates, file-level problems, encodings and scope."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.utils import timezone

from fanzha.core import pii
from fanzha.core.idnumbers import make_id_number
from fanzha.core.models import AuditAction, AuditLog
from fanzha.org import services
from fanzha.org.importers import parse_id_fast
from fanzha.org.models import Household, Resident, phone_tail_hash
from fanzha.org.tests.io_helpers import (
    BAD_ID,
    RESIDENT_HEADERS,
    as_lists,
    do_import,
    new_id,
    reasons,
    resident_row,
    write_csv,
    write_xlsx,
)


def counts_of_people():
    return Resident.objects.count(), Household.objects.count()


@pytest.fixture
def office(personas):
    return personas.office


def run(tmp_path, tree, office, rows, *, name="r.xlsx", dry_run=False, **kw):
    table = as_lists(rows, RESIDENT_HEADERS)
    path = tmp_path / name
    if name.endswith(".csv"):
        write_csv(path, table, encoding=kw.pop("encoding", "utf-8"))
    else:
        write_xlsx(path, table)
    return do_import("residents", path, office, tree.street, dry_run=dry_run, **kw)


# --- a clean file ---------------------------------------------------------------------


def test_clean_xlsx_creates_households_and_residents(tmp_path, tree, office):
    """A clean .xlsx is applied whole: households by address, residents with encrypted, hashed, masked numbers."""
    rows = [resident_row(1), resident_row(2, 地址="东关路101号", 与户主关系="配偶", 户主="测试1"), resident_row(3, 网格="南门第一网格", 社区="南门社区", 十联户="")]
    before = counts_of_people()
    result = run(tmp_path, tree, office, rows)
    assert result.ok and result.applied, result.summary()
    assert result.counts == {"户": {"created": 2, "updated": 0, "unchanged": 0},
                             "居民": {"created": 3, "updated": 0, "unchanged": 0}}
    assert counts_of_people() == (before[0] + 3, before[1] + 2)
    r = Resident.objects.get(id_number_hash=pii.lookup_hash("id", new_id(2)))
    assert r.id_number == new_id(2) and r.id_number_enc != new_id(2)
    assert r.id_number_masked == new_id(2)[:3] + "*" * 11 + new_id(2)[-4:]
    assert r.phone == "13800000002" and r.phone_masked == "138****0002"
    assert r.household.address == "东关路101号" and r.household.head_name == "测试1"
    assert (r.county_id, r.street_id, r.community_id, r.grid_id, r.group_id) == (
        tree.county.id, tree.street.id, tree.c1.id, tree.g1.id, tree.g1a.id)
    assert r.birth_date == dt.date(1970, 1, 1) and r.gender in ("M", "F")
    south = Resident.objects.get(name="测试3")
    assert south.grid_id == tree.g3.id and south.group_id is None and south.household.grid_id == tree.g3.id


def test_values_are_parsed(tmp_path, tree, office):
    """Residency, yes/no flags, +86 phones with dashes and full-width digits are normalised."""
    row = resident_row(1, 居住类型="流动人口", 学生="是", 财务人员="√", 独居="否", 手机号="+86 138-0000-0001",
                       备用电话="０５７９－８８８８８８８８", 职业="会计", 备注="  首尾空格  ")
    result = run(tmp_path, tree, office, [row])
    assert result.ok, result.errors
    r = Resident.objects.get(name="测试1")
    assert (r.residency, r.is_student, r.is_finance_staff, r.lives_alone) == ("floating", True, True, False)
    assert r.phone == "13800000001" and r.phone2 == "057988888888"
    assert r.note == "首尾空格" and r.occupation == "会计"


def test_csv_utf8_with_bom_and_aliases(tmp_path, tree, office):
    """CSV in UTF-8 with BOM, headers with spaces and aliases (手机号码, 公民身份号码, 住址)."""
    headers = [" 社区 ", "网格", "住址", "姓名", "公民身份号码", "手机号码", "居住类型"]
    table = [headers, ["东关社区", "东关第一网格", "东关路9号", "别名", new_id(9), "13800000009", "暂住"]]
    path = write_csv(tmp_path / "a.csv", table, encoding="utf-8-sig")
    result = do_import("residents", path, office, tree.street)
    assert result.ok, (result.file_error, result.errors)
    r = Resident.objects.get(name="别名")
    assert r.residency == "temporary" and r.phone == "13800000009"


def test_csv_gbk(tmp_path, tree, office):
    """CSV saved by Chinese Excel (GBK / GB18030) is read."""
    result = run(tmp_path, tree, office, [resident_row(1, 备注="中文备注")], name="gbk.csv", encoding="gbk")
    assert result.ok, (result.file_error, result.errors)
    assert Resident.objects.get(name="测试1").note == "中文备注"


def test_title_row_above_header(tmp_path, tree, office):
    """A title row above the headers is skipped; row numbers stay those Excel shows."""
    table = as_lists([resident_row(1), resident_row(2, 身份证号=BAD_ID)], RESIDENT_HEADERS)
    path = write_xlsx(tmp_path / "t.xlsx", table, title="东关社区居民花名册")
    result = do_import("residents", path, office, tree.street)
    assert [(e.row, e.column) for e in result.errors] == [(4, "身份证号")]


def test_example_row_is_skipped(tmp_path, tree, office):
    """A row whose first cell starts with 示例 (the template's example) is not imported."""
    rows = [resident_row(1, 社区="示例：东关社区"), resident_row(2)]
    result = run(tmp_path, tree, office, rows)
    assert result.ok and result.rows == 1
    assert not Resident.objects.filter(name="测试1").exists()


def test_numbers_in_number_cells(tmp_path, tree, office):
    """A phone typed as a number cell is fine; an ID number Excel turned into a float says how to fix it."""
    path = tmp_path / "n.xlsx"
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(RESIDENT_HEADERS)
    r1 = resident_row(1)
    r1["手机号"] = 13800000001
    r2 = resident_row(2)
    r2["身份证号"] = float(new_id(2)[:17] + "0")
    ws.append([r1[h] for h in RESIDENT_HEADERS])
    ws.append([r2[h] for h in RESIDENT_HEADERS])
    wb.save(path)
    result = do_import("residents", path, office, tree.street)
    assert [(e.row, e.column) for e in result.errors] == [(3, "身份证号")]
    assert "文本" in result.errors[0].reason


# --- every kind of bad row -------------------------------------------------------------

OTHER_ID = make_id_number("110101", dt.date(1990, 2, 9), 991)  # r9 of the other street


@pytest.mark.parametrize("override, column, reason", [
    ({"身份证号": BAD_ID}, "身份证号", "校验位"),
    ({"身份证号": "11010119500307"}, "身份证号", "18位"),
    ({"身份证号": make_id_number("110101", dt.date(2090, 1, 1), 1)}, "身份证号", "未来"),
    ({"网格": "不存在的网格"}, "网格", "未知网格"),
    ({"社区": "不存在的社区"}, "社区", "未知社区"),
    ({"十联户": "不存在的联户"}, "十联户", "未知十联户"),
    ({"姓名": ""}, "姓名", "姓名为空"),
    ({"地址": ""}, "地址", "地址为空"),
    ({"手机号": "12345"}, "手机号", "电话号码"),
    ({"手机号": "12000000000"}, "手机号", "号段"),
    ({"备用电话": "电话"}, "备用电话", "数字"),
    ({"居住类型": "出差"}, "居住类型", "未知居住类型"),
    ({"学生": "也许"}, "学生", "是"),
    ({"性别": "未知"}, "性别", "男"),
    ({"身份证号": "", "出生日期": "2999-01-01"}, "出生日期", "未来"),
    ({"身份证号": "", "出生日期": "去年"}, "出生日期", "无法识别"),
    ({"网格": "北关第一网格", "社区": ""}, "网格", "未知网格"),  # a grid of another street: as if it did not exist
    ({"网格": "T-C9-G9", "社区": ""}, "网格", "未知网格"),  # ... also by its code
    ({"网格": "北关第一网格", "社区": "北关社区"}, "社区", "未知社区"),
    ({"网格": "南门第一网格"}, "网格", "不在社区"),  # a grid of another community of the same street
    ({"身份证号": OTHER_ID}, "身份证号", "已登记"),  # already registered outside the scope
])
def test_bad_row_is_reported_and_nothing_kept(tmp_path, tree, office, override, column, reason):
    """Each kind of bad row gives (row, column, reason) and keeps nothing of the file."""
    headers = RESIDENT_HEADERS + (["出生日期"] if "出生日期" in override else [])
    rows = [resident_row(1), resident_row(2, **override), resident_row(3)]
    before = counts_of_people()
    table = as_lists(rows, headers)
    result = do_import("residents", write_xlsx(tmp_path / "bad.xlsx", table), office, tree.street)
    assert not result.ok and not result.applied
    assert [(e.row, e.column) for e in result.errors] == [(3, column)], reasons(result)
    assert reason in result.errors[0].reason
    assert counts_of_people() == before


def test_duplicate_id_in_file(tmp_path, tree, office):
    """The same ID number twice in a file: the later row is bad and names the earlier one."""
    rows = [resident_row(1), resident_row(2), resident_row(3, 身份证号=new_id(1))]
    result = run(tmp_path, tree, office, rows)
    assert reasons(result) == [(4, "身份证号", "与第2行的身份证号重复")]


def test_gender_and_birth_date_must_agree_with_id(tmp_path, tree, office):
    """A gender or birth date that contradicts the ID number is a row error in its column."""
    idn = make_id_number("110101", dt.date(1960, 5, 6), 12)  # even sequence digit: female
    table = as_lists([resident_row(1, 身份证号=idn, 性别="男", 出生日期="1960-05-07")], RESIDENT_HEADERS + ["出生日期"])
    result = do_import("residents", write_xlsx(tmp_path / "g.xlsx", table), office, tree.street)
    assert {(e.column, e.reason) for e in result.errors} == {("性别", "性别与身份证号不一致"),
                                                             ("出生日期", "出生日期与身份证号不一致")}


def test_household_rows_must_agree(tmp_path, tree, office):
    """Rows of one household (same grid and address) may not name different groups or heads."""
    services.node_create(parent=tree.g1, level="group", code="S-C1-G1-02", name="东关1-2联户")
    rows = [resident_row(1, 地址="同一地址", 户主="甲"), resident_row(2, 地址="同一地址", 十联户="东关1-2联户", 户主="乙")]
    result = run(tmp_path, tree, office, rows)
    assert [(e.row, e.column) for e in result.errors] == [(3, "十联户"), (3, "户主")]


def test_every_bad_row_reported_mixed_file_keeps_nothing(tmp_path, tree, office):
    """A file mixing good and bad rows: every bad row reported, in row order, and nothing kept."""
    rows = [resident_row(i) for i in range(1, 11)]
    rows[2]["身份证号"] = BAD_ID
    rows[5]["网格"] = "无此网格"
    rows[7]["姓名"] = ""
    rows[7]["手机号"] = "abc"
    before = counts_of_people()
    audits = AuditLog.objects.count()
    result = run(tmp_path, tree, office, rows)
    assert [(e.row, e.column) for e in result.errors] == [(4, "身份证号"), (7, "网格"), (9, "姓名"), (9, "手机号")]
    assert result.bad_rows == 3 and result.counts == {}
    assert counts_of_people() == before
    assert AuditLog.objects.count() == audits + 1  # the failed import is audited too


def test_huge_cell_is_a_row_error(tmp_path, tree, office):
    """A 5,000-character name is rejected as a row error, not a crash or a truncated save."""
    result = run(tmp_path, tree, office, [resident_row(1), resident_row(2, 姓名="王" * 5000)])
    assert [(e.row, e.column) for e in result.errors] == [(3, "姓名")]
    assert "过长" in result.errors[0].reason
    result = run(tmp_path, tree, office, [resident_row(1, 网格="格" * 5000)], name="h2.xlsx")
    assert [(e.row, e.column) for e in result.errors] == [(2, "网格")] and "过长" in result.errors[0].reason


# --- the file as a whole ---------------------------------------------------------------


def test_empty_file(tmp_path, tree, office):
    """An empty file is refused as empty and nothing is applied."""
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    result = do_import("residents", path, office, tree.street)
    assert result.file_error == "文件是空的。" and not result.applied


def test_empty_workbook(tmp_path, tree, office):
    """A workbook without any rows is refused as empty."""
    result = do_import("residents", write_xlsx(tmp_path / "e.xlsx", []), office, tree.street)
    assert result.file_error == "文件是空的。"


def test_headers_only(tmp_path, tree, office):
    """A .xlsx or .csv with headers only is refused as having no data rows."""
    for path in (write_xlsx(tmp_path / "h.xlsx", [RESIDENT_HEADERS]), write_csv(tmp_path / "h.csv", [RESIDENT_HEADERS])):
        result = do_import("residents", path, office, tree.street)
        assert "没有数据行" in result.file_error


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.mark.parametrize("content, what", [
    (PNG, "PNG"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 32, "JPEG"),
    (b"%PDF-1.7\n" + b"\x00" * 32, "PDF"),
    (_docx(), "Word"),
    (b"PK\x03\x04garbage", "损坏"),
    (b"\x00\x01\x02\x03binary" * 10, "二进制"),
])
def test_wrong_file_type(tmp_path, tree, office, content, what):
    """A file named .xlsx that is not a spreadsheet is refused by its content, saying what it is."""
    path = tmp_path / "residents.xlsx"
    path.write_bytes(content)
    before = counts_of_people()
    result = do_import("residents", path, office, tree.street)
    assert what in result.file_error and not result.errors
    assert counts_of_people() == before


def test_missing_required_column(tmp_path, tree, office):
    """A missing required column is named in the refusal."""
    table = [["社区", "网格", "姓名"], ["东关社区", "东关第一网格", "张三"]]
    result = do_import("residents", write_xlsx(tmp_path / "m.xlsx", table), office, tree.street)
    assert result.file_error == "缺少必需的列：地址。"


def test_duplicated_column(tmp_path, tree, office):
    """Two headers meaning the same column are refused."""
    table = [["网格", "地址", "姓名", "手机号", "联系电话"], ["东关第一网格", "路1号", "张三", "13800000001", "13800000002"]]
    result = do_import("residents", write_xlsx(tmp_path / "d.xlsx", table), office, tree.street)
    assert "同一列" in result.file_error


def test_unrelated_sheet(tmp_path, tree, office):
    """A sheet with no recognisable header row is refused as such."""
    result = do_import("residents", write_xlsx(tmp_path / "u.xlsx", [["日期", "金额"], ["2024-01-01", "5"]]), office, tree.street)
    assert "找不到表头" in result.file_error


def test_too_many_rows(tmp_path, tree, office):
    """More data rows than the cap: refused with a message, nothing kept."""
    rows = [resident_row(i) for i in range(1, 8)]
    for name in ("cap.xlsx", "cap.csv"):
        result = run(tmp_path, tree, office, rows, name=name, max_rows=5)
        assert "超过上限5行" in result.file_error
    assert not Resident.objects.filter(name__startswith="测试").exists()


def test_unknown_columns_are_ignored_and_listed(tmp_path, tree, office):
    """Unknown columns are ignored and listed in the result."""
    table = as_lists([resident_row(1, 籍贯="浙江")], RESIDENT_HEADERS + ["籍贯"])
    result = do_import("residents", write_xlsx(tmp_path / "x.xlsx", table), office, tree.street)
    assert result.ok and result.ignored_columns == ["籍贯"]


# --- re-import and updates ------------------------------------------------------------------


def test_reimport_changes_nothing(tmp_path, tree, office):
    """Importing the same file again: everything unchanged, no row touched (updated_at kept)."""
    rows = [resident_row(i, 地址=f"东关路{i // 2}号") for i in range(1, 7)]
    first = run(tmp_path, tree, office, rows)
    assert first.ok
    stamps = dict(Resident.objects.values_list("id", "updated_at"))
    hh_stamps = dict(Household.objects.values_list("id", "updated_at"))
    before = counts_of_people()
    again = run(tmp_path, tree, office, rows, name="again.csv")
    assert again.ok and again.applied
    assert again.counts == {"户": {"created": 0, "updated": 0, "unchanged": 4},
                            "居民": {"created": 0, "updated": 0, "unchanged": 6}}
    assert counts_of_people() == before
    assert dict(Resident.objects.values_list("id", "updated_at")) == stamps
    assert dict(Household.objects.values_list("id", "updated_at")) == hh_stamps


def test_changed_row_updates_its_resident(tmp_path, tree, office):
    """A changed row updates the resident matched by ID number (and only that one)."""
    rows = [resident_row(1), resident_row(2)]
    run(tmp_path, tree, office, rows)
    other = Resident.objects.get(name="测试1")
    rows[1].update(姓名="改名", 手机号="13900000000", 居住类型="暂住", 独居="是", 地址="新地址1号")
    result = run(tmp_path, tree, office, rows, name="changed.xlsx")
    assert result.counts["居民"] == {"created": 0, "updated": 1, "unchanged": 1}
    assert result.counts["户"] == {"created": 1, "updated": 0, "unchanged": 1}
    r = Resident.objects.get(id_number_hash=pii.lookup_hash("id", new_id(2)))
    assert (r.name, r.phone, r.residency, r.lives_alone, r.household.address) == ("改名", "13900000000", "temporary", True, "新地址1号")
    assert Resident.objects.filter(phone_hash=pii.lookup_hash("phone", "13900000000")).get() == r
    assert Resident.objects.get(pk=other.pk).updated_at == other.updated_at


def test_reimport_with_one_changed_phone_updates_exactly_that_row(tmp_path, tree, office):
    """Re-importing a file where one row's phone changed rewrites that resident's phone (ciphertext, keyed
    hash, mask, tail hash) and touches no other resident: the unchanged rows are told apart by their hashes."""
    rows = [resident_row(i, 地址=f"东关路{i // 3}号") for i in range(1, 10)]
    assert run(tmp_path, tree, office, rows, name="first.csv").ok
    target = Resident.objects.get(id_number_hash=pii.lookup_hash("id", new_id(5)))
    before = {r.pk: (r.updated_at, r.phone_enc, r.phone_hash) for r in Resident.objects.exclude(pk=target.pk)}
    rows[4]["手机号"] = "13912345678"
    result = run(tmp_path, tree, office, rows, name="second.csv")
    assert result.counts["居民"] == {"created": 0, "updated": 1, "unchanged": 8}, result.counts
    assert result.counts["户"] == {"created": 0, "updated": 0, "unchanged": 4}
    target.refresh_from_db()
    assert (target.phone, target.phone_masked) == ("13912345678", "139****5678")
    assert target.phone_hash == pii.lookup_hash("phone", "13912345678")
    assert target.phone_tail_hash == phone_tail_hash("13912345678")
    assert {r.pk: (r.updated_at, r.phone_enc, r.phone_hash) for r in Resident.objects.exclude(pk=target.pk)} == before


def test_reimport_with_a_changed_name_updates_the_name_search_keys(tmp_path, tree, office):
    """A row changed only in its name updates the name and its search keys (given name, pinyin initials)."""
    rows = [resident_row(1, 姓名="王建国"), resident_row(2)]
    assert run(tmp_path, tree, office, rows).ok
    rows[0]["姓名"] = "欧阳明华"
    result = run(tmp_path, tree, office, rows, name="renamed.xlsx")
    assert result.counts["居民"] == {"created": 0, "updated": 1, "unchanged": 1}, result.counts
    r = Resident.objects.get(id_number_hash=pii.lookup_hash("id", new_id(1)))
    assert (r.name, r.name_given, r.name_initials) == ("欧阳明华", "明华", "oymh")


def test_new_residents_sharing_a_phone_tail_get_the_same_tail_hash(tmp_path, tree, office):
    """Residents whose phones end in the same four digits get each the tail hash of their own phone
    (the import hashes each distinct tail once); a landline too short for a tail gets none."""
    rows = [resident_row(1, 手机号="13800001234"), resident_row(2, 手机号="13911111234"),
            resident_row(3, 手机号="13922225678", 备用电话="0579-1234567")]
    assert run(tmp_path, tree, office, rows).ok
    for phone, phone2 in (("13800001234", ""), ("13911111234", ""), ("13922225678", "0579-1234567")):
        r = Resident.objects.get(phone_hash=pii.lookup_hash("phone", phone))
        assert r.phone_tail_hash == phone_tail_hash(phone) != ""
        assert r.phone2_tail_hash == phone_tail_hash(r.phone2)
    assert phone_tail_hash("13800001234") == phone_tail_hash("13911111234")


def test_import_pauses_the_cyclic_collector_only_while_it_runs(tmp_path, tree, office):
    """The garbage collector is on again after an import, whether it was applied or refused as a file."""
    import gc

    assert gc.isenabled()
    assert run(tmp_path, tree, office, [resident_row(1)]).ok
    assert gc.isenabled()
    (tmp_path / "empty.csv").write_bytes(b"")
    assert do_import("residents", tmp_path / "empty.csv", office, tree.street).file_error
    assert gc.isenabled()


def test_existing_resident_matched_by_id(tmp_path, tree, office):
    """A resident entered by hand (fixture r1) is found by ID number and updated, not duplicated."""
    row = resident_row(1, 身份证号=tree.r1.id_number, 姓名="王建国", 地址=tree.h1.address, 手机号="13800138001",
                       户主="王建国", 独居="是", 与户主关系="")
    result = run(tmp_path, tree, office, [row])
    assert result.counts["居民"] == {"created": 0, "updated": 0, "unchanged": 1}, result.counts
    row["职业"] = "退休教师"
    result = run(tmp_path, tree, office, [row], name="2.xlsx")
    assert result.counts["居民"]["updated"] == 1
    tree.r1.refresh_from_db()
    assert tree.r1.occupation == "退休教师"


def test_absent_column_leaves_field_alone(tmp_path, tree, office):
    """A column the file does not have leaves that field as it is (here: the phone)."""
    headers = ["网格", "地址", "姓名", "身份证号"]
    table = [headers, ["东关第一网格", tree.h1.address, "王建国", tree.r1.id_number]]
    result = do_import("residents", write_xlsx(tmp_path / "p.xlsx", table), office, tree.street)
    assert result.counts["居民"] == {"created": 0, "updated": 0, "unchanged": 1}
    assert Resident.objects.get(pk=tree.r1.pk).phone == "13800138001"


def test_residents_without_id_matched_by_address_and_name(tmp_path, tree, office):
    """Residents without an ID number are matched by address and name on re-import; the same one twice in a file is a row error."""
    rows = [resident_row(1, 身份证号=""), resident_row(2, 身份证号="")]
    run(tmp_path, tree, office, rows)
    again = run(tmp_path, tree, office, rows, name="again.xlsx")
    assert again.counts["居民"] == {"created": 0, "updated": 0, "unchanged": 2}
    dup = run(tmp_path, tree, office, [resident_row(1, 身份证号=""), resident_row(1, 身份证号="")], name="dup.xlsx")
    assert [(e.row, e.column) for e in dup.errors] == [(3, "姓名")]


def test_dry_run_writes_nothing(tmp_path, tree, office):
    """A dry run counts what it would create, writes nothing and is audited as a dry run."""
    before = counts_of_people()
    result = run(tmp_path, tree, office, [resident_row(1), resident_row(2)], dry_run=True)
    assert result.ok and not result.applied and result.counts["居民"]["created"] == 2
    assert counts_of_people() == before
    assert "试导入" in AuditLog.objects.filter(action=AuditAction.IMPORT).latest("id").detail


def test_import_is_audited(tmp_path, tree, office):
    """An import is audited with the user, the kind, the file name and the street."""
    run(tmp_path, tree, office, [resident_row(1)])
    entry = AuditLog.objects.filter(action=AuditAction.IMPORT).latest("id")
    assert entry.user == office and entry.target == "import:residents" and "r.xlsx" in entry.detail
    assert entry.street_id == tree.street.id


def test_scope_narrower_than_street(tmp_path, tree, personas):
    """An importer scoped to community C1 cannot name C2's grids: they are unknown, as if absent."""
    result = do_import("residents", write_xlsx(tmp_path / "s.xlsx", as_lists(
        [resident_row(1, 社区="南门社区", 网格="南门第一网格", 十联户="")], RESIDENT_HEADERS)), personas.community, tree.street)
    assert [(e.column, e.reason) for e in result.errors] == [("社区", "未知社区“南门社区”")]


# --- fast paths agree with the general functions ------------------------------------------


def test_fast_paths_agree_with_pii_and_parsers(db):
    """The import's fast ID parser, hasher and encrypter agree with the general ones."""
    today = timezone.localdate()
    for seq in range(0, 1000, 37):
        idn = make_id_number("110101", dt.date(1950, 1, 1) + dt.timedelta(days=seq * 11), seq)
        assert parse_id_fast(idn, today)[0] == idn
        assert pii.lookup_hasher("id")(idn) == pii.lookup_hash("id", idn)
        assert pii.decrypt(pii.encrypter()(idn)) == idn
    with pytest.raises(ValueError):
        parse_id_fast(BAD_ID, today)
    spaced = make_id_number("110101", dt.date(1950, 3, 7), 123)
    assert parse_id_fast(f"{spaced[:6]} {spaced[6:14]} {spaced[14:]}", today)[0] == spaced  # the general path


def test_errors_name_the_column_as_the_file_does(tmp_path, tree, office):
    """A file using an alias (手机号码) sees that header in the report."""
    table = [["网格", "住址", "姓名", "手机号码"], ["东关第一网格", "东关路1号", "张三", "123"]]
    result = do_import("residents", write_xlsx(tmp_path / "alias.xlsx", table), office, tree.street)
    assert [(e.row, e.column) for e in result.errors] == [(2, "手机号码")]


def test_data_on_a_later_sheet(tmp_path, tree, office):
    """A workbook whose first sheet is notes: the sheet with the header row is the one read."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["请按下一页填写"])
    ws = wb.create_sheet("数据")
    for r in as_lists([resident_row(1)], RESIDENT_HEADERS):
        ws.append(r)
    path = tmp_path / "two.xlsx"
    wb.save(path)
    assert do_import("residents", path, office, tree.street).ok


def test_tab_separated_utf16(tmp_path, tree, office):
    """Excel's "Unicode text" (UTF-16, tab-separated) is read too."""
    table = as_lists([resident_row(1)], RESIDENT_HEADERS)
    path = tmp_path / "unicode.txt"
    path.write_bytes("\r\n".join("\t".join(r) for r in table).encode("utf-16"))
    result = do_import("residents", path, office, tree.street)
    assert result.ok, (result.file_error, result.errors)


def test_old_office_file_that_is_not_a_workbook(tmp_path, tree, office):
    """An old binary Office file is refused as not a spreadsheet it can read."""
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    assert "不是表格" in do_import("residents", path, office, tree.street).file_error


def test_unpacking_order_matches_the_columns():
    """ResidentImporter.validate unpacks row.values in this order."""
    from fanzha.org.importers import ResidentImporter

    assert [c.key for c in ResidentImporter.columns] == [
        "community", "grid", "group", "address", "head_name", "name", "gender", "birth_date", "id_number", "phone",
        "phone2", "residency", "relation", "occupation", "is_student", "is_finance_staff", "lives_alone", "note"]


def test_insert_rows_failure_is_a_database_error(db, tree):
    """A row the database refuses surfaces as Django's IntegrityError (and the caller's transaction rolls back)."""
    from django.db import IntegrityError, transaction

    from fanzha.core.imports import insert_rows

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Household, ["address", "grid_id"], [("甲路1号", tree.g1.id), ("甲路1号", tree.g1.id)])
    assert not Household.objects.filter(address="甲路1号").exists()


def test_zip_bomb_is_refused(tmp_path, tree, office, monkeypatch):
    """A workbook that unpacks to far more than any real import is refused before it is read."""
    from fanzha.core import imports

    monkeypatch.setattr(imports, "MAX_UNPACKED_BYTES", 1 << 20)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", " " * (2 << 20))
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(buf.getvalue())
    assert "解压后超过" in do_import("residents", path, office, tree.street).file_error
