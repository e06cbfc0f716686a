"""`fanzha backup` / `fanzha restore` and the PII key check, with real processes on a real data directory.

Each test runs the `fanzha` command in subprocesses against its own
FANZHA_HOME (SQLite), or its own PostgreSQL database when the suite runs on
PostgreSQL, exactly as an operator would.
"""

from __future__ import annotations

import shutil
import tarfile

import pytest

from fanzha.core.tests.procs import site, template_site  # noqa: F401 — fixtures


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
