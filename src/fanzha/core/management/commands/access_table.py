"""`fanzha access_table`: print the role-access table (fanzha.core.access.AREAS) as Markdown for the README."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import translation


class Command(BaseCommand):
    help = "Print the role-access table (which role may open which page) as a Markdown table."

    def add_arguments(self, parser):
        parser.add_argument("--lang", default="zh-hans", help="language of the page and role names (zh-hans or en)")

    def handle(self, *args, lang: str, **opts):
        from fanzha.core.access import markdown_table
        from fanzha.org.models import Role

        with translation.override(lang):
            self.stdout.write(markdown_table({r.value: str(r.label) for r in Role}), ending="")
