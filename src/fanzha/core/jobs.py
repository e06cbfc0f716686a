"""The worker's periodic jobs, one list for every app.

Each job is `callable(now) -> int` (how many things it did) and must be safe
to run from several workers at once and to run again after a crash: it claims
what it does with a conditional UPDATE (or a unique row per due day) and
checks the row count, like `fanzha.alerts.sweep` and `fanzha.outreach.jobs`.
An app adds its job here by dotted path.
"""

from __future__ import annotations

import datetime as dt
import logging
from importlib import import_module

logger = logging.getLogger("fanzha.worker")

PERIODIC_JOBS: list[str] = [
    "fanzha.org.jobs.advance_elderly",
    "fanzha.outreach.jobs.run_due",
    "fanzha.risk.jobs.remind_overdue",
    "fanzha.supervision.jobs.remind_due",
    "fanzha.outreach.jobs.run_due_pdfs",
    "fanzha.clues.jobs.run_due",
    "fanzha.duties.jobs.remind_due",
    "fanzha.analysis.jobs.monthly_briefings",
]


def _resolve(path: str):
    module, _, name = path.rpartition(".")
    return getattr(import_module(module), name)


def run_periodic(now: dt.datetime) -> dict[str, int]:
    """One pass of every periodic job: {job path: things done} for the jobs that did something.

    A job that fails is logged and the others still run: one broken report
    must not stop escalations or reminders.
    """
    done: dict[str, int] = {}
    for path in PERIODIC_JOBS:
        try:
            n = _resolve(path)(now)
        except Exception:  # noqa: BLE001 — logged with its traceback; the next pass tries again
            logger.exception("periodic job %s failed", path)
            continue
        if n:
            done[path] = n
    return done
