"""The worker's claim on a periodic report after a crash or a stall: what a killed attempt wrote is removed by
the next one, and a worker whose stale claim was taken over does not store its copy.
(The same with real processes killed by SIGKILL: core/tests/test_kill9.py.)"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fanzha.outreach import evidence as ev
from fanzha.outreach import jobs
from fanzha.outreach.models import PeriodicReport, ReportStatus

REPORT_DAY = dt.date(2026, 11, 13)


def _evening(minutes: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 11, 13, 17, 0)) + dt.timedelta(minutes=minutes)


def _folder():
    return ev.media_root() / jobs.REPORTS_DIR / "2026" / "11"


def _files() -> set[str]:
    return {p.name for p in _folder().iterdir()}


def _claimed_report(tree, at: dt.datetime) -> PeriodicReport:
    """The street's report of REPORT_DAY, queued and claimed by a worker at `at` (which then died or stalled)."""
    jobs._enqueue([jobs.Due("semimonthly", tree.street.id, REPORT_DAY)])
    report = PeriodicReport.objects.select_related("node").get(node=tree.street, report_date=REPORT_DAY)
    assert jobs.claim(report.id, at)
    return report


def test_next_attempt_removes_the_files_a_killed_attempt_left(tree):
    """Files named after a report that its row does not name (a killed attempt's, whole or half-written) are
    removed when the report is made after its claim went stale; other reports' files are left alone."""
    report = _claimed_report(tree, _evening())
    prefix = jobs._file_prefix(report)
    _folder().mkdir(parents=True, exist_ok=True)
    left = {f"{prefix}killedxlsx.xlsx", f"{prefix}killeddocx.docx"}
    for name in left:
        (_folder() / name).write_bytes(b"PK\x03\x04 half")
    others = {f"r{report.pk}0-another.xlsx", "on-demand-copy.docx"}  # another report's, a page's copy
    for name in others:
        (_folder() / name).write_bytes(b"kept")

    assert jobs.generate_due_reports(_evening(1), budget_seconds=600) == 5  # all but the claimed one
    assert PeriodicReport.objects.get(pk=report.pk).status == ReportStatus.RUNNING
    assert left <= _files()  # a young claim: its worker may still be writing them

    jobs.generate_due_reports(_evening(31), budget_seconds=600)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.attempts == 2
    names = _files()
    assert not left & names
    assert others <= names
    assert {report.xlsx_file.rsplit("/", 1)[-1], report.docx_file.rsplit("/", 1)[-1]} <= names
    assert all(n.startswith(prefix) for n in (report.xlsx_file.rsplit("/", 1)[-1], report.docx_file.rsplit("/", 1)[-1]))


def test_a_worker_whose_stale_claim_was_taken_over_does_not_store_its_copy(tree):
    """A worker that stalled past STALE_AFTER finds its claim taken over: its save is refused, its files are
    removed, and the row keeps the files of the worker that took it over."""
    slow_claim = _evening()
    report = _claimed_report(tree, slow_claim)
    slow_copy = PeriodicReport.objects.select_related("node").get(pk=report.pk)

    later = _evening(31)
    assert jobs.claim(report.id, later)
    taken = jobs.make_report(PeriodicReport.objects.select_related("node").get(pk=report.pk), claimed_at=later)
    assert taken is not None and taken.status == ReportStatus.DONE

    assert jobs.make_report(slow_copy, claimed_at=slow_claim) is None
    report.refresh_from_db()
    assert (report.xlsx_file, report.docx_file) == (taken.xlsx_file, taken.docx_file)
    assert _files() == {taken.xlsx_file.rsplit("/", 1)[-1], taken.docx_file.rsplit("/", 1)[-1]}
    assert ev.path_of(report.xlsx_file).read_bytes().startswith(b"PK")
