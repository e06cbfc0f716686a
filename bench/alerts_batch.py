"""Benchmark: a 10,000-alert batch upload at county scale, read, checked, routed and stored (target ≤ 5 s).

    .venv/bin/python bench/alerts_batch.py [--rows 10000]

On the county data set (bench/_common.py `county_db()`), a county-level office
user uploads one .xlsx of 10,000 alerts with the Chinese headers through the
import framework (`run_import(AlertImporter, ...)`, exactly what the upload
page runs): 90% for registered residents (half found by phone, half by ID
number), 10% for people not on the register. Timed from the file's bytes to
the committed alerts, assignees, routing events and notifications. The alerts
are deleted afterwards, so the bench can be run again.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common
import alerts_common

TARGET_S = 5.0
HEADERS = ["预警编号", "预警时间", "姓名", "手机号", "身份证号", "预警级别", "诈骗类型", "涉诈号码/网址", "备注"]


def workbook(rows: list[list[str]]) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("预警")
    ws.write_row(0, 0, HEADERS)
    for i, r in enumerate(rows, start=1):
        ws.write_row(i, 0, r)
    wb.close()
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    _common.county_db()
    from django.utils import timezone

    from fanzha.alerts.importers import AlertImporter
    from fanzha.alerts.models import Alert, AlertAssignee, AlertBatch, Status
    from fanzha.core.imports import run_import
    from fanzha.org.importers import import_context

    county = alerts_common.county_node()
    responders = alerts_common.ensure_responders(county)
    office = alerts_common.county_office(county)
    rng = random.Random(2026)
    known = int(args.rows * 0.9)
    residents = alerts_common.sample_residents(county, known, rng)
    when = timezone.localtime(timezone.now() - timezone.timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M:%S")
    grades = rng.choices(["高", "中", "低"], weights=[15, 45, 40], k=args.rows)
    rows = []
    for i in range(args.rows):
        if i < known:
            _rid, _grid, phone, idn = residents[i]
            rows.append([f"BENCH-{i:06d}", when, f"居民{i}", phone if i % 2 else "", "" if i % 2 else idn, grades[i],
                         "刷单返利", "https://x.invalid", ""])
        else:
            rows.append([f"BENCH-{i:06d}", when, f"未登记{i}", f"199{rng.randint(0, 99_999_999):08d}", "", grades[i],
                         "虚假贷款", "", "外地号码"])
    data = workbook(rows)
    print(f"engine {_common.engine()}; {args.rows:,} rows, {len(data) / 1e6:.1f} MB .xlsx; "
          f"{len(responders):,} grids with bench responders")

    ctx = import_context(user=office, street=county)
    ctx.filename = "bench.xlsx"
    started = time.perf_counter()
    result = run_import(AlertImporter, ctx, data, filename="bench.xlsx")
    seconds = time.perf_counter() - started
    assert result.ok and result.applied, (result.file_error, result.errors[:5])
    batch = ctx.batch
    alerts = Alert.objects.filter(batch=batch)
    routed = alerts.filter(status=Status.NEW).count()
    print(f"batch of {args.rows:,}: {seconds:.2f} s  (target ≤ {TARGET_S:.0f} s)  {_common.verdict(seconds, TARGET_S)}")
    print(f"  routed to grids {routed:,}, waiting for manual assignment {alerts.filter(status=Status.PENDING).count():,}, "
          f"assignees {AlertAssignee.objects.filter(alert__batch=batch).count():,}; "
          f"{args.rows / seconds:,.0f} alerts/s; peak RSS {_common.peak_rss_mb():.0f} MB")
    assert routed == known, routed
    removed = alerts_common.purge_alerts("batch_id = %s", [batch.pk])
    AlertBatch.objects.filter(pk=batch.pk).delete()
    alerts_common.remove_responders()
    print(f"  cleaned up {removed:,} bench alerts and the bench responders")


if __name__ == "__main__":
    main()
