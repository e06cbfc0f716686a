"""`fanzha` console entry point: Django's management commands with fanzha's settings."""

import os
import sys


def main() -> None:
    os.umask(0o077)  # database, keys, uploads, exports and backups readable by the owner only
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanzha.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fanzha", *sys.argv[1:]])


if __name__ == "__main__":
    main()
