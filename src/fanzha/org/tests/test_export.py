"""Exports to .xlsx: scoped, masked unless revealed with permission (audited), formulas neutralised."""

from __future__ import annotations

import io

import openpyxl
import pytest

from fanzha.core.exports import neutralise
from fanzha.core.models import AuditAction, AuditLog
from fanzha.org import services
from fanzha.org.models import Resident
from fanzha.org.tests.io_helpers import do_import


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response.streaming  # written to a temporary file and streamed, not built in memory
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def cells(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def all_values(ws) -> set[str]:
    return {str(v) for row in cells(ws) for v in row if v is not None}


def full_numbers(tree) -> list[str]:
    people = [tree.r1, tree.r1b, tree.r2, tree.r3, tree.r9, tree.staff, tree.family]
    return [p.id_number for p in people] + [p.phone for p in people if p.phone]


def test_residents_masked_by_default(login, personas, tree):
    """The resident export holds the street's residents with ID and phone masked, and is audited as masked."""
    ws = fetch(login(personas.office), "/io/export/residents.xlsx").active
    rows = cells(ws)
    assert rows[0][:9] == ["社区", "网格", "十联户", "地址", "户主", "姓名", "性别", "出生日期", "身份证号"]
    names = {r[5] for r in rows[1:]}
    assert names == {"王建国", "王小明", "李秀英", "张伟"}  # the street's residents, not the other street's
    values = all_values(ws)
    assert not any(n in values for n in full_numbers(tree))
    assert tree.r1.id_number_masked in values and tree.r1.phone_masked in values
    entry = AuditLog.objects.filter(action=AuditAction.EXPORT).latest("id")
    assert entry.user == personas.office and "4行" in entry.detail and "脱敏" in entry.detail
    assert not AuditLog.objects.filter(action=AuditAction.REVEAL).exists()


def test_reveal_needs_permission_and_is_audited(login, personas, tree):
    """reveal=1 shows full numbers to a user with org.reveal_pii, with a reveal entry giving the row count."""
    ws = fetch(login(personas.office), "/io/export/residents.xlsx?reveal=1").active
    values = all_values(ws)
    assert tree.r1.id_number in values and tree.r2.phone in values
    assert tree.r9.id_number not in values
    reveal = AuditLog.objects.filter(action=AuditAction.REVEAL).latest("id")
    assert reveal.user == personas.office and "4行" in reveal.detail and reveal.target == "export:residents"
    assert "含完整身份证号和手机号" in AuditLog.objects.filter(action=AuditAction.EXPORT).latest("id").detail


def test_leader_exports_masked_even_when_asking(login, personas, tree):
    """A leader asking for full numbers still gets them masked, and no reveal is logged."""
    ws = fetch(login(personas.leader), "/io/export/residents.xlsx?reveal=1").active
    assert not any(n in all_values(ws) for n in full_numbers(tree))
    assert not AuditLog.objects.filter(action=AuditAction.REVEAL).exists()


@pytest.mark.parametrize("persona, status", [
    ("office", 200), ("leader", 200), ("police", 200), ("community", 200),
    ("gridleader", 403), ("grid1", 403), ("grouphead", 403), ("liaison", 403),
])
def test_export_permission(login, personas, persona, status):
    """The export page and the resident export answer each role as the access table says."""
    assert login(getattr(personas, persona)).get("/io/export/residents.xlsx").status_code == status
    assert login(getattr(personas, persona)).get("/io/export/").status_code == status


def test_export_is_scoped(login, personas, tree):
    """Each user's export holds only the residents of their own part of the tree."""
    ws = fetch(login(personas.community), "/io/export/residents.xlsx").active
    assert {r[5] for r in cells(ws)[1:]} == {"王建国", "王小明", "李秀英"}
    ws = fetch(login(personas.outsider), "/io/export/residents.xlsx").active
    assert {r[5] for r in cells(ws)[1:]} == {"刘洋"}


@pytest.mark.parametrize("query, names", [
    ("residency=floating", {"张伟"}),
    ("tag=student", {"王小明"}),
    ("q=王", {"王建国", "王小明"}),
    ("q=13900139002", {"李秀英"}),
    ("node={g1}", {"王建国", "王小明"}),
])
def test_export_filters_like_the_resident_list(login, personas, tree, query, names):
    """The export applies the same filters as the resident list."""
    ws = fetch(login(personas.office), "/io/export/residents.xlsx?" + query.format(g1=tree.g1.pk)).active
    assert {r[5] for r in cells(ws)[1:]} == names


def test_searched_number_is_not_written_to_the_audit_log(login, personas, tree):
    """A phone number searched for is not written into the export's audit entry."""
    fetch(login(personas.office), "/io/export/residents.xlsx?q=13900139002")
    assert "13900139002" not in AuditLog.objects.filter(action=AuditAction.EXPORT).latest("id").detail


def test_out_of_scope_node_unknown_kind_wrong_method(login, personas, tree):
    """An out-of-scope or malformed node and an unknown kind are 404; POST is 405."""
    client = login(personas.office)
    assert client.get(f"/io/export/residents.xlsx?node={tree.g9.pk}").status_code == 404
    assert client.get("/io/export/residents.xlsx?node=abc").status_code == 404
    assert client.get("/io/export/secrets.xlsx").status_code == 404
    assert client.post("/io/export/residents.xlsx").status_code == 405


def test_formulas_are_neutralised(login, personas, tree):
    """Text starting with = + - @ (or tab / CR) comes out as text, never a formula."""
    services.resident_update(resident=tree.r2, name="@SUM(A1:A9)", id_number=tree.r2.id_number, phone=tree.r2.phone,
                             note="=HYPERLINK(\"http://x\",\"点我\")", occupation="-2+3", relation="+1")
    tree.h2.head_name = "\t=1+1"
    tree.h2.save()
    wb = fetch(login(personas.office), "/io/export/residents.xlsx")
    ws = wb.active
    row = next(r for r in ws.iter_rows(min_row=2) if str(r[5].value).endswith("SUM(A1:A9)"))
    by_header = {ws.cell(1, c.column).value: c for c in row}
    for header, text in [("姓名", "@SUM(A1:A9)"), ("备注", "=HYPERLINK(\"http://x\",\"点我\")"), ("职业", "-2+3"),
                         ("与户主关系", "+1"), ("户主", "\t=1+1")]:
        cell = by_header[header]
        assert cell.data_type == "s", header
        assert cell.value == "'" + text, header
    assert neutralise("普通文本") == "普通文本" and neutralise("\r=1") == "'\r=1"


def test_staff_export_lists_families_under_their_staff(login, personas, tree):
    """The staff export lists each staff member followed by their family, numbers masked."""
    ws = fetch(login(personas.office), "/io/export/staff.xlsx").active
    rows = cells(ws)
    assert rows[0] == ["单位名称", "姓名", "身份证号", "手机号", "职务", "用工形式", "与职工关系", "职工身份证号"]
    assert rows[1][:2] == ["西门小学", "赵老师"] and rows[1][6] == "本人"
    assert rows[2][1] == "赵父" and rows[2][6] == "父母" and rows[2][7] == tree.staff.id_number_masked
    assert tree.staff.id_number not in all_values(ws)


def test_units_households_and_org_exports(login, personas, tree):
    """The unit, household and org-tree exports hold the street's rows only."""
    client = login(personas.office)
    units = cells(fetch(client, "/io/export/units.xlsx").active)
    assert units[1][:2] == ["西门小学", "学校"] and units[1][-1] == 1
    households = cells(fetch(client, "/io/export/households.xlsx").active)
    assert {r[3] for r in households[1:]} == {"东关路1号1栋101", "东关路2号2栋202", "南门街3号"}
    org = cells(fetch(client, "/io/export/org.xlsx").active)
    assert ["S-C1", "东关社区", "S-C1-G1", "东关第一网格", "S-C1-G1-01", "东关1-1联户"] in org
    assert not any("北关" in str(v) for r in org for v in r)


def test_revealed_export_imports_back_unchanged(login, personas, tree, tmp_path):
    """An export with full numbers is a valid import file: importing it changes nothing."""
    response = login(personas.office).get("/io/export/residents.xlsx?reveal=1")
    path = tmp_path / "round.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    before = dict(Resident.objects.values_list("id", "updated_at"))
    result = do_import("residents", path, personas.office, tree.street)
    assert result.ok, result.errors
    assert result.counts["居民"] == {"created": 0, "updated": 0, "unchanged": 4}
    assert dict(Resident.objects.values_list("id", "updated_at")) == before


def test_export_page(login, personas):
    """The export page offers full numbers only to roles that may reveal them."""
    body = login(personas.office).get("/io/export/").content.decode()
    assert 'action="/io/export/residents.xlsx"' in body and 'name="reveal"' in body
    body = login(personas.leader).get("/io/export/").content.decode()
    assert 'action="/io/export/residents.xlsx"' in body and 'name="reveal"' not in body
