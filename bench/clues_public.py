"""Benchmark: public clue reports from 50 concurrent clients over loopback (target: p99 ≤ 100 ms per
submission, nothing lost: every accepted report stored).

    .venv/bin/python bench/clues_public.py [--clients 50] [--rounds 4] [--think 3] [--photo-share 0.2] [--burst]

The server is started the way the README's deployment section says —
`fanzha serve --host 127.0.0.1 --port P --threads 16` (one process per core) — as a separate
process on the county data set (bench/_common.py `county_db()`), behind a
"proxy" at 127.0.0.1 (FANZHA_TRUSTED_PROXY) so each client has its own address
in X-Forwarded-For, as real reporters would (the per-address rate limit stays on).

Each of the 50 client threads has its own cookie jar and, `--rounds` times: opens the form (GET: CSRF cookie, challenge token, sum),
"types" for `--think` seconds and a bit (the form refuses posts faster than
FANZHA_CLUE_MIN_FILL_SECONDS, 3 s by default), then posts a report — a share of
them with a photo (`--photo-share`), so Pillow's check and thumbnail are in the
figures. The clock runs around the POST only (request sent → redirect to the
receipt received); the server's own time of each accepted post (the view's wall and CPU time, from
its Server-Timing header) is printed too, apart from time queued for a busy machine's cores.
With `--burst` the 50 posts of a round leave together (saturation: the latency is then the queue of 50 requests in front of one
process). Afterwards the reports are counted in the database against the
302 answers (nothing lost), and deleted.

The server's SQLite writers take turns (fanzha.core.db.sqlite3); `FANZHA_SQLITE_TURNS=false` in the
environment runs it on Django's own backend instead, to compare the two in the same conditions.
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common

TARGET_MS = 100.0
IDLE_SUM_MS = 70  # sum(range(5_000_000)) on one idle core
NUMBERS = "零一二三四五六七八九十"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path, port: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "FANZHA_HOME": str(home), "PYTHONPATH": str(_common.ROOT / "src"),
           "FANZHA_TRUSTED_PROXY": "127.0.0.1"}
    proc = subprocess.Popen([sys.executable, "-m", "fanzha", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--threads", str(threads)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not come up: " + proc.stderr.read().decode()[-2000:])


def solve(html: str) -> str:
    a, b = re.search(r"([零一二三四五六七八九十]|\d+) 加 ([零一二三四五六七八九十]|\d+) 等于几", html).groups()
    value = lambda t: NUMBERS.index(t) if t in NUMBERS else int(t)  # noqa: E731
    return str(value(a) + value(b))


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = "----fz" + uuid.uuid4().hex
    out = io.BytesIO()
    for k, v in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
    for k, (name, data, ctype) in files.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"; filename="{name}"\r\n'
                  f"Content-Type: {ctype}\r\n\r\n".encode())
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def photo_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.effect_noise((720, 1280), 60).convert("RGB").save(buf, "JPEG", quality=80)
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--think", type=float, default=3.0, help="seconds between opening the form and posting it (≥ 3)")
    parser.add_argument("--photo-share", type=float, default=0.2)
    parser.add_argument("--threads", type=int, default=16, help="threads per process (README: 16)")
    parser.add_argument("--burst", action="store_true", help="all clients post at the same instant each round")
    args = parser.parse_args()
    home = _common.county_db()
    from fanzha.clues.models import Clue
    from fanzha.org.models import Level, Node
    from fanzha.demo.org import BENCH_COUNTY_CODE

    street = Node.objects.filter(county__code=BENCH_COUNTY_CODE, level=Level.STREET).order_by("sort", "code").first()
    communities = list(Node.objects.filter(parent=street, level=Level.COMMUNITY).values_list("id", flat=True))
    before = set(Clue.objects.filter(source="public", street=street).values_list("id", flat=True))
    photo = photo_bytes()
    t0 = time.perf_counter()
    sum(range(5_000_000))
    loop_ms = (time.perf_counter() - t0) * 1000
    print(f"machine: sum(range(5,000,000)) took {loop_ms:.0f} ms (an idle core: ~{IDLE_SUM_MS} ms) → this run is "
          f"~{loop_ms / IDLE_SUM_MS:.1f}× slower than an idle machine")
    port = free_port()
    server = start_server(home, port, args.threads)
    mode = "together (burst)" if args.burst else f"after {args.think:g}–{args.think + 2:g} s of typing each"
    from django.conf import settings

    print(f"engine {settings.DATABASES['default']['ENGINE']}; fanzha serve --threads {args.threads} on 127.0.0.1:{port}; {args.clients} clients × "
          f"{args.rounds} reports, posted {mode}; {args.photo_share:.0%} with a {len(photo) // 1024} KB photo")
    times: list[float] = []
    app_ms: list[float] = []  # the view's own wall time (Server-Timing app)
    cpu_ms: list[float] = []  # and its CPU time (Server-Timing cpu)
    wait_ms: list[float] = []  # and, of its wall time, the wait for SQLite's write lock (Server-Timing dbwait)
    accepted = [0]
    failures: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(args.clients) if args.burst else None

    def client(i: int) -> None:
        rng = random.Random(i)
        for rnd in range(args.rounds):
            # a connection per request, as a phone that put the form aside for a while would
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            addr = f"10.{rnd}.{i // 250}.{i % 250 + 1}"
            conn.request("GET", f"/report/{street.code}/", headers={"X-Forwarded-For": addr})
            resp = conn.getresponse()
            html = resp.read().decode()
            cookie = resp.getheader("Set-Cookie") or ""
            csrf = re.search(r"csrftoken=([^;]+)", cookie).group(1)
            token = re.search(r'name="token" value="([^"]+)"', html).group(1)
            fields = {"csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1),
                      "token": token, "answer": solve(html), "summary": f"压测举报 {i}-{rnd}：有人冒充客服要求转账",
                      "community": str(rng.choice(communities)), "phones": f"1{rng.choice('3589')}{rng.randint(0, 10**9 - 1):09d}",
                      "urls": f"http://bad{rng.randint(1, 500)}.example", "anonymous": "on"}
            files = {"photos": ("shot.jpg", photo, "image/jpeg")} if rng.random() < args.photo_share else {}
            body, ctype = multipart(fields, files)
            if barrier is not None:
                time.sleep(max(0.0, 3.05))
                barrier.wait()
            else:
                time.sleep(args.think + rng.uniform(0.05, 2.0))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            t0 = time.perf_counter()
            conn.request("POST", f"/report/{street.code}/", body=body, headers={
                "Content-Type": ctype, "Cookie": f"csrftoken={csrf}", "X-Forwarded-For": addr,
                "Referer": f"http://127.0.0.1:{port}/report/{street.code}/"})
            resp = conn.getresponse()
            resp.read()
            ms = (time.perf_counter() - t0) * 1000
            timing = dict(re.findall(r"(\w+);dur=([\d.]+)", resp.getheader("Server-Timing") or ""))
            with lock:
                if resp.status == 302:
                    times.append(ms)
                    accepted[0] += 1
                    if timing:
                        app_ms.append(float(timing["app"]))
                        cpu_ms.append(float(timing["cpu"]))
                    if "dbwait" in timing:
                        wait_ms.append(float(timing["dbwait"]))
                else:
                    failures.append(f"{resp.status}")
            conn.close()

    try:
        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()  # gunicorn finishes its requests first (graceful), then exits
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
    stored = Clue.objects.filter(source="public", street=street).exclude(id__in=before)
    n_stored = stored.count()
    times.sort()
    p = {q: _common.percentile(times, q) for q in (50, 95, 99)}
    print(f"  {accepted[0]} accepted in {wall:.1f} s, {len(failures)} refused {sorted(set(failures))}; stored {n_stored} "
          f"→ {'nothing lost' if n_stored == accepted[0] else 'LOST ' + str(accepted[0] - n_stored)}")
    print(f"  POST → receipt: p50 {p[50]:6.1f} ms  p95 {p[95]:6.1f} ms  p99 {p[99]:6.1f} ms  max {times[-1]:6.1f} ms  "
          f"target p99 {TARGET_MS:.0f} ms  {_common.verdict(p[99], TARGET_MS)}")
    for label, values in (("server (view, wall)", app_ms), ("server (view, CPU)", cpu_ms),
                          ("  of it write-lock wait", wait_ms)):
        if values:
            values.sort()
            q = {k: _common.percentile(values, k) for k in (50, 95, 99)}
            print(f"  {label:<22} p50 {q[50]:6.1f} ms  p95 {q[95]:6.1f} ms  p99 {q[99]:6.1f} ms  max {values[-1]:6.1f} ms  "
                  f"target p99 {TARGET_MS:.0f} ms  {_common.verdict(q[99], TARGET_MS)}")
    from fanzha.clues.models import PublicHit
    from fanzha.outreach import evidence

    for f in list(stored.values_list("files__path", "files__thumb_path")):
        evidence.remove_quietly(*[x for x in f if x])
    stored.delete()
    PublicHit.objects.filter(key__startswith="submit:").delete()


if __name__ == "__main__":
    main()
