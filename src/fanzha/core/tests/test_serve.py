"""`fanzha serve` answers from several processes (one per core by default) and stops on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def test_serve_runs_the_asked_number_of_processes_and_stops_on_sigterm(tmp_path):
    """`--workers 2` forks two web processes that answer /healthz; SIGTERM stops the master and both workers."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(FANZHA_HOME=str(tmp_path), PYTHONPATH=str(Path(settings.BASE_DIR).parent))
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "fanzha", "serve", "--port", str(port), "--workers", "2",
                             "--threads", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and status is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    status = r.status
            except OSError:
                time.sleep(0.3)
        assert status == 200
        assert len(_children(proc.pid)) == 2
        workers = _children(proc.pid)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        for pid in workers:
            assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
    finally:
        if proc.poll() is None:
            proc.kill()
