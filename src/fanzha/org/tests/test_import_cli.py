"""`fanzha import`, `fanzha import-template` and `fanzha export` on the command line."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command, execute_from_command_line

from fanzha.core.models import AuditAction, AuditLog
from fanzha.org.models import Household, Resident
from fanzha.org.tests.io_helpers import BAD_ID, RESIDENT_HEADERS, as_lists, resident_row, write_xlsx


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def good(tmp_path):
    return write_xlsx(tmp_path / "good.xlsx", as_lists([resident_row(1), resident_row(2)], RESIDENT_HEADERS))


@pytest.fixture
def bad(tmp_path):
    rows = [resident_row(1), resident_row(2, 身份证号=BAD_ID), resident_row(3, 网格="无此网格")]
    return write_xlsx(tmp_path / "bad.xlsx", as_lists(rows, RESIDENT_HEADERS))


def test_import_as_user_prints_counts(personas, good):
    """`fanzha import` as a user imports, prints the counts and is audited under that user."""
    out = run("import", "residents", str(good), "--user", "office")
    assert "居民\t新增 2\t更新 0\t未变 0" in out
    assert Resident.objects.filter(name__startswith="测试").count() == 2
    entry = AuditLog.objects.filter(action=AuditAction.IMPORT).latest("id")
    assert entry.username == "office" and "good.xlsx" in entry.detail


def test_import_with_street_and_no_user(tree, good):
    """Without --user the command acts for one street, named by --street when there are several."""
    with pytest.raises(CommandError, match="pass --street"):
        run("import", "residents", str(good))
    out = run("import", "residents", str(good), "--street", "S")
    assert "新增 2" in out
    entry = AuditLog.objects.filter(action=AuditAction.IMPORT).latest("id")
    assert entry.username.startswith("cli:") and entry.street_id == tree.street.id


def test_bad_file_exits_non_zero_and_keeps_nothing(personas, bad):
    """Every bad row is printed; the exit code is 1; nothing is written."""
    before = (Resident.objects.count(), Household.objects.count())
    out = io.StringIO()
    with pytest.raises(CommandError, match="2行有错误"):
        call_command("import", "residents", str(bad), "--user", "office", stdout=out)
    assert "第3行\t身份证号\t身份证号校验位错误" in out.getvalue()
    assert "第4行\t网格\t未知网格“无此网格”" in out.getvalue()
    assert (Resident.objects.count(), Household.objects.count()) == before
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["fanzha", "import", "residents", str(bad), "--user", "office"])
    assert exit_info.value.code == 1


def test_dry_run_writes_nothing(personas, good):
    """`fanzha import --dry-run` prints the counts and writes nothing."""
    before = (Resident.objects.count(), Household.objects.count())
    out = run("import", "residents", str(good), "--user", "office", "--dry-run")
    assert "试导入" in out and "居民\t新增 2" in out
    assert (Resident.objects.count(), Household.objects.count()) == before


def test_user_without_permission_is_refused(personas, good):
    """`fanzha import` as a user without the import permission is refused."""
    with pytest.raises(CommandError, match="lacks the permission"):
        run("import", "residents", str(good), "--user", "leader")


def test_file_problems(personas, tmp_path):
    """`fanzha import` names a wrong file type and a missing file."""
    png = tmp_path / "photo.xlsx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    with pytest.raises(CommandError, match="PNG"):
        run("import", "residents", str(png), "--user", "office")
    with pytest.raises(CommandError, match="no such file"):
        run("import", "residents", str(tmp_path / "missing.csv"), "--user", "office")


def test_import_template_and_export_commands(personas, tmp_path, good):
    """The template and export commands write their workbooks, audit the export and refuse a leader's reveal."""
    out = tmp_path / "tpl.xlsx"
    run("import-template", "residents", str(out), "--street", "S")
    assert [c.value for c in openpyxl.load_workbook(out).worksheets[0][1]][:3] == ["社区", "网格*", "十联户"]
    run("import", "residents", str(good), "--user", "office")
    exported = tmp_path / "out.xlsx"
    assert "rows" in run("export", "residents", str(exported), "--user", "office")
    ws = openpyxl.load_workbook(exported).active
    assert ws.max_row == 1 + Resident.objects.filter(street=personas.office.assignments.get().node).count()
    assert AuditLog.objects.filter(action=AuditAction.EXPORT, username="office").exists()
    with pytest.raises(CommandError, match="reveal"):
        run("export", "residents", str(exported), "--user", "leader", "--reveal")
