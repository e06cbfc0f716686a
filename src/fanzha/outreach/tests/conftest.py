"""Helpers for the outreach tests: real images and videos made on the spot.

Images are drawn with Pillow, with EXIF written by Pillow (DateTimeOriginal,
GPS); the MP4 is a minimal but well-formed ISO-BMFF file (ftyp, moov with
mvhd and a QuickTime ©xyz location atom, mdat).
"""

from __future__ import annotations

import datetime as dt
import io
import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

EXIF_IFD, GPS_IFD, DATETIME_ORIGINAL = 0x8769, 0x8825, 0x9003


def jpeg_bytes(*, taken: str | None = "2026:11:20 10:11:12", gps: bool = True, size=(640, 480), color="red") -> bytes:
    from PIL import Image

    im = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    if taken:
        exif.get_ifd(EXIF_IFD)[DATETIME_ORIGINAL] = taken
    if gps:
        g = exif.get_ifd(GPS_IFD)
        g[1], g[2], g[3], g[4] = "N", (39.0, 54.0, 15.0), "E", (116.0, 23.0, 30.0)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90, exif=exif.tobytes())
    return buf.getvalue()


def png_bytes(size=(120, 80)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 255, 200)).save(buf, "PNG")
    return buf.getvalue()


def webp_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (100, 60), "green").save(buf, "WEBP")
    return buf.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


MP4_EPOCH = dt.datetime(1904, 1, 1, tzinfo=dt.timezone.utc)


def mp4_bytes(*, brand: bytes = b"isom", created: dt.datetime | None = dt.datetime(2026, 11, 20, 2, 11, 12, tzinfo=dt.timezone.utc),
              location: bytes | None = b"+39.9042+116.4074/") -> bytes:
    secs = int((created - MP4_EPOCH).total_seconds()) if created else 0
    ftyp = _box(b"ftyp", brand + struct.pack(">I", 512) + brand + b"mp41")
    mvhd = _box(b"mvhd", bytes([0, 0, 0, 0]) + struct.pack(">II", secs, secs) + struct.pack(">II", 1000, 0) + bytes(80))
    children = mvhd
    if location is not None:
        xyz = _box(b"\xa9xyz", struct.pack(">HH", len(location), 0x15C7) + location)
        children += _box(b"udta", xyz)
    moov = _box(b"moov", children)
    mdat = _box(b"mdat", bytes(256))
    return ftyp + moov + mdat


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()
