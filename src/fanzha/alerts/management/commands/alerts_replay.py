"""`fanzha alerts_replay --street DEMO --rate 2`: a live stream of demo alerts.

Pushes plausible alerts for residents of the street through the same intake as
the county centre's sender, `--rate` a minute, so a new user watching the queue
sees alerts arrive (and, with `fanzha worker` running, escalate). `--count N`
stops after N; `--history` first builds months of closed alerts if the street
has none.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from fanzha.demo.alerts import build_demo_alerts, replay
from fanzha.org.models import Level, Node


class Command(BaseCommand):
    help = "Push a stream of demo alerts for a street's residents."

    def add_arguments(self, parser):
        parser.add_argument("--street", default="DEMO", help="street code (default DEMO)")
        parser.add_argument("--rate", type=float, default=2.0, help="alerts per minute (default 2)")
        parser.add_argument("--count", type=int, default=None, help="stop after this many")
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--history", action="store_true", help="first build six months of closed alerts (once)")

    def handle(self, *args, street: str, rate: float, count, seed, history: bool, **opts):
        node = Node.objects.filter(code=street, level=Level.STREET).first()
        if node is None:
            raise CommandError(f"no street with code {street!r} (run `fanzha demo --no-serve` first for DEMO)")
        if rate <= 0:
            raise CommandError("--rate must be above 0")
        if history:
            n = build_demo_alerts(node, stdout=self.stdout)
            self.stdout.write(f"history: {n} alerts written" if n else "history: already there")
        self.stdout.write(f"replaying alerts for {node.name} at {rate:g}/min (Ctrl+C to stop)")
        pushed = replay(node, rate=rate, count=count, seed=seed, stdout=self.stdout)
        self.stdout.write(f"pushed {pushed} alerts")
