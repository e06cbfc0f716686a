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
   Phases 1 and 2 also print the server's CPU time (master and workers, from /proc)
   per request: a push's cost in floor requests, which holds better than the wall
   ratio when other work shares the cores.
3. **At `--rate` pushes/s** (default 100 in all, for `--seconds`: one Poisson
   schedule of absolute times drawn beforehand and dealt to the senders in turn, so a
   slow push does not lower the rate; the achieved rate and how late requests started
   are printed): for every push the clock runs from just
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
import tempfile
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
    # The server's log goes to a file (a pipe nobody reads would stall the server once full), shown on failure.
    log = tempfile.NamedTemporaryFile(prefix="fanzha-serve-", suffix=".log", delete=False)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    proc.log_path = log.name
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not come up: " + server_log(proc))


def server_cpu(proc: subprocess.Popen) -> float:
    """CPU seconds (user + system) the server's processes (master and workers) have used so far (Linux /proc)."""
    total, ticks = 0.0, os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after the name: [1] is the parent, [11] and [12] utime and stime; the workers are the master's children
        if entry.name == str(proc.pid) or fields[1] == str(proc.pid):
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def server_log(proc: subprocess.Popen, tail: int = 4000) -> str:
    return Path(proc.log_path).read_text(errors="replace")[-tail:]


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    Path(proc.log_path).unlink(missing_ok=True)


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
    behind: list[float] = []
    paced_start = 0.0

    def paced_pushes(conn, chunk, _seed):
        """Each sender pushes its jobs at their times on the shared absolute schedule (`at`, seconds
        from `paced_start`): a push that runs late does not push the later ones back, so the
        pushes arrive at the asked rate as long as the server keeps up; how late each request
        started is printed beside the latencies."""
        list(selectors.alert_queue(users[chunk[0][1]["_user"]]))  # this thread's database connection, before the clock
        for offset, job in chunk:
            due = paced_start + offset
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            alert_id, t0 = push(conn, job)
            visible(alert_id, job)
            done = time.perf_counter()
            with lock:
                latencies.append((done - t0) * 1000)
                behind.append(max(0.0, t0 - due) * 1000)

    n = args.senders
    try:
        # Warm-up from all senders at once, so every server thread has opened its database
        # connection and compiled its code paths before the clock starts.
        run(back_to_back, [jobs[i:WARMUP:n] for i in range(n)])
        run(floor, [range(20)] * n)
        cpu0 = server_cpu(server)
        floor_s = run(floor, [range(FLOOR_PER_SENDER)] * n)
        floor_cpu = (server_cpu(server) - cpu0) / (n * FLOOR_PER_SENDER) * 1000
        floor_rate = n * FLOOR_PER_SENDER / floor_s
        print(f"floor: GET /api/v1/alerts/sender (token check only), {n} × {FLOOR_PER_SENDER} back to back: "
              f"{floor_rate:.0f} requests/s; server CPU {floor_cpu:.2f} ms a request")
        start = WARMUP
        chunks = [jobs[start + i * args.per_sender: start + (i + 1) * args.per_sender] for i in range(n)]
        cpu0 = server_cpu(server)
        sat_s = run(back_to_back, chunks)
        push_cpu = (server_cpu(server) - cpu0) / (n * args.per_sender) * 1000
        sat_rate = n * args.per_sender / sat_s
        ratio = sat_rate / floor_rate
        print(f"saturation: POST /api/v1/alerts, {n} × {args.per_sender} back to back: {sat_rate:.0f} pushes/s = "
              f"{ratio:.2f} of the floor  (target ≥ {TARGET_RATIO})  {'OK' if ratio >= TARGET_RATIO else 'MISS'}; "
              f"server CPU {push_cpu:.2f} ms a push = {push_cpu / floor_cpu:.1f} floor requests")
        start += n * args.per_sender
        rest = jobs[start:start + paced]
        # One Poisson stream of arrivals at --rate in all, dealt out to the senders in turn: the
        # whole phase lasts about --seconds (independent schedules per sender would last as long
        # as the slowest of the twenty, some 20% longer, and so push at ~82/s of the 100/s asked).
        pause, at, timed = random.Random(12), 0.0, []
        for job in rest:
            at += pause.expovariate(args.rate)
            timed.append((at, job))
        chunks = [timed[i::n] for i in range(n)]
        paced_start = time.perf_counter() + 0.2  # every sender's schedule counts from the same moment
        run(paced_pushes, chunks)
        span = max(time.perf_counter() - paced_start, 1e-9)
        latencies.sort()
        behind.sort()
        pct = _common.percentile
        print(f"at {args.rate:.0f} pushes/s asked: {len(latencies):,} pushes in {span:.1f} s = {len(latencies) / span:.0f}/s "
              f"achieved (one absolute schedule dealt to the senders; request start behind it p99 {pct(behind, 99):.1f} ms); "
              f"request → visible in the assignee's queue: p50 {pct(latencies, 50):.1f} ms, "
              f"p95 {pct(latencies, 95):.1f} ms, p99 {pct(latencies, 99):.1f} ms, max {latencies[-1]:.1f} ms  "
              f"(target p99 ≤ {TARGET_MS:.0f} ms)  {_common.verdict(pct(latencies, 99), TARGET_MS)}")
        print(f"  load average afterwards {os.getloadavg()[0]:.1f}")
    except BaseException:
        print("server log (tail):\n" + server_log(server), file=sys.stderr)
        raise
    finally:
        stop_server(server)
        removed = alerts_common.purge_alerts("sender_id = %s", [sender.pk])
        sender.delete()
        alerts_common.remove_responders()
        print(f"  cleaned up {removed:,} bench alerts and the bench responders")


if __name__ == "__main__":
    main()
