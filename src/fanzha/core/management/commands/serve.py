"""`fanzha serve`: the production web process (waitress, static files via WhiteNoise).

Stateless: run several behind a reverse proxy, all pointing at one
PostgreSQL through DATABASE_URL.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def require_pii_key() -> None:
    """Stop a starting process whose PII key is not this database's (see fanzha.core.keycheck)."""
    from fanzha.core.keycheck import PiiKeyMismatch, check_pii_key

    try:
        check_pii_key()
    except PiiKeyMismatch as e:
        raise CommandError(str(e)) from None


def serve(*, host: str, port: int, threads: int, stdout) -> None:
    from waitress import serve as waitress_serve

    from fanzha.wsgi import application

    stdout.write(f"fanzha: serving on http://{host}:{port}/ with {threads} threads (Ctrl+C to stop)")
    options = {}
    if settings.FANZHA_TRUSTED_PROXY:
        options = {"trusted_proxy": settings.FANZHA_TRUSTED_PROXY,
                   "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"}}
    waitress_serve(
        application,
        host=host,
        port=port,
        threads=threads,
        ident="fanzha",
        # Refuse oversized bodies at the server, before Django reads them.
        max_request_body_size=(settings.FANZHA_MAX_UPLOAD_MB + 1) * 1024 * 1024,
        **options,
    )


class Command(BaseCommand):
    help = "Serve fanzha over HTTP with waitress (no demo data; run `fanzha migrate` first)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host: str, port: int, threads: int, **opts):
        require_pii_key()
        serve(host=host, port=port, threads=threads, stdout=self.stdout)
