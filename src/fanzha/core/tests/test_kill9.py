"""Reliability under faults, with real processes killed by SIGKILL (kill -9):
an import killed half-way keeps nothing, and running it again completes it exactly once."""

from __future__ import annotations

import csv
import random
import signal
import subprocess
import sys
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


# --- a worker killed during an escalation sweep --------------------------------------------------------

ALERTS = 3_000

# ALERTS open alerts at grid S-C1-G1 (through the upload path, `ingest_batch`), each past its sign limit
# and with its next limits a day ahead: every one of them is due to climb exactly one level (to S-C1).
OPEN_ALERTS = f"""
import datetime as dt
from django.db import transaction
from django.utils import timezone
from fanzha.alerts.importers import ingest_batch
from fanzha.alerts.inputs import AlertInput
from fanzha.alerts.models import Alert, Stage
from fanzha.org import services
from fanzha.org.models import Node, Role
now = timezone.now()
street = Node.objects.get(code="S")
services.user_create(username="c1", password="pw-long-enough-9", display_name="c", role=Role.COMMUNITY,
                     node=Node.objects.get(code="S-C1"))
inputs = [AlertInput(external_id=f"K9-{{i}}", occurred_at=now - dt.timedelta(hours=2), grade="medium",
                     name=f"测试{{i}}", phone="13800138001", fraud_type="刷单") for i in range({ALERTS})]
with transaction.atomic():
    ingest_batch(inputs, area=street, now=now - dt.timedelta(hours=2))
past, ahead = now - dt.timedelta(hours=1), now + dt.timedelta(days=1)
Alert.objects.update(sign_due_at=past, contact_due_at=ahead, onsite_due_at=ahead, watch=Stage.SIGN,
                     watch_due_at=past)
print(Alert.objects.filter(grid__code="S-C1-G1", max_escalation=2, escalation_level=0).count())
"""

# Per alert: its level, how many escalation events (and to how many distinct nodes); the summary
# notifications' alert counts per user (one summary per node and round, "N条预警超时").
ESCALATION_STATE = """
import json, re
from collections import Counter
from django.db.models import Count, Q
from fanzha.alerts.models import Alert, EventKind, Notification
rows = (Alert.objects.annotate(ev=Count("events", filter=Q(events__kind=EventKind.ESCALATED)),
                               nodes=Count("events__node", filter=Q(events__kind=EventKind.ESCALATED), distinct=True))
        .values_list("escalation_level", "escalated_to__code", "ev", "nodes"))
notified = Counter()
per_alert = Counter()
for user_id, text, alert_id in Notification.objects.filter(kind="escalated").values_list("user_id", "text", "alert_id"):
    if alert_id:
        per_alert[(user_id, alert_id)] += 1
    else:
        notified[user_id] += int(re.match(r"\\d+", text).group())
for (user_id, _a), n in per_alert.items():
    notified[user_id] += 1
print(json.dumps({"levels": dict(Counter(r[0] for r in rows)), "to": dict(Counter(r[1] for r in rows)),
                  "events": dict(Counter(r[2] for r in rows)), "nodes": dict(Counter(r[3] for r in rows)),
                  "notified": sorted(notified.values()), "twice": sum(1 for n in per_alert.values() if n > 1)}))
"""


def _escalation_state(site) -> dict:
    import json

    return json.loads(site.run(code=ESCALATION_STATE).stdout.strip().splitlines()[-1])


