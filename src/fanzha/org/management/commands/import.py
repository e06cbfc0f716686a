"""`fanzha import KIND FILE [--dry-run] [--user USERNAME | --street CODE]`."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fanzha.core.imports import importer_for, kinds, run_import
from fanzha.org.importers import import_context
from fanzha.org.management.commands._io_common import ACTOR_HELP, add_actor_arguments, resolve_actor


class Command(BaseCommand):
    help = (
        "Import a spreadsheet (.xlsx or .csv with Chinese column headers) of one kind: "
        + ", ".join(f"{k} ({v.label})" for k, v in kinds().items())
        + ". Every row is checked first; if any row is bad, each problem is printed (row, column, reason), "
        "nothing is written and the exit code is 1. --dry-run checks and prints the counts without writing. "
        + ACTOR_HELP
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(kinds()), help="what the file holds")
        parser.add_argument("file", help="path of the .xlsx or .csv file")
        parser.add_argument("--dry-run", action="store_true", help="check every row and print the counts, write nothing")
        parser.add_argument("--max-rows", type=int, default=None, help="refuse files with more data rows (default 200000)")
        add_actor_arguments(parser)

    def handle(self, *args, kind: str, file: str, dry_run: bool, user: str | None, street: str | None,
               max_rows: int | None, **opts):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")
        actor, target = resolve_actor(username=user, street_code=street, perm="org.import_data")
        extra = {"max_rows": max_rows} if max_rows else {}
        ctx = import_context(user=actor, street=target, **extra)
        importer_cls = importer_for(kind)
        result = run_import(importer_cls, ctx, path, filename=path.name, dry_run=dry_run)
        out = self.stdout
        out.write(f"{importer_cls.label} · {path.name} · {target.name} ({target.code})")
        if result.file_error:
            raise CommandError(result.file_error)
        for e in result.errors:
            out.write(f"第{e.row}行\t{e.column}\t{e.reason}")
        if result.ignored_columns:
            out.write("忽略的列：" + "、".join(result.ignored_columns))
        if result.errors:
            raise CommandError(result.summary())
        for entity, c in result.counts.items():
            out.write(f"{entity}\t新增 {c['created']}\t更新 {c['updated']}\t未变 {c['unchanged']}")
        out.write(self.style.SUCCESS(f"{result.summary()}（{result.seconds:.1f} s）"))
