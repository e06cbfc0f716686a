"""The import pages (/io/): permissions, uploads, the row report, templates."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fanzha.core.models import AuditAction, AuditLog
from fanzha.core.imports import importer_for, kinds
from fanzha.org.models import Household, Resident
from fanzha.org.tests.io_helpers import BAD_ID, RESIDENT_HEADERS, as_lists, new_id, resident_row, write_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type=XLSX)


def post_import(client, path, kind="residents", dry_run=False, name=None):
    data = {f"{kind}-file": upload(path, name)}
    if dry_run:
        data[f"{kind}-dry_run"] = "on"
    return client.post(f"/io/import/{kind}/", data)


# --- who may -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona, status", [
    ("office", 200), ("leader", 403), ("police", 403), ("community", 403), ("grid1", 403), ("liaison", 403),
])
def test_io_page_needs_import_permission(login, personas, persona, status):
    """The import page, a kind's form and its template answer each role as the access table says."""
    client = login(getattr(personas, persona))
    assert client.get("/io/").status_code == status
    assert client.get("/io/import/residents/").status_code == status
    assert client.get("/io/template/residents.xlsx").status_code == status


def test_leader_and_grid_worker_cannot_post(login, personas, tree, tmp_path):
    """A read-only leader (and a grid worker) get 403 on the upload POST; nothing is written."""
    path = write_xlsx(tmp_path / "r.xlsx", as_lists([resident_row(1)], RESIDENT_HEADERS))
    before = Resident.objects.count()
    for persona in (personas.leader, personas.grid1):
        assert post_import(login(persona), path).status_code == 403
    assert Resident.objects.count() == before


