"""Images are checked and thumbnailed in bounded memory (fanzha.outreach.evidence), measured as a subprocess's peak RSS."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from fanzha.outreach import evidence as ev

# Peak resident memory the check of one file may add to a worker (the attack took 1.1 GB).
CEILING_MB = 80

MEASURE = r"""
import io, json, resource, sys
import django
django.setup()
from fanzha.outreach import evidence as ev
from django.core.files.uploadedfile import SimpleUploadedFile
path, name = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
from PIL import Image  # loaded before the baseline, like in a running worker

def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])  # kB

# The peak so far (django.setup) would hide anything below it: reset the peak (Linux clear_refs 5).
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
before = status("VmRSS")
try:
    p = ev.prepare(SimpleUploadedFile(name, data), name=name)
    out = {"ok": True, "w": p.width, "h": p.height, "thumb": Image.open(io.BytesIO(p.thumb)).size,
           "gps": p.had_gps, "data_gps": bool(Image.open(io.BytesIO(p.data)).getexif().get_ifd(0x8825))}
except Exception as e:
    out = {"ok": False, "why": str(getattr(e, "messages", [e])[0])}
out["delta_mb"] = (status("VmHWM") - before) / 1024
print(json.dumps(out))
"""


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def big_rgba_png(path: Path, side: int = 7700) -> int:
    """A side×side RGBA PNG written row by row (the test never holds the decoded picture): ~230 KB for 7,700²."""
    comp = zlib.compressobj(9)
    row = b"\x00" + bytes([40, 120, 200, 255]) * side
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(_png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0)))
        idat = bytearray()
        for _ in range(side):
            idat += comp.compress(row)
        idat += comp.flush()
        f.write(_png_chunk(b"IDAT", bytes(idat)))
        f.write(_png_chunk(b"IEND", b""))
    return path.stat().st_size


def _measure(path: Path, name: str, **env) -> dict:
    src = Path(__file__).resolve().parents[3]
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "fanzha.settings",
                   "PYTHONPATH": str(src) + os.pathsep + os.environ.get("PYTHONPATH", ""), **env}
    out = subprocess.run([sys.executable, "-c", MEASURE, str(path), name], capture_output=True, text=True,
                         env=environment, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_huge_rgba_png_is_refused_within_the_memory_ceiling(tmp_path):
    """The 230 KB 7,700×7,700 RGBA PNG of the attack is refused from its header, adding < 80 MB of RSS."""
    path = tmp_path / "bomb.png"
    size = big_rgba_png(path)
    assert 150_000 < size < 400_000
    got = _measure(path, "bomb.png", FANZHA_HOME=str(tmp_path / "home"))
    assert not got["ok"] and "像素过大" in got["why"]
    assert got["delta_mb"] < CEILING_MB, got
    print("7700x7700 RGBA PNG: peak RSS added", round(got["delta_mb"], 1), "MB")


def test_large_jpeg_is_thumbnailed_by_reduced_decoding(tmp_path):
    """A 6,000×5,000 JPEG with GPS (over the full-decode budget) is accepted: reduced decoding for the check
    and thumbnail, GPS removed without decoding, < 80 MB of RSS added (a full decode alone would be 90 MB)."""
    path = tmp_path / "big.jpg"
    make = ("import sys; from PIL import Image; im = Image.new('RGB', (6000, 5000), (90, 140, 200)); "
            "ex = Image.Exif(); ex[0x0132] = '2026:11:01 10:00:00'; ex.get_ifd(0x8825)[1] = 'N'; "
            "ex.get_ifd(0x8825)[2] = (30.0, 1.0, 2.0); im.save(sys.argv[1], 'JPEG', quality=70, exif=ex.tobytes())")
    subprocess.run([sys.executable, "-c", make, str(path)], check=True, timeout=120)
    got = _measure(path, "big.jpg", FANZHA_HOME=str(tmp_path / "home"))
    assert got["ok"], got
    assert (got["w"], got["h"]) == (6000, 5000) and max(got["thumb"]) == 480
    assert got["gps"] and not got["data_gps"]
    assert got["delta_mb"] < CEILING_MB, got
    print("6000x5000 JPEG: peak RSS added", round(got["delta_mb"], 1), "MB")


def test_pixel_budgets_are_settings(settings, tmp_path):
    """FANZHA_IMAGE_MAX_PIXELS refuses from the header; a non-JPEG above FANZHA_IMAGE_DECODE_PIXELS is refused."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(buf, "PNG")
    settings.FANZHA_IMAGE_MAX_PIXELS = 100_000
    with pytest.raises(ValidationError, match="像素过大"):
        ev.prepare(buf.getvalue(), name="a.png")
    settings.FANZHA_IMAGE_MAX_PIXELS = 50_000_000
    settings.FANZHA_IMAGE_DECODE_PIXELS = 100_000
    with pytest.raises(ValidationError, match="存为JPG"):
        ev.prepare(buf.getvalue(), name="a.png")
    settings.FANZHA_IMAGE_DECODE_PIXELS = 16_000_000
    assert ev.prepare(buf.getvalue(), name="a.png").width == 400


def test_total_pixels_per_request_are_capped(settings):
    """Within one request the images' pixels add up; past FANZHA_IMAGE_REQUEST_PIXELS the next one is refused."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (1000, 1000), "white").save(buf, "JPEG")
    settings.FANZHA_IMAGE_REQUEST_PIXELS = 2_500_000
    ev._request_started()  # what the request_started signal calls
    try:
        ev.prepare(buf.getvalue(), name="1.jpg")
        ev.prepare(buf.getvalue(), name="2.jpg")
        with pytest.raises(ValidationError, match="总像素"):
            ev.prepare(buf.getvalue(), name="3.jpg")
    finally:
        ev._request_finished()
    ev.prepare(buf.getvalue(), name="4.jpg")  # outside a request (commands, demo): no per-request total
