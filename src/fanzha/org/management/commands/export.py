"""`fanzha export KIND OUT.xlsx [--reveal] [--user USERNAME | --street CODE]`."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fanzha.org import exporters
from fanzha.org.management.commands._io_common import ACTOR_HELP, add_actor_arguments, resolve_actor
from fanzha.org.models import Node, Residency


class Command(BaseCommand):
    help = ("Export one list (" + ", ".join(exporters.EXPORTS) + ") to .xlsx, ID and phone numbers masked unless "
            "--reveal (which needs the reveal permission with --user). Written to the audit log. " + ACTOR_HELP)

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(exporters.EXPORTS))
        parser.add_argument("out", help="where to write the .xlsx")
        parser.add_argument("--reveal", action="store_true", help="full ID and phone numbers (audited)")
        parser.add_argument("--node", metavar="CODE", help="only this community / grid / group")
        parser.add_argument("--residency", choices=Residency.values, help="residents: only this residency")
        add_actor_arguments(parser)

    def handle(self, *args, kind: str, out: str, reveal: bool, node: str | None, residency: str | None,
               user: str | None, street: str | None, **opts):
        actor, target = resolve_actor(username=user, street_code=street, perm="org.export_data")
        if reveal and not actor.has_perm("org.reveal_pii"):
            raise CommandError("--reveal needs the permission org.reveal_pii")
        filters = exporters.Filters(residency=residency or "")
        if node:
            from fanzha.core.scoping import scoped

            filters.node = scoped(Node.objects.filter(code=node), actor).first()
            if filters.node is None:
                raise CommandError(f"no node '{node}' in scope")
        result = exporters.run_export(kind, actor, filters, reveal=reveal)
        with result.file as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst)
        self.stdout.write(f"{Path(out)}: {result.rows} rows")