def test_anonymous_is_sent_to_login(client, personas):
    """An anonymous visitor to the import page is sent to the login page."""
    response = client.get("/io/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_wrong_method_and_unknown_kind(login, personas):
    """Wrong methods are 405 and an unknown import kind is 404."""
    client = login(personas.office)
    assert client.put("/io/import/residents/").status_code == 405
    assert client.post("/io/").status_code == 405
    assert client.post("/io/template/residents.xlsx").status_code == 405
    assert client.get("/io/import/nothing/").status_code == 404
    assert client.get("/io/template/nothing.xlsx").status_code == 404


# --- the page ---------------------------------------------------------------------------------------


def test_index_lists_kinds_templates_and_forms(login, personas):
    """The import page lists every kind with its template link and an upload form with a dry-run box."""
    body = login(personas.office).get("/io/").content.decode()
    for key, cls in kinds().items():
        assert f'/io/template/{key}.xlsx' in body and f'action="/io/import/{key}/"' in body
        assert str(cls.label) in body
    assert 'enctype="multipart/form-data"' in body and 'name="residents-dry_run"' in body


def test_nav_link_only_for_importers(login, personas):
    """Only roles that may import get the import link in the navigation."""
    assert 'href="/io/"' in login(personas.office).get("/").content.decode()
    assert 'href="/io/"' not in login(personas.leader).get("/").content.decode()


def test_bad_upload_shows_row_report_and_keeps_nothing(login, personas, tree, tmp_path):
    """A file with bad rows shows each row, column and reason, and keeps nothing."""
    rows = [resident_row(1), resident_row(2, 身份证号=BAD_ID), resident_row(3, 网格="无此网格"), resident_row(4, 姓名="")]
    path = write_xlsx(tmp_path / "bad.xlsx", as_lists(rows, RESIDENT_HEADERS))
    before = (Resident.objects.count(), Household.objects.count())
    response = post_import(login(personas.office), path)
    assert response.status_code == 200
    body = response.content.decode()
    assert "未导入" in body and "3 行有错误" in body
    for row, column, reason in [(3, "身份证号", "身份证号校验位错误"), (4, "网格", "未知网格“无此网格”"), (5, "姓名", "姓名为空")]:
        assert f'<td class="num">{row}</td><td>{column}</td><td>{reason}</td>' in body
    assert (Resident.objects.count(), Household.objects.count()) == before


def test_good_upload_shows_counts_and_is_audited(login, personas, tree, tmp_path):
    """A good file is imported, its counts shown and the import audited with user, address and file name."""
    path = write_xlsx(tmp_path / "good.xlsx", as_lists([resident_row(1), resident_row(2)], RESIDENT_HEADERS))
    response = post_import(login(personas.office), path)
    body = response.content.decode()
    assert "导入完成" in body and '<th scope="row">居民</th><td class="num">2</td>' in body
    assert Resident.objects.filter(name__in=["测试1", "测试2"]).count() == 2
    entry = AuditLog.objects.filter(action=AuditAction.IMPORT).latest("id")
    assert entry.user == personas.office and entry.ip == "127.0.0.1" and "good.xlsx" in entry.detail


def test_dry_run_checkbox(login, personas, tree, tmp_path):
    """A dry run writes nothing and offers to import the same file."""
    path = write_xlsx(tmp_path / "good.xlsx", as_lists([resident_row(1)], RESIDENT_HEADERS))
    before = Resident.objects.count()
    body = post_import(login(personas.office), path, dry_run=True).content.decode()
    assert "试导入" in body and Resident.objects.count() == before
    assert 'id="confirm-import"' in body and "确认导入" in body  # a passed check offers to import the same file


def test_file_errors_on_the_page(login, personas, tmp_path):
    """A non-workbook, a file without data rows and a missing file each get a clear message on the page."""
    client = login(personas.office)
    png = tmp_path / "x.xlsx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    assert "PNG图片" in post_import(client, png).content.decode()
    headers = write_xlsx(tmp_path / "h.xlsx", [RESIDENT_HEADERS])
    assert "没有数据行" in post_import(client, headers).content.decode()
    body = client.post("/io/import/residents/", {}).content.decode()
    assert "errorlist" in body  # no file chosen: the form says so


def test_upload_size_cap(login, personas, tmp_path, settings):
    """A file over the upload cap is refused, naming the cap."""
    settings.FANZHA_MAX_UPLOAD_MB = 1
    big = tmp_path / "big.csv"
    big.write_bytes(("社区,网格,地址,姓名\n" + "东关社区,东关第一网格,路1号,张三\n" * 40000).encode())
    assert big.stat().st_size > 1024 * 1024
    body = post_import(login(personas.office), big).content.decode()
    assert "文件超过1 MB" in body


# --- the template --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(kinds()))
def test_template_opens_with_headers_and_notes(login, personas, kind):
    """Each kind's template has its columns, an example row and a notes sheet describing every column."""
    response = login(personas.office).get(f"/io/template/{kind}.xlsx")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    data, notes = wb.worksheets[0], wb.worksheets[1]
    headers = [c.value.rstrip("*") for c in data[1]]
    assert headers == [c.header for c in importer_for(kind).columns]
    assert str(data.cell(2, 1).value).startswith("示例")
    assert notes.title == "填写说明"
    assert {c.header for c in importer_for(kind).columns} <= {r[0].value for r in notes.iter_rows()}


def test_filled_template_imports(login, personas, tree, tmp_path):
    """The downloaded template, filled in (example row left in place), imports through the page."""
    client = login(personas.office)
    wb = openpyxl.load_workbook(io.BytesIO(client.get("/io/template/residents.xlsx").content))
    ws = wb.worksheets[0]
    assert ws.data_validations.dataValidation  # drop-down lists are there
    headers = [c.value.rstrip("*") for c in ws[1]]
    for seq in (1, 2):
        row = resident_row(seq)
        ws.append([row.get(h, "") for h in headers])
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    body = post_import(client, path).content.decode()
    assert "导入完成" in body, body
    assert Resident.objects.filter(name__in=["测试1", "测试2"]).count() == 2
    assert not Resident.objects.filter(name="王建国", household__address="东关路1号1栋101").exclude(pk=tree.r1.pk).exists()


def test_template_lists_the_streets_grids(login, personas, tree):
    """The residents template's lists hold the user's street's communities and grids, not another street's."""
    wb = openpyxl.load_workbook(io.BytesIO(login(personas.office).get("/io/template/residents.xlsx").content))
    lists = wb["_lists"]
    values = {c.value for col in lists.iter_cols() for c in col}
    assert {"东关第一网格", "南门第一网格", "东关社区"} <= values and "北关第一网格" not in values


def test_staff_template_round_trip(login, personas, tree, tmp_path):
    """The staff template, filled in and uploaded as it is, imports."""
    client = login(personas.office)
    wb = openpyxl.load_workbook(io.BytesIO(client.get("/io/template/staff.xlsx").content))
    ws = wb.worksheets[0]
    ws.append(["西门小学", "周老师", new_id(7), "13600000007", "教师", "在编", "本人", ""])
    ws.append(["", "周父", "", "", "", "", "父亲", new_id(7)])
    path = tmp_path / "staff.xlsx"
    wb.save(path)
    body = post_import(client, path, kind="staff").content.decode()
    assert "导入完成" in body, body


def test_county_office_chooses_the_street(login, tree, personas, tmp_path):
    """An importer whose scope spans several streets picks one; rows are checked against that street only."""
    from fanzha.org import services

    county_office = services.user_create(username="countyoffice", password="pw", role="office", node=tree.county)
    client = login(county_office)
    body = client.get("/io/import/residents/").content.decode()
    assert 'name="residents-street"' in body and "东门街道" in body
    path = write_xlsx(tmp_path / "r.xlsx", as_lists([resident_row(1)], RESIDENT_HEADERS))
    response = client.post("/io/import/residents/", {"residents-file": upload(path), "residents-street": tree.street2.pk})
    assert "未知社区“东关社区”" in response.content.decode()  # 东关 is in the other street
    response = client.post("/io/import/residents/", {"residents-file": upload(path), "residents-street": tree.street.pk})
    assert "导入完成" in response.content.decode()
    response = client.post("/io/import/residents/", {"residents-file": upload(path)})
    assert "errorlist" in response.content.decode() and Resident.objects.filter(name="测试1").count() == 1
