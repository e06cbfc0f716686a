"""Reliability under faults, with real processes killed by SIGKILL (kill -9):
an import killed half-way keeps nothing, and running it again completes it exactly once."""

from __future__ import annotations

import csv
import random
import signal
import time

from fanzha.core.idnumbers import make_id_number
from fanzha.core.tests.procs import site, template_site  # noqa: F401 — fixtures

ROWS = 20_000


def _roster(path) -> None:
    import datetime as dt

    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["社区", "网格", "十联户", "地址", "姓名", "身份证号", "手机号"])
        for i in range(ROWS):
            w.writerow(["东关社区", "东关第一网格", "东关1-1联户", f"东关路{i // 3 + 10}号", f"测试{i}",
                        make_id_number("330102", dt.date(1960, 1, 1) + dt.timedelta(days=i // 999), i % 999),
                        f"139{i:08d}"])


def _count(site) -> int:
    return int(site.run(code="from fanzha.org.models import Resident\nprint(Resident.objects.count())").stdout.strip())


def test_an_import_killed_half_way_keeps_nothing_and_a_rerun_completes_it(site, tmp_path):
    """kill -9 during an import leaves none or all of its rows (never part); importing again gives all, once."""
    path = tmp_path / "roster.csv"
    _roster(path)
    before = _count(site)
    rng = random.Random(7)
    for _attempt in range(2):
        proc = site.popen("import", "residents", str(path), "--street", "S")
        time.sleep(rng.uniform(1.0, 4.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        after = _count(site)
        assert after in (before, before + ROWS), f"half an import kept: {after - before} of {ROWS} rows"
    site.run("import", "residents", str(path), "--street", "S", timeout=600)
    assert _count(site) == before + ROWS
    site.run("import", "residents", str(path), "--street", "S", timeout=600)  # unchanged file: nothing new
    assert _count(site) == before + ROWS