def test_a_worker_killed_during_an_escalation_sweep_escalates_every_alert_once(site):
    """kill -9 a worker mid-sweep, then finish with `worker --once`: each of ALERTS overdue alerts climbed
    exactly one level, with exactly one escalation event, and the people told counted each alert once."""
    assert site.run(code=OPEN_ALERTS, timeout=300).stdout.strip().splitlines()[-1] == str(ALERTS)
    rng = random.Random()
    # Unbuffered, so its start line tells when the first pass (the sweep) begins; killed during it.
    proc = subprocess.Popen([sys.executable, "-m", "fanzha", "worker", "--interval", "0.2"],
                            env={**site.env, "PYTHONUNBUFFERED": "1"}, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    assert "a pass every" in proc.stdout.readline()
    time.sleep(rng.uniform(0.0, 0.5))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    mid = _escalation_state(site)
    assert set(mid["levels"]) <= {"0", "1"}, mid  # never two levels for one missed limit
    assert set(mid["events"]) <= {"0", "1"}, mid
    for _pass in range(2):  # the second pass must find nothing left to do
        site.run("worker", "--once", "-v", "0")
    state = _escalation_state(site)
    assert state["levels"] == {"1": ALERTS}, state
    assert state["to"] == {"S-C1": ALERTS}, state
    assert state["events"] == {"1": ALERTS}, state
    assert state["nodes"] == {"1": ALERTS}, state
    assert state["twice"] == 0, state
    # Escalations to a community are told to its community users; whoever was told, was told of each alert once.
    assert state["notified"] and all(n == ALERTS for n in state["notified"]), state


# --- a worker killed during a report run -----------------------------------------------------------------

# 28 November 2026, 17:00 local: the semimonthly reports (county K, street S, community S-C1) and the
# street's units' monthly report (made on the 24th) are due. The job runs with this clock, as the worker would.
REPORT_NOW = 'dt.datetime(2026, 11, 28, 17, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))'

KILLS = 2

MAKE_REPORTS = """
import datetime as dt, sys, zoneinfo
from fanzha.outreach.jobs import generate_due_reports
now = {now} + dt.timedelta(minutes={minutes})
print("start", flush=True)
print("made", generate_due_reports(now, budget_seconds=600), flush=True)
"""

REPORT_STATE = """
import json
from collections import Counter
from django.conf import settings
from pathlib import Path
from fanzha.outreach.jobs import REPORTS_DIR
from fanzha.outreach.models import PeriodicReport
rows = list(PeriodicReport.objects.values_list("kind", "node__code", "report_date", "status", "attempts",
                                               "xlsx_file", "docx_file"))
root = Path(settings.MEDIA_ROOT)
files = sorted(str(p.relative_to(root)) for p in (root / REPORTS_DIR).rglob("*") if p.is_file())
print(json.dumps({"rows": [[k, n, str(d), s, a, x, w] for k, n, d, s, a, x, w in rows], "files": files}))
"""


def _report_state(site) -> dict:
    import json

    return json.loads(site.run(code=REPORT_STATE).stdout.strip().splitlines()[-1])


def test_a_worker_killed_during_a_report_run_makes_each_report_once(site):
    """kill -9 the report job mid-run: a later run (past the claim's STALE_AFTER) takes the killed claim
    over, and every due report ends up made exactly once, one row and one pair of files each."""
    from fanzha.outreach.jobs import STALE_AFTER

    rng = random.Random()
    for _attempt in range(KILLS):
        proc = site.popen("shell", "-v", "0", "-c", MAKE_REPORTS.format(now=REPORT_NOW, minutes=0))
        assert proc.stdout.readline().strip() == "start"
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    mid = _report_state(site)
    assert len({(k, n, d) for k, n, d, *_ in mid["rows"]}) == len(mid["rows"])
    # Later than a killed claim may be held: the restarted job takes it over and finishes.
    later = int(STALE_AFTER.total_seconds() // 60) + 1
    out = site.run(code=MAKE_REPORTS.format(now=REPORT_NOW, minutes=later)).stdout
    assert "made" in out, out
    again = site.run(code=MAKE_REPORTS.format(now=REPORT_NOW, minutes=later + 1)).stdout
    assert "made 0" in again, again  # nothing left, nothing made twice
    state = _report_state(site)
    keys = sorted((k, n, d) for k, n, d, *_ in state["rows"])
    assert keys == [("semimonthly", "K", "2026-11-28"), ("semimonthly", "S", "2026-11-28"),
                    ("semimonthly", "S-C1", "2026-11-28"), ("unit_monthly", "S", "2026-11-24")], state
    assert all(s == "done" for _k, _n, _d, s, *_ in state["rows"]), state
    kept = sorted(f for *_, x, w in state["rows"] for f in (x, w))
    assert len(set(kept)) == 2 * len(keys), state
    files = [f for f in state["files"] if not f.endswith(".pdf")]
    assert set(kept) <= set(files), state
    # What a killed run had written before it was killed is left on disk unreferenced (files are written
    # before the row is saved, under fresh random names): at most its two files per kill, never a report.
    assert len(set(files) - set(kept)) <= 2 * KILLS, state
    pdfs = [f for f in state["files"] if f.endswith(".pdf")]
    assert all(p.rsplit(".", 1)[0] + ".docx" in kept for p in pdfs), state
