"""`fanzha worker`: the background process — escalation sweep, group-chat deliveries and every
app's periodic jobs (`fanzha.core.jobs.PERIODIC_JOBS`: reports, reminders, overdue notices).

Run one or more next to the web processes (any number is safe: both the sweep
and the deliveries claim rows with conditional UPDATEs). `--once` runs a single
pass and exits (tests, benchmarks, cron).
"""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from django.utils import timezone

from fanzha.alerts.notify import deliver_due
from fanzha.alerts.sweep import run_sweep
from fanzha.core.jobs import run_periodic


class Command(BaseCommand):
    help = "Escalate alerts past their time limits and send group-chat messages, every few seconds."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between passes (default 5)")
        parser.add_argument("--once", action="store_true", help="run one pass and exit")

    def handle(self, *args, interval: float, once: bool, verbosity: int = 1, **opts):
        from fanzha.core.management.commands.serve import require_pii_key

        require_pii_key()
        stop = {"now": False}

        def _stop(signum, frame):
            stop["now"] = True

        if not once:
            signal.signal(signal.SIGTERM, _stop)
            signal.signal(signal.SIGINT, _stop)
            self.stdout.write(f"fanzha worker: a pass every {interval:g} s (Ctrl+C to stop)")
        first = True
        while True:
            started = time.monotonic()
            if not first:
                close_old_connections()  # like a request: drop a broken or too old connection between passes
            first = False
            swept = run_sweep()
            sent = deliver_due()
            # Every app's periodic jobs: reports of the 13th, 25th and 28th, reminders, overdue notices.
            done = run_periodic(timezone.now())
            if verbosity >= 1 and done:
                self.stdout.write(f"fanzha worker: periodic jobs {done}")
            if verbosity >= 1 and (swept.escalated or any(sent.values()) or once):
                self.stdout.write(f"fanzha worker: escalated {swept.escalated}; webhooks sent {sent['sent']}, "
                                  f"retrying {sent['retrying']}, failed {sent['failed']}")
            if once or stop["now"]:
                return
            deadline = started + interval
            while not stop["now"] and time.monotonic() < deadline:
                time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
            if stop["now"]:
                self.stdout.write("fanzha worker: stopped")
                return
