"""Running the `fanzha` command as real processes against their own data directory (and, when the suite
runs on PostgreSQL, their own database), exactly as an operator or a service manager would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

# A street with one resident, an operator account with a token, and an uploaded file.
SETUP = r"""
import datetime as dt
from pathlib import Path
from django.conf import settings
from fanzha.core.idnumbers import make_id_number
from fanzha.core.models import ApiToken
from fanzha.org import services
from fanzha.org.models import Level, Role
k = services.node_create(parent=None, level=Level.COUNTY, code="K", name="测试区")
s = services.node_create(parent=k, level=Level.STREET, code="S", name="西门街道")
c = services.node_create(parent=s, level=Level.COMMUNITY, code="S-C1", name="东关社区")
g = services.node_create(parent=c, level=Level.GRID, code="S-C1-G1", name="东关第一网格")
grp = services.node_create(parent=g, level=Level.GROUP, code="S-C1-G1-01", name="东关1-1联户")
h = services.household_create(node=grp, address="东关路1号", head_name="王建国")
services.resident_create(household=h, name="王建国", id_number=make_id_number("110101", dt.date(1950, 3, 7), 123),
                         phone="13800138001")
u = services.user_create(username="office", password="pw-long-enough-9", display_name="o", role=Role.OFFICE, node=s)
_, key = ApiToken.issue(user=u, name="centre")
media = Path(settings.MEDIA_ROOT) / "evidence" / "2026"
media.mkdir(parents=True, exist_ok=True)
(media / "photo.jpg").write_bytes(b"\xff\xd8\xff evidence bytes")
print(key)
"""


def pg_url() -> str | None:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return None
    return f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(pg_url() + "postgres", autocommit=True) as conn:
        conn.execute(sql)


def env_for(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("FANZHA_PII_KEY", "SECRET_KEY", "DATABASE_URL")}
    env.update(FANZHA_HOME=str(home), DJANGO_SETTINGS_MODULE="fanzha.settings",
               PYTHONPATH=str(Path(settings.BASE_DIR).parent))
    return env


def runner(env: dict):
    """run(*args) runs `fanzha ARGS`; run(code=...) runs Python in `fanzha shell`; AssertionError on failure."""
    def run(*args, check=True, extra_env=None, code=None, timeout=180):
        cmd = [sys.executable, "-m", "fanzha", *args]
        if code is not None:
            cmd = [sys.executable, "-m", "fanzha", "shell", "-v", "0", "-c", code]
        done = subprocess.run(cmd, env={**env, **(extra_env or {})}, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"{args} failed: {done.stdout}\n{done.stderr}")
        return done
    return run


class Site:
    def __init__(self, home: Path, env: dict, db: str | None, token: str = ""):
        self.home, self.env, self.pg, self.token = home, env, db, token
        self.run = runner(env)

    def popen(self, *args) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "fanzha", *args], env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def make_template(tmp_path_factory):
    """A migrated data directory (and database) holding SETUP's data, the PII key recorded."""
    home = tmp_path_factory.mktemp("template") / "home"
    env = env_for(home)
    dbname = None
    if pg_url():
        if not shutil.which("pg_dump"):
            pytest.skip("pg_dump not installed (apt-get install postgresql-client)")
        dbname = f"fz_proc_tmpl_{uuid.uuid4().hex[:8]}"
        pg_admin(f'CREATE DATABASE "{dbname}"')
        env["DATABASE_URL"] = pg_url() + dbname
    site = Site(home, env, dbname)
    site.run("migrate", "-v", "0")
    site.token = site.run(code=SETUP).stdout.strip().splitlines()[-1]
    site.run("worker", "--once", "-v", "0")  # a first start records the key's fingerprint
    return site


def copy_site(template: Site, tmp_path: Path) -> Site:
    home = tmp_path / "home"
    shutil.copytree(template.home, home)
    env = env_for(home)
    dbname = None
    if template.pg:
        dbname = f"fz_proc_{uuid.uuid4().hex[:8]}"
        pg_admin(f'CREATE DATABASE "{dbname}" TEMPLATE "{template.pg}"')
        env["DATABASE_URL"] = pg_url() + dbname
    return Site(home, env, dbname, template.token)


def drop(site: Site) -> None:
    if site.pg:
        pg_admin(f'DROP DATABASE IF EXISTS "{site.pg}" WITH (FORCE)')


@pytest.fixture(scope="module")
def template_site(tmp_path_factory):
    """Built once per test module that imports it."""
    site = make_template(tmp_path_factory)
    yield site
    drop(site)


@pytest.fixture
def site(template_site, tmp_path):
    """A copy of the template data directory (and database) with `run(*args)` for the `fanzha` command."""
    s = copy_site(template_site, tmp_path)
    yield s
    drop(s)
