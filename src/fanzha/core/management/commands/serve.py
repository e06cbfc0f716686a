"""`fanzha serve`: the production web server (static files via WhiteNoise).

One process per core by default (gunicorn, pre-fork, threaded workers);
`--workers 1` serves from one waitress process. Stateless: run several
machines behind a reverse proxy, all pointing at one PostgreSQL through
DATABASE_URL.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def require_pii_key() -> None:
    """Stop a starting process whose PII key is not this database's (see fanzha.core.keycheck)."""
    from fanzha.core.keycheck import PiiKeyMismatch, check_pii_key

    try:
        check_pii_key()
    except PiiKeyMismatch as e:
        raise CommandError(str(e)) from None


def default_workers() -> int:
    """One web process per core: each takes requests on all its threads, and the cores share the load."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def loaded_application():
    """The WSGI application with every URL pattern and view module imported, its objects then frozen.

    What is loaded once and kept for the process's life (Django, the apps, the URL patterns, the
    compiled templates' modules) is moved out of the cyclic garbage collector's reach (`gc.freeze`):
    otherwise each full collection walks those few hundred thousand objects again, and the request
    that triggers it pays tens of milliseconds; before gunicorn forks, it also keeps the workers
    from writing to the pages they share with the master.
    """
    import gc

    from django.urls import get_resolver

    from fanzha.wsgi import application

    get_resolver().url_patterns  # noqa: B018 - imports every view module now, not on the first request
    gc.collect()
    gc.freeze()
    return application


def serve(*, host: str, port: int, threads: int, stdout, workers: int = 1) -> None:
    """Serve on `workers` processes of `threads` threads each.

    Several processes: gunicorn's pre-fork server (gthread workers), so every
    core answers requests (one Python process runs on one core at a time).
    One process, or where gunicorn does not run (Windows): waitress.
    """
    if workers > 1 or os.environ.get("FANZHA_SERVER") == "gunicorn":
        try:
            import gunicorn  # noqa: F401
        except ImportError:
            stdout.write("fanzha: gunicorn is not installed here; serving with one waitress process")
        else:
            return _serve_gunicorn(host=host, port=port, threads=threads, workers=workers, stdout=stdout)
    from waitress import serve as waitress_serve

    application = loaded_application()

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


def _serve_gunicorn(*, host: str, port: int, threads: int, workers: int, stdout) -> None:
    from gunicorn.app.base import BaseApplication

    class FanzhaServer(BaseApplication):
        def load_config(self):
            cfg = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                # Load the app once in the master, then fork: workers start at once and share memory.
                "preload_app": True,
                "timeout": 120,
                "graceful_timeout": 20,
                "keepalive": 5,
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "warning",
                "proc_name": "fanzha",
                "forwarded_allow_ips": settings.FANZHA_TRUSTED_PROXY or "127.0.0.1",
            }
            for key, value in cfg.items():
                self.cfg.set(key, value)

        def load(self):
            from django.db import connections

            application = loaded_application()
            connections.close_all()  # no connection opened before the fork may be shared by the workers
            return application

    stdout.write(f"fanzha: serving on http://{host}:{port}/ with {workers} processes × {threads} threads "
                 "(gunicorn; Ctrl+C to stop)")
    FanzhaServer().run()


class Command(BaseCommand):
    help = "Serve fanzha over HTTP with waitress (no demo data; run `fanzha migrate` first)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8, help="threads per process (default 8)")
        parser.add_argument("--workers", type=int, default=default_workers(),
                            help=f"processes (default: one per core, here {default_workers()}); 1 serves with waitress")

    def handle(self, *args, host: str, port: int, threads: int, workers: int, **opts):
        require_pii_key()
        if workers < 1:
            raise CommandError("--workers must be at least 1")
        serve(host=host, port=port, threads=threads, workers=workers, stdout=self.stdout)
