"""PDF copies of Word and Excel files, printed by LibreOffice when the server has it.

`available()` says whether LibreOffice (`soffice`) is installed; `to_pdf(path)`
prints a .docx or .xlsx to a PDF beside it (or in `outdir`) and returns the
PDF's path. On Debian: `apt-get install libreoffice-writer-nogui
libreoffice-calc-nogui` (the PDF download is offered only where it is there).

Each process keeps its own LibreOffice profile (one profile cannot be used by
two LibreOffice processes at once) and conversions in a process run one at a
time. The profile's fonts.conf maps the font names the documents use
(`fanzha.core.documents.FONTS`: 仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312, …)
to their fallbacks, so a machine without the Windows fonts prints with the
closest CJK face it has instead of whatever fontconfig picks first. No font
file is shipped.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path
from xml.sax.saxutils import escape

DEFAULT_TIMEOUT = 120.0  # a county report prints in about 7 s of CPU; a busy server needs the slack


def default_timeout() -> float:
    """Seconds LibreOffice may take (setting FANZHA_PDF_TIMEOUT, else DEFAULT_TIMEOUT)."""
    from django.conf import settings

    return float(getattr(settings, "FANZHA_PDF_TIMEOUT", DEFAULT_TIMEOUT))

_lock = threading.Lock()
_profile: Path | None = None


class PdfError(RuntimeError):
    """LibreOffice is missing, failed, or took longer than the timeout."""


def soffice() -> str | None:
    """The LibreOffice command, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return soffice() is not None


def fonts_conf() -> str:
    """A fontconfig file: the system's, plus each document font name preferring its fallbacks."""
    from fanzha.core.documents import FONTS

    aliases = []
    for names in FONTS.values():
        prefer = "".join(f"<family>{escape(n)}</family>" for n in names[1:])
        aliases.append(f'<alias binding="same"><family>{escape(names[0])}</family><prefer>{prefer}</prefer></alias>')
    return ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>'
            '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>' + "".join(aliases) + "</fontconfig>\n")


def _profile_dir() -> Path:
    global _profile
    if _profile is None or not _profile.exists():
        _profile = Path(tempfile.mkdtemp(prefix=f"fanzha-lo-{os.getpid()}-"))
        (_profile / "fonts.conf").write_text(fonts_conf(), encoding="utf-8")
        atexit.register(shutil.rmtree, _profile, True)
    return _profile


def to_pdf(path, *, outdir=None, timeout: float | None = None) -> Path:
    """Print `path` (.docx / .xlsx) to PDF with LibreOffice; returns the PDF's path.

    1. Run `soffice --headless --convert-to pdf` with this process's profile,
       in its own process group, into a private temporary directory.
    2. On timeout, kill the whole group (soffice starts a child) and raise.
    3. Move the PDF to `outdir` (default: beside the file), named like the file.
    """
    cmd = soffice()
    if cmd is None:
        raise PdfError("LibreOffice (soffice) is not installed")
    if timeout is None:
        timeout = default_timeout()
    src = Path(path).resolve()
    dest_dir = Path(outdir).resolve() if outdir else src.parent
    with _lock:
        profile = _profile_dir()
        work = Path(tempfile.mkdtemp(prefix="pdf-", dir=profile))
        env = {**os.environ, "FONTCONFIG_FILE": str(profile / "fonts.conf"), "HOME": str(profile),
               "SAL_USE_VCLPLUGIN": "svp"}
        proc = subprocess.Popen(
            [cmd, f"-env:UserInstallation=file://{profile / 'user'}", "--headless", "--norestore", "--nologo",
             "--nodefault", "--nolockcheck", "--convert-to", "pdf", "--outdir", str(work), str(src)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.communicate()
            shutil.rmtree(work, ignore_errors=True)
            raise PdfError(f"LibreOffice took longer than {timeout:g} s") from None
        made = work / (src.stem + ".pdf")
        if proc.returncode != 0 or not made.exists():
            shutil.rmtree(work, ignore_errors=True)
            msg = (err or out or b"").decode("utf-8", "replace").strip()[:500]
            raise PdfError(f"LibreOffice could not print {src.name}: {msg or proc.returncode}")
        dest_dir.mkdir(parents=True, exist_ok=True)
        dest = dest_dir / made.name
        part = dest.with_name(dest.name + f".{os.getpid()}.part")
        shutil.move(str(made), part)
        os.replace(part, dest)  # readers see the whole PDF or none
        shutil.rmtree(work, ignore_errors=True)
        return dest


def bytes_to_pdf(content: bytes, suffix: str, *, timeout: float | None = None) -> bytes:
    """PDF bytes of a file given as bytes (".docx" / ".xlsx")."""
    with tempfile.TemporaryDirectory(prefix="fanzha-pdf-") as tmp:
        src = Path(tmp) / f"document{suffix}"
        src.write_bytes(content)
        return to_pdf(src, timeout=timeout).read_bytes()
