"""Importing the police station's case spreadsheet: every bad row, nothing half-kept, idempotent."""

import datetime as dt


from fanzha.cases.models import Case, CaseChange
from fanzha.org.tests.io_helpers import as_lists, do_import, reasons, write_csv, write_xlsx

HEADERS = ["案件编号", "报案日期", "发案日期", "受害人姓名", "受害人身份证号", "性别", "年龄", "职业", "社区", "网格",
           "损失金额", "止付冻结返还金额", "诈骗类型", "接触渠道", "是否单位职工", "所在单位", "简要案情"]


def case_row(n=1, **over):
    row = {"案件编号": f"A2025{n:05d}", "报案日期": "2025-03-02", "发案日期": "2025-03-01", "受害人姓名": "路人甲",
           "受害人身份证号": "", "性别": "女", "年龄": "34", "职业": "个体", "社区": "东关社区", "网格": "",
           "损失金额": "35000", "止付冻结返还金额": "5000", "诈骗类型": "刷单返利", "接触渠道": "App",
           "是否单位职工": "否", "所在单位": "", "简要案情": "在抖音看到刷单兼职，垫付做任务后无法提现"}
    row.update(over)
    return row


def test_clean_file_applied_and_reimport_changes_nothing(tmp_path, personas, tree):
    """A clean file registers every case; the same file again changes nothing."""
    rows = [case_row(1), case_row(2, 受害人身份证号=tree.r1.id_number, 社区="", 损失金额="1.2万", 止付冻结返还金额="0")]
    path = write_xlsx(tmp_path / "cases.xlsx", as_lists(rows, HEADERS))
    result = do_import("cases", path, personas.office, tree.street)
    assert result.ok, reasons(result)
    assert Case.objects.count() == 2
    linked = Case.objects.get(number="A202500002")
    assert linked.victim == tree.r1 and linked.grid_id == tree.g1.id and linked.loss == 12000
    again = do_import("cases", path, personas.office, tree.street)
    assert again.ok and list(again.counts.values())[0] == {"created": 0, "updated": 0, "unchanged": 2}
    assert not CaseChange.objects.exists()


def test_changed_row_updates_with_history(tmp_path, personas, tree):
    """A changed amount updates its case and the change is in the case's history as an import."""
    do_import("cases", write_csv(tmp_path / "a.csv", as_lists([case_row(1)], HEADERS)), personas.office, tree.street)
    result = do_import("cases", write_csv(tmp_path / "b.csv", as_lists([case_row(1, 损失金额="40000")], HEADERS)),
                       personas.office, tree.street)
    assert result.ok
    ch = CaseChange.objects.get()
    assert ch.source == "import" and ch.changes["loss"] == ["35000.00", "40000.00"]


def test_every_bad_row_reported_nothing_kept(tmp_path, personas, tree):
    """Negative or absurd amounts, stopped above loss, loss after report, future dates, unknown type,
    community or unit: each reported with row and column, and not one case kept."""
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    rows = [case_row(1),
            case_row(2, 损失金额="-5"),
            case_row(3, 损失金额="100", 止付冻结返还金额="200"),
            case_row(4, 发案日期="2025-03-05"),
            case_row(5, 报案日期=future, 发案日期=""),
            case_row(6, 诈骗类型="外星人诈骗"),
            case_row(7, 社区="火星社区"),
            case_row(8, 是否单位职工="职工", 所在单位=""),
            case_row(1),
            case_row(10, 损失金额="abc"),
            case_row(11, 受害人身份证号="110101199001011234")]
    result = do_import("cases", write_csv(tmp_path / "bad.csv", as_lists(rows, HEADERS)), personas.office, tree.street)
    got = {(row, col) for row, col, _why in reasons(result)}
    assert {(3, "损失金额"), (4, "止付冻结返还金额"), (5, "发案日期"), (6, "报案日期"), (7, "诈骗类型"), (8, "社区"),
            (9, "所在单位"), (10, "案件编号"), (11, "损失金额"), (12, "受害人身份证号")} <= got
    assert (2, "损失金额") not in got
    assert not Case.objects.exists()


def test_missing_type_is_suggested(tmp_path, personas, tree):
    """A row with no type takes the classifier's suggestion from the narrative."""
    row = case_row(1, 诈骗类型="", 简要案情="对方自称公安局民警，说我涉嫌洗钱，让我把钱转到安全账户")
    result = do_import("cases", write_csv(tmp_path / "s.csv", as_lists([row], HEADERS)), personas.office, tree.street)
    assert result.ok
    assert Case.objects.get().fraud_type == "impersonate_authority"


def test_out_of_scope_community_is_unknown(tmp_path, personas, tree):
    """A community user cannot import into another community: it is reported as unknown."""
    result = do_import("cases", write_csv(tmp_path / "o.csv", as_lists([case_row(1, 社区="南门社区")], HEADERS)),
                       personas.community, tree.street)
    assert any(col == "社区" and "未知" in why for _r, col, why in reasons(result))
    assert not Case.objects.exists()
