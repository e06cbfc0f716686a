"""`fanzha backup` / `fanzha restore` and the PII key check, with real processes on a real data directory.

Each test runs the `fanzha` command in subprocesses against its own
FANZHA_HOME (SQLite), or its own PostgreSQL database when the suite runs on
PostgreSQL, exactly as an operator would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings


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



def _pg_url() -> str | None:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        return None
    return f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"


def _env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("FANZHA_PII_KEY", "SECRET_KEY", "DATABASE_URL")}
    env.update(FANZHA_HOME=str(home), DJANGO_SETTINGS_MODULE="fanzha.settings",
               PYTHONPATH=str(Path(settings.BASE_DIR).parent))
    return env


def _runner(env: dict):
    def run(*args, check=True, extra_env=None, code=None):
        cmd = [sys.executable, "-m", "fanzha", *args]
        if code is not None:
            cmd = [sys.executable, "-m", "fanzha", "shell", "-v", "0", "-c", code]
        done = subprocess.run(cmd, env={**env, **(extra_env or {})}, capture_output=True, text=True, timeout=180)
        if check and done.returncode != 0:
            raise AssertionError(f"{args} failed: {done.stdout}\n{done.stderr}")
        return done
    return run


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_pg_url() + "postgres", autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(scope="module")
def template_site(tmp_path_factory):
    """Migrated once per module, with a street, one resident, an upload and a token; the key recorded."""
    home = tmp_path_factory.mktemp("template") / "home"
    env = _env(home)
    dbname = None
    if _pg_url():
        if not shutil.which("pg_dump"):
            pytest.skip("pg_dump not installed (apt-get install postgresql-client)")
        dbname = f"fz_backup_tmpl_{uuid.uuid4().hex[:8]}"
        _pg_admin(f'CREATE DATABASE "{dbname}"')
        env["DATABASE_URL"] = _pg_url() + dbname
    run = _runner(env)
    run("migrate", "-v", "0")
    token = run(code=SETUP).stdout.strip().splitlines()[-1]
    run("worker", "--once", "-v", "0")  # a first start records the key's fingerprint
    yield home, dbname, token
    if dbname:
        _pg_admin(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


@pytest.fixture
def site(template_site, tmp_path):
    """A copy of the template data directory (and database) with `run(*args)` for the `fanzha` command."""
    tmpl_home, tmpl_db, token = template_site
    home = tmp_path / "home"
    shutil.copytree(tmpl_home, home)
    env = _env(home)
    dbname = None
    if tmpl_db:
        dbname = f"fz_backup_{uuid.uuid4().hex[:8]}"
        _pg_admin(f'CREATE DATABASE "{dbname}" TEMPLATE "{tmpl_db}"')
        env["DATABASE_URL"] = _pg_url() + dbname
    yield type("Site", (), {"home": home, "run": staticmethod(_runner(env)), "pg": dbname, "token": token})
    if dbname:
        _pg_admin(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


def _wipe(site) -> None:
    for p in site.home.iterdir():
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink()
    if site.pg:
        site.run("flush", "--no-input", "-v", "0")


def test_backup_wipe_restore_brings_back_numbers_files_and_tokens(site, tmp_path):
    """After backup → wipe → restore every number is readable and findable, every upload is there, tokens work."""
    archive = tmp_path / "b.tar.gz"
    out = site.run("backup", str(archive)).stdout
    assert "backup written" in out and archive.exists()
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {"manifest.json", "keys/pii_key", "keys/secret_key"} <= names
    assert any(n.startswith("media/evidence") for n in names)

    _wipe(site)
    site.run("restore", str(archive), "--yes")
    assert oct((site.home / "pii_key").stat().st_mode & 0o777) == "0o600"
    check = site.run(code="from fanzha.org.models import Resident\nfrom fanzha.core.idnumbers import parse_phone\n"
                          "from fanzha.core import pii\n"
                          "r = Resident.objects.get()\nprint(r.id_number, r.phone)\n"
                          "print(Resident.objects.filter(phone_hash=pii.lookup_hash('phone', '13800138001')).count())\n"
                          "from pathlib import Path\nfrom django.conf import settings\n"
                          "print((Path(settings.MEDIA_ROOT)/'evidence'/'2026'/'photo.jpg').read_bytes())").stdout
    lines = check.strip().splitlines()
    assert lines[0].split() == [lines[0].split()[0], "13800138001"] and len(lines[0].split()[0]) == 18
    assert lines[1] == "1"  # the keyed look-up finds the person again
    assert "evidence bytes" in lines[2]
    token = site.run(code=f"from fanzha.core.models import ApiToken\nprint(ApiToken.find({site.token!r}).user.username)")
    assert token.stdout.strip() == "office"  # the machine client's bearer token still works
    assert site.run("worker", "--once", "-v", "0").returncode == 0  # starts: the key is the database's


def test_a_damaged_archive_is_refused_and_nothing_is_touched(site, tmp_path):
    """A restore of an archive whose file does not match its checksum refuses before touching anything."""
    archive = tmp_path / "b.tar.gz"
    site.run("backup", str(archive))
    unpacked = tmp_path / "x"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    db_file = next(p for p in unpacked.iterdir() if p.name.startswith("db."))
    db_file.write_bytes(db_file.read_bytes()[:-10] + b"0123456789")
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(damaged, "w:gz") as tar:
        for p in sorted(unpacked.rglob("*")):
            if p.is_file():
                tar.add(p, arcname=str(p.relative_to(unpacked)))
    done = site.run("restore", str(damaged), "--yes", check=False)
    assert done.returncode != 0 and "checksum" in done.stderr
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[:200])
    done = site.run("restore", str(truncated), "--yes", check=False)
    assert done.returncode != 0 and "not restored" in done.stderr
    assert site.run(code="from fanzha.org.models import Resident\nprint(Resident.objects.count())").stdout.strip() == "1"


def test_a_process_with_another_key_refuses_to_start(site, tmp_path):
    """With a different or lost PII key the worker and the server refuse to start with a clear message."""
    other = site.run("worker", "--once", check=False, extra_env={"FANZHA_PII_KEY": "not-the-key-of-this-database"})
    assert other.returncode != 0 and "PII key" in other.stderr
    (site.home / "pii_key").unlink()  # lost key file: a new one would be generated
    lost = site.run("worker", "--once", check=False)
    assert lost.returncode != 0 and "PII key" in lost.stderr


def test_restore_with_a_different_key_in_the_environment_refuses(site, tmp_path):
    """A restore while FANZHA_PII_KEY names another key refuses: the restored numbers could not be read."""
    archive = tmp_path / "b.tar.gz"
    site.run("backup", str(archive))
    done = site.run("restore", str(archive), "--yes", check=False, extra_env={"FANZHA_PII_KEY": "another"})
    assert done.returncode != 0 and "FANZHA_PII_KEY" in done.stderr
