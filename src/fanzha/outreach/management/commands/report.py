"""`fanzha report`: the periodic reports from the command line.

    fanzha report semimonthly --node CODE --date YYYY-MM-DD --out FILE.xlsx|FILE.docx
    fanzha report unit-monthly --node CODE [--unit ID] --date YYYY-MM-DD --out FILE.xlsx|FILE.docx
    fanzha report due [--date YYYY-MM-DD]     list the reports the worker would make that day
    fanzha report make-due                     make the due reports now (what the worker does)

The format follows the extension of --out. Figures are computed from the
records over the whole node (the command runs with full access).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from fanzha.core.audit import audit
from fanzha.core.models import AuditAction
from fanzha.org.models import Node, Unit


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be YYYY-MM-DD, got {value!r}") from None


class Command(BaseCommand):
    help = "Make the semimonthly (13th/28th) or units' monthly report (due by the 25th) as .xlsx or .docx."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="which", required=True)
        for name, helptext in (("semimonthly", "community/street/county outreach and app report of the 13th and 28th"),
                               ("unit-monthly", "units' monthly report (made on the 24th or the last working day before the 25th)")):
            p = sub.add_parser(name, help=helptext)
            p.add_argument("--node", required=True, help="node code (e.g. DEMO, DEMO-C01)")
            p.add_argument("--date", required=True, help="report date YYYY-MM-DD (the 13th/28th, or the monthly report day)")
            p.add_argument("--out", required=True, help="output file; .xlsx or .docx")
            if name == "unit-monthly":
                p.add_argument("--unit", type=int, help="one unit's id instead of all units under the node")
        d = sub.add_parser("due", help="list the reports due on a day")
        d.add_argument("--date", help="YYYY-MM-DD (default today)")
        sub.add_parser("make-due", help="make the due reports now")

    def handle(self, *args, which: str, **opts):
        from fanzha.outreach import jobs, reports

        if which == "due":
            day = _date(opts["date"]) if opts.get("date") else timezone.localdate()
            due = jobs.reports_due(day)
            names = dict(Node.objects.filter(pk__in={d.node_id for d in due}).values_list("id", "code"))
            for d in due:
                self.stdout.write(f"{d.report_date} {d.kind:<13} {names.get(d.node_id, d.node_id)}")
            self.stdout.write(f"{len(due)} report(s) due")
            return
        if which == "make-due":
            made = jobs.generate_due_reports(timezone.now(), budget_seconds=10**9)
            self.stdout.write(f"{made} report(s) made")
            return
        out = Path(opts["out"])
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in ("xlsx", "docx"):
            raise CommandError("--out must end in .xlsx or .docx")
        day = _date(opts["date"])
        node = Node.objects.filter(code=opts["node"]).first()
        if node is None:
            raise CommandError(f"no node with code {opts['node']!r}")
        if which == "semimonthly":
            data = reports.semimonthly_data(reports.SYSTEM, node, day)
        else:
            unit = None
            if opts.get("unit"):
                unit = Unit.objects.filter(pk=opts["unit"]).first()
                if unit is None or getattr(unit, f"{node.level}_id") != node.id:
                    raise CommandError(f"no unit {opts['unit']} under {node.code}")
            data = reports.unit_monthly_data(reports.SYSTEM, node=None if unit else node, unit=unit, report_date=day)
        content, _ctype = reports.render(data, fmt)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(content)
        audit(user=None, action=AuditAction.EXPORT, target=f"report:{data['kind']}:{node.code}:{day}",
              detail=f"fanzha report {which} → {out}")
        self.stdout.write(f"{out} ({len(content):,} bytes): {data['summary'][:80]}…")
