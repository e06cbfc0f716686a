"""Periodic reports made by the worker on their days, kept for download.

The worker loop calls `generate_due_reports(timezone.now())` on every pass:

- on the 13th and 28th: the semimonthly report of every community, street
  and county;
- by the 25th: the units' monthly report of every street (all its units;
  a single unit's report is made on demand from the web page), made on the
  24th or the last working day before the 25th, covering the month to date
  (`periods.unit_monthly_day`). The office regenerates any stored report by
  making it again on the reports page (it replaces the stored copy).

Reports of a day are made from FANZHA_REPORT_HOUR (default 16:00 local
time) on that day, so the day's work is in them; a worker that was down
catches up for CATCH_UP_DAYS days. Each report is one `PeriodicReport` row:
rows are inserted idempotently (unique kind, node and date), then claimed
one at a time with a conditional UPDATE whose row count tells whether this
worker got it, so two workers never make the same report. A worker killed
while making one leaves its claim, which is taken again once older than
STALE_AFTER; the files it wrote are named after the row and removed by the
next attempt, and only the worker still holding the claim saves the row
(`make_report`), so a report is stored once. A pass stops
after `budget_seconds`, so report making never holds up the rest of the
worker loop for long; the next pass continues.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from fanzha.org.models import Level, Node
from fanzha.outreach import evidence as ev
from fanzha.outreach import reports
from fanzha.outreach.models import PeriodicReport, ReportKind, ReportStatus
from fanzha.outreach.periods import (
    last_semimonthly_day,
    last_unit_monthly_day,
    semimonthly,
    unit_monthly,
)

logger = logging.getLogger("fanzha.outreach.jobs")

CATCH_UP_DAYS = 7
STALE_AFTER = dt.timedelta(minutes=30)
MAX_ATTEMPTS = 3
REPORTS_DIR = "outreach/reports"


def report_hour() -> int:
    return int(getattr(settings, "FANZHA_REPORT_HOUR", 16))


@dataclass(frozen=True)
class Due:
    kind: str
    node_id: int
    report_date: dt.date


def report_days(today: dt.date) -> list[tuple[str, dt.date]]:
    """The latest report day of each kind, if it is within the catch-up window."""
    out = []
    for kind, day in ((ReportKind.SEMIMONTHLY, last_semimonthly_day(today)), (ReportKind.UNIT_MONTHLY, last_unit_monthly_day(today))):
        if (today - day).days <= CATCH_UP_DAYS:
            out.append((kind, day))
    return out


def reports_due(today: dt.date) -> list[Due]:
    """Reports that should exist for the report days up to today and are not made yet."""
    wanted: list[Due] = []
    for kind, day in report_days(today):
        levels = (Level.COUNTY, Level.STREET, Level.COMMUNITY) if kind == ReportKind.SEMIMONTHLY else (Level.STREET,)
        done = set(PeriodicReport.objects.filter(kind=kind, report_date=day, status=ReportStatus.DONE)
                   .values_list("node_id", flat=True))
        for node_id in Node.objects.filter(level__in=levels).order_by("level", "sort", "code").values_list("id", flat=True):
            if node_id not in done:
                wanted.append(Due(kind, node_id, day))
    return wanted


def _enqueue(due: list[Due]) -> None:
    if not due:
        return
    nodes = Node.objects.in_bulk({d.node_id for d in due})
    rows = []
    for d in due:
        node = nodes.get(d.node_id)
        if node is None:
            continue
        period = semimonthly(d.report_date) if d.kind == ReportKind.SEMIMONTHLY else unit_monthly(d.report_date)
        r = PeriodicReport(kind=d.kind, node=node, report_date=d.report_date, period_start=period.start,
                           period_end=period.end)
        r.place_at(node)
        rows.append(r)
    PeriodicReport.objects.bulk_create(rows, ignore_conflicts=True)


def claim(report_id: int, now: dt.datetime) -> bool:
    """Take one report for this worker: True only for the worker whose UPDATE changed the row."""
    takeable = (Q(status=ReportStatus.PENDING)
                | Q(status=ReportStatus.RUNNING, claimed_at__lt=now - STALE_AFTER)
                | Q(status=ReportStatus.FAILED, attempts__lt=MAX_ATTEMPTS))
    return PeriodicReport.objects.filter(pk=report_id).filter(takeable).update(
        status=ReportStatus.RUNNING, claimed_at=now, attempts=F("attempts") + 1) == 1


def _file_prefix(report: PeriodicReport) -> str:
    """Stored files of a report are named after its row, so what an attempt killed half-way wrote can be found."""
    return f"r{report.pk}-"


def _remove_strays(report: PeriodicReport) -> None:
    """Remove the files named after `report` that its row does not name (and their PDF copies and print locks):
    what an attempt killed between writing its files and saving the row left, whole or half-written."""
    kept = PeriodicReport.objects.filter(pk=report.pk).values_list("xlsx_file", "docx_file").first() or ()
    kept_stems = {f.rsplit("/", 1)[-1].split(".", 1)[0] for f in kept if f}
    folder = ev.media_root() / f"{REPORTS_DIR}/{report.report_date:%Y}/{report.report_date:%m}"
    if not folder.is_dir():
        return
    for path in folder.glob(f"{_file_prefix(report)}*"):
        if path.name.split(".", 1)[0] not in kept_stems:
            path.unlink(missing_ok=True)


def make_report(report: PeriodicReport, *, claimed_at: dt.datetime | None = None) -> PeriodicReport | None:
    """Build both files of one report row and store them; the row is marked done.

    1. Remove what an earlier attempt at this row left behind (`_remove_strays`): a worker killed (kill -9,
       power cut) after writing a file and before saving the row leaves files no row names.
    2. Build the report and write its .xlsx and .docx under fresh names that start with the row's id.
    3. Save the row as done. With `claimed_at` (the worker's claim), only while this worker still holds the
       claim: a claim that went stale may have been taken over, and the taker's files are the report; then
       this attempt's files are removed and None returned.
    4. Remove the files the row named before (a report made again replaces its copy, the PDF with it).
    """
    _remove_strays(report)
    node = report.node
    if report.kind == ReportKind.SEMIMONTHLY:
        data = reports.semimonthly_data(reports.SYSTEM, node, report.report_date)
    else:
        data = reports.unit_monthly_data(reports.SYSTEM, node=node, report_date=report.report_date)
    old = (report.xlsx_file, report.docx_file)
    write = dict(when=report.report_date, folder=REPORTS_DIR, prefix=_file_prefix(report))
    xlsx = ev.write_new(reports.to_xlsx(data), "xlsx", **write)
    try:
        docx = ev.write_new(reports.to_docx(data), "docx", **write)
    except BaseException:
        ev.remove_quietly(xlsx)
        raise
    done = dict(xlsx_file=xlsx, docx_file=docx, figures=data["figures"], status=ReportStatus.DONE,
                generated_at=timezone.now(), error="")
    try:
        rows = PeriodicReport.objects.filter(pk=report.pk)
        if claimed_at is not None:
            rows = rows.filter(status=ReportStatus.RUNNING, claimed_at=claimed_at)
        saved = rows.update(**done) == 1
    except BaseException:
        ev.remove_quietly(xlsx, docx)
        raise
    if not saved:
        logger.warning("periodic report %s was taken over by another worker; this attempt's files removed", report.pk)
        ev.remove_quietly(xlsx, docx)
        return None
    for name, value in done.items():
        setattr(report, name, value)
    ev.remove_quietly(*old, pdf_of(old[1]))
    return report


def pdf_of(docx_rel: str) -> str:
    """Where the PDF copy of a stored Word file is kept: beside it, same name, .pdf."""
    return docx_rel.rsplit(".", 1)[0] + ".pdf" if docx_rel else ""


def make_pdf(docx_rel: str) -> str:
    """Print a stored report's Word file to PDF beside it, where LibreOffice is installed.

    Returns the PDF's relative path, or "" when there is no LibreOffice, another
    worker is printing it, or it failed (logged): the Word and Excel files are
    the report, the PDF a copy for forwarding, so a failure here never fails
    the report. A lock file created with O_EXCL beside the PDF is the claim, so
    two workers never print the same file; a lock older than STALE_AFTER is
    taken over.
    """
    from fanzha.core import pdf

    if not docx_rel or not pdf.available():
        return ""
    try:
        target = ev.path_of(pdf_of(docx_rel))
        source = ev.path_of(docx_rel)
    except ValueError:
        return ""
    lock = target.with_suffix(".pdf.lock")
    try:
        fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    except FileExistsError:
        try:
            if time.time() - lock.stat().st_mtime < STALE_AFTER.total_seconds():
                return ""
            lock.unlink()
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        except OSError:
            return ""
    os.close(fd)
    try:
        pdf.to_pdf(source)
    except (pdf.PdfError, OSError):
        logger.warning("PDF of report file %s not made", docx_rel, exc_info=True)
        return ""
    finally:
        lock.unlink(missing_ok=True)
    return pdf_of(docx_rel)


_pdf_failed: set[str] = set()  # Word files this process could not print (not retried until restart)


def make_due_pdfs(now: dt.datetime | None = None, *, budget_seconds: float = 20.0, limit: int | None = None) -> int:
    """PDF copies of the reports made in the catch-up window that have none yet; returns how many.

    Runs right after the report pass (its own periodic job), so a report made
    on one pass has its PDF on the next; PDFs made on request do not wait for it.
    """
    from fanzha.core import pdf

    if not pdf.available():
        return 0
    now = now or timezone.now()
    since = timezone.localdate(now) - dt.timedelta(days=CATCH_UP_DAYS)
    started = time.monotonic()
    made = 0
    rows = (PeriodicReport.objects.filter(status=ReportStatus.DONE, report_date__gte=since).exclude(docx_file="")
            .order_by("-report_date", "id").values_list("docx_file", flat=True))
    for docx_rel in rows:
        if time.monotonic() - started > budget_seconds or (limit is not None and made >= limit):
            break
        if docx_rel in _pdf_failed:
            continue
        try:
            if ev.path_of(pdf_of(docx_rel)).exists() or not ev.path_of(docx_rel).exists():
                continue
        except ValueError:
            continue
        if make_pdf(docx_rel):
            made += 1
        elif not ev.path_of(pdf_of(docx_rel)).with_suffix(".pdf.lock").exists():
            _pdf_failed.add(docx_rel)
    return made


def run_due_pdfs(now: dt.datetime) -> int:
    """The worker's periodic job (`fanzha.core.jobs`): PDF copies of new reports, a few seconds per pass."""
    return make_due_pdfs(now, budget_seconds=5.0)


def generate_due_reports(now: dt.datetime | None = None, *, budget_seconds: float = 20.0, limit: int | None = None) -> int:
    """Make the reports that are due, for at most `budget_seconds`; returns how many were made.

    1. The due reports (`reports_due`), without today's before the report hour.
    2. Insert their rows (idempotent).
    3. Claim and make them one by one until the budget is spent.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = [d for d in reports_due(today) if d.report_date < today or timezone.localtime(now).hour >= report_hour()]
    if not due:
        return 0
    _enqueue(due)
    started = time.monotonic()
    made = 0
    keys = {(d.kind, d.node_id, d.report_date) for d in due}
    candidates = (PeriodicReport.objects.filter(report_date__in={d.report_date for d in due})
                  .exclude(status=ReportStatus.DONE).select_related("node").order_by("report_date", "id"))
    for report in candidates:
        if (report.kind, report.node_id, report.report_date) not in keys:
            continue
        if limit is not None and made >= limit:
            break
        if time.monotonic() - started > budget_seconds:
            break
        if not claim(report.id, now):
            continue
        try:
            if make_report(report, claimed_at=now):
                made += 1
        except Exception as e:  # noqa: BLE001 - one bad report must not stop the others
            logger.exception("periodic report %s failed", report.pk)
            PeriodicReport.objects.filter(pk=report.pk, status=ReportStatus.RUNNING, claimed_at=now).update(
                status=ReportStatus.FAILED, error=str(e)[:2000])
    return made


def run_due(now: dt.datetime) -> int:
    """The worker's periodic job (`fanzha.core.jobs`): the reports due now, two seconds' worth per pass."""
    return generate_due_reports(now, budget_seconds=2.0)
