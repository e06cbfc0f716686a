"""The county's semimonthly report as a PDF made on request (figures → Word → LibreOffice): ≤ 10 s.

    .venv/bin/python bench/documents_pdf.py [--keep DIR]

What a user waits for when they press "下载PDF" on the reports page for the
county: the report's figures, the document (core.documents, rendered as ODF
by core.documents_odf) and its printing by LibreOffice (core.pdf.to_pdf),
three times (the first also makes LibreOffice's profile). Prints each part's
time, LibreOffice's CPU time (the machine may be busy), the pages and the
PDF's size; then, for reference, the Word file and the .xlsx printed to PDF
as the worker does. With --keep the files are kept in DIR to look at.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

from _common import engine, verdict
from _outreach import county_with_outreach

TARGET_S = 10.0


def pages(path: Path) -> int:
    try:
        out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return 0
    return next((int(line.split()[-1]) for line in out.splitlines() if line.startswith("Pages:")), 0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", type=Path, default=None)
    args = ap.parse_args()
    county = county_with_outreach()
    from django.utils import timezone

    from fanzha.core import pdf
    from fanzha.outreach import reports
    from fanzha.outreach.periods import last_semimonthly_day

    if not pdf.available():
        print("documents PDF bench: LibreOffice (soffice) not installed — apt-get install libreoffice-writer-nogui "
              "libreoffice-calc-nogui; nothing measured")
        return
    day = last_semimonthly_day(timezone.localdate())
    outdir = args.keep or Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    outdir.mkdir(parents=True, exist_ok=True)
    print(f"documents PDF bench: {engine()}; county semimonthly report dated {day}; files in {outdir}")
    totals = []
    for run in range(3):
        t0 = time.perf_counter()
        data = reports.semimonthly_data(reports.SYSTEM, county, day)
        t1 = time.perf_counter()
        from fanzha.core.documents_odf import to_fodt

        fodt = outdir / "county.fodt"
        fodt.write_bytes(to_fodt(reports.report_document(data)))
        t2 = time.perf_counter()
        c2 = resource.getrusage(resource.RUSAGE_CHILDREN)
        made = pdf.to_pdf(fodt)
        t3 = time.perf_counter()
        c3 = resource.getrusage(resource.RUSAGE_CHILDREN)
        lo_cpu = (c3.ru_utime + c3.ru_stime) - (c2.ru_utime + c2.ru_stime)
        totals.append(t3 - t0)
        rows = sum(len(t["rows"]) for t in data["tables"])
        print(f"  run {run + 1}: figures {t1 - t0:5.2f} s, document {t2 - t1:5.2f} s, PDF {t3 - t2:5.2f} s "
              f"(LibreOffice CPU {lo_cpu:5.2f} s; {pages(made)} pages, {made.stat().st_size / 1024:.0f} KB, "
              f"{rows:,} table rows); total {t3 - t0:5.2f} s")
    best, worst = min(totals), max(totals)
    print(f"  machine load (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"  PDF on request, county: best {best:.2f} s, worst {worst:.2f} s, target ≤ {TARGET_S:.0f} s  "
          f"best {verdict(best, TARGET_S)} · worst {verdict(worst, TARGET_S)}")
    t0 = time.perf_counter()
    docx = outdir / "county.docx"
    docx.write_bytes(reports.to_docx(data))
    made = pdf.to_pdf(docx)
    print(f"  the Word file printed (worker, not on request): {time.perf_counter() - t0:.2f} s, {pages(made)} pages")
    t0 = time.perf_counter()
    xlsx = outdir / "county-workbook.xlsx"
    xlsx.write_bytes(reports.to_xlsx(data))
    made = pdf.to_pdf(xlsx)
    print(f"  .xlsx printed to PDF (worker/reference): {time.perf_counter() - t0:.2f} s, {pages(made)} pages")


if __name__ == "__main__":
    main()
