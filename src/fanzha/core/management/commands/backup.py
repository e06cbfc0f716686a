"""`fanzha backup OUT.tar.gz`: database, keys and uploaded files in one checked archive (see fanzha.core.backup)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from fanzha.core.backup import BackupError, make_backup, summary


class Command(BaseCommand):
    help = "Write a backup archive: a consistent database copy, the keys and the uploaded files, with checksums."

    def add_arguments(self, parser):
        parser.add_argument("out", help="archive to write (.tar.gz; created readable by the owner only)")

    def handle(self, *args, out: str, **opts):
        try:
            manifest = make_backup(out)
        except BackupError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(f"fanzha: backup written to {out}: {summary(manifest)}")
