"""`fanzha import-template KIND OUT.xlsx [--street CODE | --user USERNAME]`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from fanzha.core.exports import write_import_template
from fanzha.core.imports import importer_for, kinds
from fanzha.org.importers import import_context
from fanzha.org.management.commands._io_common import ACTOR_HELP, add_actor_arguments, resolve_actor


class Command(BaseCommand):
    help = ("Write the .xlsx template of one import kind (header row, example row, drop-down lists of the street's "
            "communities and grids, and a sheet explaining each column). " + ACTOR_HELP)

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(kinds()))
        parser.add_argument("out", help="where to write the .xlsx")
        add_actor_arguments(parser)

    def handle(self, *args, kind: str, out: str, user: str | None, street: str | None, **opts):
        actor, target = resolve_actor(username=user, street_code=street, perm="org.import_data")
        importer_cls = importer_for(kind)
        data = write_import_template(importer_cls(import_context(user=actor, street=target)))
        Path(out).write_bytes(data)
        self.stdout.write(f"{out}: {importer_cls.label}")
