"""Benchmark: alert pushes over HTTP from 20 senders against `fanzha serve` with its default workers.

    .venv/bin/python bench/alerts_http.py [--senders 20] [--rate 100] [--seconds 20] [--per-sender 40]

The server is started the way the README's deployment section says — `fanzha serve
--host 127.0.0.1 --port P` (one process per core, gunicorn) — as separate processes on
the county data set (bench/_common.py `county_db()`). 20 sender threads, each with its
own keep-alive `http.client` connection and a sender token, run three phases:

1. **Floor**: back to back on `GET /api/v1/alerts/sender` (token check only: the same
   server, middleware, API framework and token authentication, no alert work). Its
   requests per second are what this server can answer at all on this machine now.
2. **Saturation**: back to back on `POST /api/v1/alerts` (`--per-sender` pushes each).
   Printed as pushes per second and as a ratio against the floor (target ≥ 0.5).
3. **At `--rate` pushes/s** (default 100 in all, each sender pushing at
   exponential intervals, for `--seconds`): for every push the clock runs from just
   before the request until the alert is found by the queue query its grid
   worker's page runs (`selectors.alert_queue(user)`, in this process, through its
   own database connection). p50/p95/p99/max printed (target p99 ≤ 50 ms).

Pushes are for random county residents. The client runs on the same machine as the
server and takes its share of the cores in every phase alike, so the ratio holds when
the machine is busy. The alerts are deleted afterwards.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common
import alerts_common

TARGET_MS = 50.0
TARGET_RATIO = 0.5
WARMUP = 40
FLOOR_PER_SENDER = 100


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path, port: int, workers: int | None) -> subprocess.Popen:
    env = {**os.environ, "FANZHA_HOME": str(home), "PYTHONPATH": str(_common.ROOT / "src")}
    cmd = [sys.executable, "-m", "fanzha", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers:
        cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not come up: " + proc.stderr.read().decode()[-2000:])


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--per-sender", type=int, default=40, help="pushes per sender in the saturation phase")
    parser.add_argument("--rate", type=float, default=100.0, help="pushes per second in all in the latency phase")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the latency phase")
    parser.add_argument("--workers", type=int, default=None, help="fanzha serve --workers (default: its own default)")
    args = parser.parse_args()
    home = _common.county_db()
    from django.db import connections
    from django.utils import timezone

    from fanzha.alerts import selectors
    from fanzha.core.management.commands.serve import default_workers
    from fanzha.core.scoping import scope_of
    from fanzha.org.models import User

    county = alerts_common.county_node()
    workers = alerts_common.ensure_responders(county)
    sender, token = alerts_common.bench_sender(county, "bench-http")
    paced = int(args.rate * args.seconds)
    total = WARMUP + args.senders * args.per_sender + paced
    rng = random.Random(11)
    residents = alerts_common.sample_residents(county, total, rng)
    users = User.objects.in_bulk(list({workers[g] for _r, g, _p, _i in residents}))
    when = timezone.localtime(timezone.now() - timezone.timedelta(minutes=1)).isoformat()
    jobs = [{"id": f"HTTP-{i:05d}", "time": when, "grade": rng.choice(["高", "中", "低"]), "name": f"居民{i}",
             "phone": phone, "fraud_type": "刷单返利", "fraud_contact": "https://x.invalid", "_user": workers[grid]}
            for i, (_rid, grid, phone, _idn) in enumerate(residents)]
    for user in users.values():  # a page request computes its user's scope once: do it before the clock
        scope_of(user)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    port = free_port()
    server = start_server(home, port, args.workers)
    print(f"engine {_common.engine()}; fanzha serve on 127.0.0.1:{port} with {args.workers or default_workers()} "
          f"processes (its default: {default_workers()}); {args.senders} senders; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    def push(conn: http.client.HTTPConnection, job: dict) -> tuple[int, float]:
        body = json.dumps({k: v for k, v in job.items() if not k.startswith("_")}, ensure_ascii=False).encode()
        t0 = time.perf_counter()
        conn.request("POST", "/api/v1/alerts", body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        assert resp.status == 201, (resp.status, data[:300])
        return json.loads(data)["id"], t0

    def visible(alert_id: int, job: dict) -> None:
        user = users[job["_user"]]  # reused across pushes (its scope computed once), as a page request would
        for _attempt in range(1000):
            if any(a.pk == alert_id for a in selectors.alert_queue(user)):
                return
        raise AssertionError(f"alert {alert_id} never visible")

    errors: list[BaseException] = []

    def run(target, chunks) -> float:
        """Run `target(conn, chunk, seed)` in one thread per sender; the wall time of them all."""
        def thread(chunk, seed):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                target(conn, chunk, seed)
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)
            finally:
                conn.close()
                connections.close_all()

        threads = [threading.Thread(target=thread, args=(c, i)) for i, c in enumerate(chunks)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        return time.perf_counter() - started

    def floor(conn, chunk, _seed):
        for _i in chunk:
            conn.request("GET", "/api/v1/alerts/sender", headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            assert resp.status == 200, (resp.status, data[:300])

    def back_to_back(conn, chunk, _seed):
        for job in chunk:
            push(conn, job)

    latencies: list[float] = []
    lock = threading.Lock()

    def paced_pushes(conn, chunk, seed):
        pause = random.Random(seed)
        list(selectors.alert_queue(users[chunk[0]["_user"]]))  # this thread's database connection, before the clock
        at = time.perf_counter()
        for job in chunk:
            at += pause.expovariate(args.rate / args.senders)
            time.sleep(max(0.0, at - time.perf_counter()))
            alert_id, t0 = push(conn, job)
            visible(alert_id, job)
            with lock:
                latencies.append((time.perf_counter() - t0) * 1000)

    n = args.senders
    try:
        # Warm-up from all senders at once, so every server thread has opened its database
        # connection and compiled its code paths before the clock starts.
        run(back_to_back, [jobs[i:WARMUP:n] for i in range(n)])
        run(floor, [range(20)] * n)
        floor_s = run(floor, [range(FLOOR_PER_SENDER)] * n)
        floor_rate = n * FLOOR_PER_SENDER / floor_s
        print(f"floor: GET /api/v1/alerts/sender (token check only), {n} × {FLOOR_PER_SENDER} back to back: "
              f"{floor_rate:.0f} requests/s")
        start = WARMUP
        chunks = [jobs[start + i * args.per_sender: start + (i + 1) * args.per_sender] for i in range(n)]
        sat_s = run(back_to_back, chunks)
        sat_rate = n * args.per_sender / sat_s
        ratio = sat_rate / floor_rate
        print(f"saturation: POST /api/v1/alerts, {n} × {args.per_sender} back to back: {sat_rate:.0f} pushes/s = "
              f"{ratio:.2f} of the floor  (target ≥ {TARGET_RATIO})  {'OK' if ratio >= TARGET_RATIO else 'MISS'}")
        start += n * args.per_sender
        rest = jobs[start:start + paced]
        chunks = [rest[i::n] for i in range(n)]
        wall = run(paced_pushes, chunks)
        latencies.sort()
        pct = _common.percentile
        print(f"at {args.rate:.0f} pushes/s: {len(latencies):,} pushes in {wall:.1f} s ({len(latencies) / wall:.0f}/s); "
              f"request → visible in the assignee's queue: p50 {pct(latencies, 50):.1f} ms, "
              f"p95 {pct(latencies, 95):.1f} ms, p99 {pct(latencies, 99):.1f} ms, max {latencies[-1]:.1f} ms  "
              f"(target p99 ≤ {TARGET_MS:.0f} ms)  {_common.verdict(pct(latencies, 99), TARGET_MS)}")
        print(f"  load average afterwards {os.getloadavg()[0]:.1f}")
    finally:
        stop_server(server)
        removed = alerts_common.purge_alerts("sender_id = %s", [sender.pk])
        sender.delete()
        alerts_common.remove_responders()
        print(f"  cleaned up {removed:,} bench alerts and the bench responders")


if __name__ == "__main__":
    main()
