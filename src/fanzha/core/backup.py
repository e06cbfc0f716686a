"""One archive holding everything a street needs to come back: `fanzha backup` / `fanzha restore`.

The archive (`.tar.gz`, readable by the owner only) holds:
- `db.sqlite3` — a consistent copy made with SQLite's online backup API while
  the product keeps running (copying the file alone misses what is still in
  the WAL), or `db.pgdump` — `pg_dump --format=custom` on PostgreSQL;
- `keys/secret_key`, `keys/pii_key` — without the PII key no stored ID or
  phone number can be read or found again;
- `media/...` — uploaded evidence and generated reports;
- `manifest.json` — format version, engine, the PII key's fingerprint and a
  SHA-256 per file. A restore refuses an archive whose files do not match it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections

FORMAT = 1


class BackupError(RuntimeError):
    pass


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _engine() -> str:
    return "postgresql" if connections["default"].vendor == "postgresql" else "sqlite"


def _pg_env_args() -> tuple[dict, list[str]]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432), "-U", db.get("USER") or "postgres"]
    return env, args


def _dump_database(into: Path) -> str:
    """Write a consistent copy of the database under `into`; returns the file's name."""
    if _engine() == "sqlite":
        src_path = settings.DATABASES["default"]["NAME"]
        out = into / "db.sqlite3"
        src = sqlite3.connect(src_path)
        dst = sqlite3.connect(out)
        try:
            src.backup(dst)  # the online backup API: a consistent snapshot, WAL included
        finally:
            dst.close()
            src.close()
        return out.name
    env, args = _pg_env_args()
    out = into / "db.pgdump"
    name = settings.DATABASES["default"]["NAME"]
    done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(out), *args, name],
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    return out.name


def make_backup(out: Path) -> dict:
    """Write the archive to `out`; returns the manifest."""
    from fanzha.core.keycheck import fingerprint

    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="fanzha-backup-") as tmp:
        root = Path(tmp)
        files = [_dump_database(root)]
        (root / "keys").mkdir()
        (root / "keys" / "secret_key").write_text(settings.SECRET_KEY)
        (root / "keys" / "pii_key").write_text(settings.FANZHA_PII_KEY)
        files += ["keys/secret_key", "keys/pii_key"]
        media = Path(settings.MEDIA_ROOT)
        if media.is_dir():
            shutil.copytree(media, root / "media")
            files += [str(p.relative_to(root)) for p in sorted((root / "media").rglob("*")) if p.is_file()]
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "engine": _engine(),
            "pii_key_fingerprint": fingerprint(),
            "files": {name: _sha256(root / name) for name in files},
        }
        (root / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh, tarfile.open(fileobj=fh, mode="w:gz") as tar:
            tar.add(root / "manifest.json", arcname="manifest.json")
            for name in files:
                tar.add(root / name, arcname=name)
    return manifest


@dataclass
class Archive:
    root: Path
    manifest: dict


def open_archive(path: Path, into: Path) -> Archive:
    """Unpack and check every file against the manifest; BackupError when anything does not match."""
    try:
        with tarfile.open(path, mode="r:gz") as tar:
            tar.extractall(into, filter="data")  # no absolute paths, links or devices
    except (tarfile.TarError, EOFError, OSError, ValueError) as e:
        raise BackupError(f"the archive cannot be read ({e})") from None
    try:
        manifest = json.loads((into / "manifest.json").read_text())
    except (OSError, ValueError):
        raise BackupError("the archive has no readable manifest.json") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown archive format {manifest.get('format')!r}")
    for name, digest in manifest.get("files", {}).items():
        f = into / name
        if not f.is_file():
            raise BackupError(f"the archive lacks {name}")
        if _sha256(f) != digest:
            raise BackupError(f"{name} does not match its checksum: the archive is damaged")
    return Archive(root=into, manifest=manifest)


def _write_secret(name: str, value: str) -> None:
    path = Path(settings.FANZHA_HOME) / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)


def restore_backup(path: Path) -> dict:
    """Put the archive's database, keys and files back; returns the manifest.

    1. Unpack and verify every checksum (nothing is touched before that).
    2. A PII key given in the environment must be the archive's (else refuse:
       the restored numbers could not be read with it).
    3. Database: SQLite file replaced (stale -wal/-shm removed); PostgreSQL
       restored with pg_restore --clean into the configured database.
    4. Keys written to FANZHA_HOME (owner-only), media replaced.
    """
    from fanzha.core.keycheck import fingerprint

    with tempfile.TemporaryDirectory(prefix="fanzha-restore-") as tmp:
        archive = open_archive(Path(path), Path(tmp))
        root, manifest = archive.root, archive.manifest
        pii_key = (root / "keys" / "pii_key").read_text().strip()
        if fingerprint(pii_key) != manifest.get("pii_key_fingerprint"):
            raise BackupError("the archive's PII key does not match its own fingerprint: the archive is damaged")
        env_key = os.environ.get("FANZHA_PII_KEY")
        if env_key and env_key != pii_key:
            raise BackupError("FANZHA_PII_KEY in the environment is not the key of this backup: unset it or set it "
                              "to the backup's key, else the restored numbers cannot be read")
        if manifest["engine"] != _engine():
            raise BackupError(f"this backup is of a {manifest['engine']} database; the configured one is {_engine()}")
        connections.close_all()
        if manifest["engine"] == "sqlite":
            target = Path(settings.DATABASES["default"]["NAME"])
            for suffix in ("-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            tmp_target = target.with_name(target.name + ".restoring")
            shutil.copyfile(root / "db.sqlite3", tmp_target)
            os.chmod(tmp_target, 0o600)
            os.replace(tmp_target, target)
        else:
            env, args = _pg_env_args()
            name = settings.DATABASES["default"]["NAME"]
            done = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                                   *args, "-d", name, str(root / "db.pgdump")], env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise BackupError(f"pg_restore failed: {done.stderr.strip()}")
        _write_secret("pii_key", pii_key)
        if not os.environ.get("SECRET_KEY"):
            _write_secret("secret_key", (root / "keys" / "secret_key").read_text().strip())
        media = Path(settings.MEDIA_ROOT)
        if media.exists():
            shutil.rmtree(media)
        if (root / "media").is_dir():
            shutil.copytree(root / "media", media)
    return manifest


def summary(manifest: dict) -> str:
    return (f"{manifest.get('engine')} database and {len(manifest.get('files', {})) - 1} other files, "
            f"made {manifest.get('created_at')}")
