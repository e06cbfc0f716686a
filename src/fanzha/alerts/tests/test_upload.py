"""Batch upload (.xlsx / .csv, Chinese headers): routed like pushed alerts, every bad row reported, all or nothing,
and the same file twice changes nothing."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fanzha.alerts.importers import AlertImporter
from fanzha.alerts.models import (
    Alert,
    AlertAssignee,
    AlertBatch,
    AlertEvent,
    Notification,
    Status,
)
from fanzha.alerts.tests.conftest import ALERT_TIME
from fanzha.core.imports import run_import
from fanzha.core.models import AuditAction, AuditLog
from fanzha.org.importers import import_context

pytestmark = pytest.mark.django_db

HEADERS = ["预警编号", "预警时间", "姓名", "手机号", "身份证号", "预警级别", "诈骗类型", "涉诈号码/网址", "备注"]


def rows_ok(tree) -> list[list[str]]:
    return [
        ["B-1", ALERT_TIME, "王建国", "13800138001", "", "高", "刷单返利", "https://x.invalid", ""],
        ["B-2", ALERT_TIME, "李秀英", "", tree.r2.id_number, "中", "虚假贷款", "", "夜间来电"],
        ["B-3", ALERT_TIME, "未登记", "13312345678", "", "低", "", "", ""],
        ["B-4", ALERT_TIME, "刘洋", "13500135009", "", "中", "", "", ""],
    ]


def xlsx(rows, headers=HEADERS) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["县反诈中心预警名单"])  # a title row above the headers
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows, headers=HEADERS, encoding="utf-8-sig") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(headers)
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


def upload(client, user, data: bytes, name="alerts.xlsx", **extra):
    client.force_login(user)
    return client.post("/alerts/upload/", {"file": SimpleUploadedFile(name, data), **extra})


def test_xlsx_upload_routes_every_row(client, tree, personas):
    """An uploaded .xlsx routes each row (grid, pending, transfer), assigns, logs, notifies once and reports the counts."""
    r = upload(client, personas.office, xlsx(rows_ok(tree)))
    html = r.content.decode()
    assert r.status_code == 200 and "导入完成" in html
    by_id = {a.external_id: a for a in Alert.objects.all()}
    assert (by_id["B-1"].grid_id, by_id["B-1"].status, by_id["B-1"].source) == (tree.g1.id, Status.NEW, "upload")
    assert by_id["B-2"].resident_id == tree.r2.id and by_id["B-3"].status == Status.PENDING
    assert by_id["B-4"].status == Status.TRANSFER
    assert set(AlertAssignee.objects.filter(alert=by_id["B-1"]).values_list("user__username", flat=True)) == {"grid1", "gridleader", "police"}
    assert AlertEvent.objects.filter(kind__in=["routed", "transfer"]).count() == 4
    assert "已分派到网格 2 条，进入待分派队列 1 条，需移交 1 条" in html
    batch = AlertBatch.objects.get()
    assert batch.filename == "alerts.xlsx" and batch.uploaded_by == personas.office
    assert Notification.objects.filter(user=personas.grid1, kind="batch").count() == 1
    assert AuditLog.objects.filter(action=AuditAction.IMPORT, target="import:alerts").exists()
    assert by_id["B-1"].phone == "13800138001" and by_id["B-1"].phone_masked == "138****8001"


def test_same_file_twice_changes_nothing(client, tree, personas):
    """Uploading the same alerts again (as .csv) changes nothing and says so."""
    upload(client, personas.office, xlsx(rows_ok(tree)))
    r = upload(client, personas.office, csv_bytes(rows_ok(tree)), name="again.csv")
    assert r.status_code == 200 and Alert.objects.count() == 4
    assert "未变4" in r.content.decode()


def test_rows_without_an_id_are_matched_by_content(tree, personas):
    """A row without an id is matched to its earlier import by content, not stored twice."""
    rows = [["", ALERT_TIME, "王建国", "13800138001", "", "高", "", "", ""]]
    ctx = import_context(user=personas.office, street=tree.street)
    assert run_import(AlertImporter, ctx, csv_bytes(rows), filename="a.csv").ok
    again = run_import(AlertImporter, import_context(user=personas.office, street=tree.street), csv_bytes(rows), filename="a.csv")
    assert again.ok and again.counts["预警"]["unchanged"] == 1 and Alert.objects.count() == 1


def test_bad_rows_are_all_reported_and_nothing_is_kept(client, tree, personas):
    """Every bad row is reported with its reason and nothing of the file is kept."""
    rows = rows_ok(tree) + [
        ["B-5", ALERT_TIME, "甲", "1380013800", "", "高", "", "", ""],
        ["B-6", "2099-01-01 08:00", "乙", "13800138001", "", "紧急", "", "", ""],
        ["B-7", ALERT_TIME, "丙", "", "", "中", "", "", ""],
        ["B-1", ALERT_TIME, "王建国", "13800138001", "", "中", "", "", ""],
        ["B-8", ALERT_TIME, "丁", "1.38001E+10", "", "低", "", "", ""],
    ]
    r = upload(client, personas.office, xlsx(rows))
    html = r.content.decode()
    assert "未导入" in html and "整个文件都没有导入" in html
    for expected in ("手机号", "预警时间", "预警级别", "与第3行重复", "文本"):
        assert expected in html, expected
    assert Alert.objects.count() == 0 and AlertBatch.objects.count() == 0


def test_known_id_with_different_content_is_a_row_error(tree, personas):
    """A known id arriving with different content is a row error, not an overwrite."""
    ctx = import_context(user=personas.office, street=tree.street)
    run_import(AlertImporter, ctx, csv_bytes(rows_ok(tree)), filename="a.csv")
    changed = [r[:] for r in rows_ok(tree)]
    changed[0][5] = "低"
    res = run_import(AlertImporter, import_context(user=personas.office, street=tree.street), csv_bytes(changed), filename="b.csv")
    assert not res.ok and "内容不同" in res.errors[0].reason and Alert.objects.count() == 4


def test_gbk_csv_and_header_aliases(tree, personas):
    """A GBK-encoded .csv with alias headers is read correctly."""
    headers = ["编号", "时间", "预警对象", "联系电话", "身份证号码", "风险等级", "类型", "涉诈号码", "说明"]
    data = csv_bytes(rows_ok(tree)[:1], headers=headers, encoding="gb18030")
    res = run_import(AlertImporter, import_context(user=personas.office, street=tree.street), data, filename="gbk.csv")
    assert res.ok, (res.file_error, res.errors)
    assert Alert.objects.get().fraud_contact == "https://x.invalid"


def test_missing_required_column_and_dry_run(client, tree, personas):
    """A file missing a required column is refused by name; a dry run reports without storing."""
    r = upload(client, personas.office, csv_bytes([["B-1", "王建国", "13800138001"]], headers=["预警编号", "姓名", "手机号"]), name="x.csv")
    assert "缺少必需的列" in r.content.decode()
    r = upload(client, personas.office, xlsx(rows_ok(tree)), dry_run="on")
    assert "试导入" in r.content.decode() and Alert.objects.count() == 0


def test_upload_needs_permission(client, tree, personas):
    """A grid worker may not upload (403); the police may open the page and download the template."""
    assert upload(client, personas.grid1, xlsx(rows_ok(tree))).status_code == 403
    client.force_login(personas.police)
    assert client.get("/alerts/upload/").status_code == 200
    r = client.get("/alerts/upload/template.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
