"""Benchmark: single alert pushes over HTTP from 20 concurrent senders (target: p99 ≤ 50 ms from request
to the alert being visible in the assignee's queue query).

    .venv/bin/python bench/alerts_http.py [--senders 20] [--per-sender 40] [--pace 1.0]

The server is started the way the README's deployment section says —
`fanzha serve --host 127.0.0.1 --port P --threads 16` (waitress) — as a separate
process on the county data set (bench/_common.py `county_db()`). 20 sender
threads, each with its own keep-alive `http.client` connection, push alerts
for random county residents (`POST /api/v1/alerts` with a sender token), a
bounded number each, with a random pause between a sender's pushes (exponential,
mean `--pace` seconds: 20 senders at 1 s is ~20 alerts a second, far above a
county's real peak); `--pace 0` pushes back to back and measures the server
saturated instead (then latency is the queue of 20 requests in front of one
process, i.e. 20 × the time of one push). For every push the clock runs from just
before the request until the alert is found by the queue query its grid
worker's page runs (`selectors.alert_queue(user)`, evaluated in this process,
through its own database connection). After a warm-up, p50/p95/p99/max are
printed for request→visible and for request→response. The alerts are deleted
afterwards.
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
WARMUP = 40


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path, port: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "FANZHA_HOME": str(home), "PYTHONPATH": str(_common.ROOT / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "fanzha", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--threads", str(threads)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not come up: " + proc.stderr.read().decode()[-2000:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--senders", type=int, default=20)
    parser.add_argument("--per-sender", type=int, default=40)
    parser.add_argument("--pace", type=float, default=1.0, help="mean seconds between one sender's pushes (0: back to back)")
    parser.add_argument("--threads", type=int, default=16, help="waitress threads (README: 16)")
    args = parser.parse_args()
    home = _common.county_db()
    from django.db import connections
    from django.utils import timezone

    from fanzha.alerts import selectors
    from fanzha.org.models import User

    county = alerts_common.county_node()
    workers = alerts_common.ensure_responders(county)
    sender, token = alerts_common.bench_sender(county, "bench-http")
    total = args.senders * args.per_sender + WARMUP
    rng = random.Random(11)
    residents = alerts_common.sample_residents(county, total, rng)
    users = User.objects.in_bulk(list({workers[g] for _r, g, _p, _i in residents}))
    when = timezone.localtime(timezone.now() - timezone.timedelta(minutes=1)).isoformat()
    jobs = [{"id": f"HTTP-{i:05d}", "time": when, "grade": rng.choice(["高", "中", "低"]), "name": f"居民{i}",
             "phone": phone, "fraud_type": "刷单返利", "fraud_contact": "https://x.invalid", "_user": workers[grid]}
            for i, (_rid, grid, phone, _idn) in enumerate(residents)]
    from fanzha.core.scoping import scope_of

    for user in users.values():  # a page request computes its user's scope once: do it before the clock
        scope_of(user)
    port = free_port()
    server = start_server(home, port, args.threads)
    pace = f"a pause of {args.pace:g} s on average between a sender's pushes" if args.pace > 0 else "back to back"
    print(f"engine {_common.engine()}; fanzha serve --threads {args.threads} on 127.0.0.1:{port}; "
          f"{args.senders} senders × {args.per_sender} pushes (+{WARMUP} warm-up), {pace}")

    def push(conn: http.client.HTTPConnection, job: dict) -> tuple[float, float]:
        body = json.dumps({k: v for k, v in job.items() if not k.startswith("_")}, ensure_ascii=False).encode()
        t0 = time.perf_counter()
        conn.request("POST", "/api/v1/alerts", body=body, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        resp = conn.getresponse()
        data = resp.read()
        t_resp = time.perf_counter()
        assert resp.status == 201, (resp.status, data[:300])
        alert_id = json.loads(data)["id"]
        # The assignee's user object is reused across pushes (its scope computed once), as a page request would.
        user = users[job["_user"]]
        for _attempt in range(1000):
            if any(a.pk == alert_id for a in selectors.alert_queue(user)):
                break
        else:
            raise AssertionError(f"alert {alert_id} never visible")
        return (time.perf_counter() - t0) * 1000, (t_resp - t0) * 1000

    visible: list[float] = []
    response: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def sender_thread(chunk: list[dict], seed: int):
        pause = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        list(selectors.alert_queue(users[chunk[0]["_user"]]))  # this thread's database connection, opened before the clock
        try:
            for job in chunk:
                if args.pace > 0:
                    time.sleep(pause.expovariate(1 / args.pace))
                v, r = push(conn, job)
                with lock:
                    visible.append(v)
                    response.append(r)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            conn.close()
            connections.close_all()

    try:
        # Warm-up from all senders at once, so every server thread has opened its database
        # connection (a running server's steady state) before the clock starts.
        def warm(chunk):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            for job in chunk:
                push(conn, job)
            conn.close()

        warmers = [threading.Thread(target=warm, args=(jobs[i:WARMUP:args.senders],)) for i in range(args.senders)]
        for t in warmers:
            t.start()
        for t in warmers:
            t.join()
        chunks = [jobs[WARMUP + i * args.per_sender: WARMUP + (i + 1) * args.per_sender] for i in range(args.senders)]
        threads = [threading.Thread(target=sender_thread, args=(c, i)) for i, c in enumerate(chunks)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        if errors:
            raise errors[0]
        visible.sort()
        response.sort()
        pct = _common.percentile
        print(f"{len(visible):,} pushes in {wall:.1f} s ({len(visible) / wall:.0f}/s)")
        print(f"request → visible in the assignee's queue: p50 {pct(visible, 50):.1f} ms, p95 {pct(visible, 95):.1f} ms, "
              f"p99 {pct(visible, 99):.1f} ms, max {visible[-1]:.1f} ms  (target p99 ≤ {TARGET_MS:.0f} ms)  "
              f"{_common.verdict(pct(visible, 99), TARGET_MS)}")
        print(f"request → response:                        p50 {pct(response, 50):.1f} ms, p95 {pct(response, 95):.1f} ms, "
              f"p99 {pct(response, 99):.1f} ms, max {response[-1]:.1f} ms")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        removed = alerts_common.purge_alerts("sender_id = %s", [sender.pk])
        sender.delete()
        alerts_common.remove_responders()
        print(f"  cleaned up {removed:,} bench alerts and the bench responders")


if __name__ == "__main__":
    main()
