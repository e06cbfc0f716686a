"""`fanzha demo`: the product on the built-in demo street, in one command.

1. Apply migrations to the database under FANZHA_HOME (SQLite by default).
2. Load the demo street once (skipped when it is already there); with
   `--scale county` also the county-scale data set, with `--scale city` the
   city's 20 counties (their org data: tree, residents, units, staff).
3. Print the demo logins (password `demo`, demo only).
4. Serve on 127.0.0.1:PORT with waitress, static files through WhiteNoise.
"""

from __future__ import annotations

import os
import signal
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Start fanzha on the built-in demo street (migrate, load demo data once, print logins, serve)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
        parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
        parser.add_argument("--scale", choices=["street", "county", "city"], default="street",
                            help="street: the demo street; county: also build the county-scale data set; "
                                 "city: also build the city's 20 counties of residents (org data only; "
                                 "meant for PostgreSQL)")
        parser.add_argument("--no-serve", action="store_true", help="prepare the data and print the logins, then exit")
        parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
        parser.add_argument("--alerts", action="store_true",
                            help="replay a live stream of demo alerts (and build months of handled ones once)")

    def handle(self, *args, port: int, host: str, scale: str, no_serve: bool, threads: int, **opts):
        from fanzha.org.models import Node

        out = self.stdout
        # Demo mode: the demo users keep their password `demo` without being made to change it.
        settings.FANZHA_DEMO_MODE = True
        os.environ["FANZHA_DEMO_MODE"] = "1"
        out.write(f"fanzha: data in {settings.FANZHA_HOME} ({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})")
        call_command("migrate", interactive=False, verbosity=0)
        from fanzha.core.management.commands.serve import require_pii_key

        require_pii_key()
        from fanzha import demo
        from fanzha.demo.org import BENCH_COUNTY_CODE, DEMO_STREET_CODE

        if not Node.objects.filter(code=DEMO_STREET_CODE).exists():
            started = time.monotonic()
            out.write("fanzha: loading the demo street (first start only) ...")
            # One transaction: a first start interrupted half-way leaves no
            # half-built street behind, and the next start loads it again.
            with transaction.atomic():
                demo.load_street(stdout=out)
            out.write(f"fanzha: demo street loaded in {time.monotonic() - started:.1f} s")
        if scale == "county" and not Node.objects.filter(code=BENCH_COUNTY_CODE).exists():
            started = time.monotonic()
            out.write("fanzha: building the county-scale data set ...")
            counts = demo.load_county(stdout=out)
            out.write(f"fanzha: county built in {time.monotonic() - started:.1f} s: {counts}")
        if scale == "city":
            from fanzha.demo.city import city_county_code

            if Node.objects.filter(code__in=[city_county_code(0), city_county_code(1)]).exists():
                out.write("fanzha: the city (or the county, whose code its first county shares) is already here")
            else:
                started = time.monotonic()
                out.write("fanzha: building the city-scale data set (3,000,000 residents) ...")
                counts = demo.load_city(stdout=out)
                out.write(f"fanzha: city built in {time.monotonic() - started:.1f} s: {counts}")
        self.print_logins(host, port)
        if no_serve:
            return
        from fanzha.demo.alerts import demo_background

        # SIGTERM (a service manager, `kill`) ends the server like Ctrl+C does, so the
        # worker and the replay beside it are stopped too instead of being left running.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        with demo_background(alerts=opts["alerts"], stdout=out):  # `fanzha worker` (and the replay) beside the server
            self.serve(host, port, threads)

    def print_logins(self, host: str, port: int) -> None:
        from fanzha.demo.users import DEMO_LOGINS
        from fanzha.org.models import Assignment

        rows = {}
        for a in Assignment.objects.filter(user__username__in=DEMO_LOGINS).select_related("user", "node", "unit").order_by("id"):
            label, scopes = rows.setdefault(a.user.username, (a.get_role_display(), []))
            scopes.append(str(a.node or a.unit))
        w = self.stdout.write
        w("")
        w(f"  fanzha demo — open http://{host}:{port}/login/   (password for every demo user: demo — demo only)")
        w("")
        for username in DEMO_LOGINS:
            if username in rows:
                label, scopes = rows[username]
                w(f"    {username:<11} {label:<8} {'、'.join(scopes)}")
        w("")

    def serve(self, host: str, port: int, threads: int) -> None:
        from fanzha.core.management.commands.serve import serve

        serve(host=host, port=port, threads=threads, stdout=self.stdout)
