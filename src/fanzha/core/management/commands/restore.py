"""`fanzha restore IN.tar.gz`: put a `fanzha backup` archive back (refuses a damaged one)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from fanzha.core.backup import BackupError, restore_backup, summary


class Command(BaseCommand):
    help = "Restore a backup archive: database, keys and uploaded files; every checksum is verified first."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="a file written by `fanzha backup`")
        parser.add_argument("--yes", action="store_true", help="replace the current data without asking")

    def handle(self, *args, archive: str, yes: bool, **opts):
        if not yes:
            answer = input("This replaces the database, keys and uploaded files. Type 'restore' to go on: ")
            if answer.strip() != "restore":
                raise CommandError("not restored")
        try:
            manifest = restore_backup(archive)
        except BackupError as e:
            raise CommandError(f"not restored: {e}") from None
        self.stdout.write(f"fanzha: restored {summary(manifest)}. Start the web processes and the worker again.")
