"""Photo and video evidence (影像资料): checking uploads, EXIF time, GPS, thumbnails, storage.

An upload is accepted only when its content is what its name says:

1. The type is sniffed from the first bytes (JPEG, PNG, WebP; HEIC when
   Pillow can read it; MP4/MOV by their ISO-BMFF 'ftyp' box). Anything else
   is refused, and so is a file whose content does not match its extension
   (a .png that is a JPEG, an .mp4 that is a JPEG, a .jpg that is a PDF).
   MP4 and MOV are one container format, so either video extension is
   accepted for either brand.
2. Images are decoded by Pillow (a truncated or forged image fails here) in
   bounded memory: the size is read from the header first and an image above
   the pixel budget (`FANZHA_IMAGE_MAX_PIXELS`) is refused before any
   decoding; a JPEG is decoded reduced (libjpeg's DCT scaling, Pillow's
   draft mode) for its check and thumbnail; other formats are decoded fully
   only up to `FANZHA_IMAGE_DECODE_PIXELS`; and one request may decode at most
   `FANZHA_IMAGE_REQUEST_PIXELS` in all (counted from the headers).
3. EXIF DateTimeOriginal (videos: the movie header's creation time) is kept
   as evidence of when the picture was taken.
4. Location is removed unless the street's office keeps it: images with GPS
   EXIF or XMP GPS are re-encoded without them (JPEG with its own quality
   tables, so the picture is unchanged to the eye); in videos the QuickTime
   location atoms are blanked in place.
5. Images get a 480 px JPEG thumbnail (orientation applied, no metadata).
6. Files are written under MEDIA_ROOT/outreach/evidence/YYYY/MM/ with random
   names; they are served only by the scoped evidence view.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import io
import os
import re
import secrets
import struct
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.signals import request_finished, request_started
from django.utils import timezone
from django.utils.translation import gettext as _

MAX_PIXELS = 50_000_000  # default of FANZHA_IMAGE_MAX_PIXELS: a 48 MP phone photo (8000×6000) fits
DECODE_PIXELS = 16_000_000  # default of FANZHA_IMAGE_DECODE_PIXELS: a full decode of RGBA ≤ 64 MB
REQUEST_PIXELS = 200_000_000  # default of FANZHA_IMAGE_REQUEST_PIXELS: all images of one request
THUMB_SIZE = (480, 480)
MAX_FILES = 12

# kind → (extensions, content type, family)
TYPES = {
    "jpeg": (("jpg", "jpeg", "jpe", "jfif"), "image/jpeg", "image"),
    "png": (("png",), "image/png", "image"),
    "webp": (("webp",), "image/webp", "image"),
    "heic": (("heic", "heif"), "image/heic", "image"),
    "mp4": (("mp4", "m4v", "mov"), "video/mp4", "video"),
    "mov": (("mov", "qt", "mp4"), "video/quicktime", "video"),
}
TYPE_LABEL = {"jpeg": "JPEG图片", "png": "PNG图片", "webp": "WebP图片", "heic": "HEIC图片", "mp4": "MP4视频", "mov": "MOV视频"}
KNOWN_EXTENSIONS = {ext: kind for kind, (exts, _ct, _f) in TYPES.items() for ext in exts}
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}
VIDEO_BRANDS = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"M4VH",
                b"M4VP", b"mmp4", b"MSNV", b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"dash", b"f4v ", b"XAVC"}

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
TAG_DATETIME_ORIGINAL, TAG_OFFSET_ORIGINAL, TAG_DATETIME = 0x9003, 0x9011, 0x0132


def pixel_limits() -> tuple[int, int, int]:
    """(largest image accepted, largest fully decoded, total per request), in pixels: settings with defaults."""
    return (int(getattr(settings, "FANZHA_IMAGE_MAX_PIXELS", MAX_PIXELS)),
            int(getattr(settings, "FANZHA_IMAGE_DECODE_PIXELS", DECODE_PIXELS)),
            int(getattr(settings, "FANZHA_IMAGE_REQUEST_PIXELS", REQUEST_PIXELS)))


# Pixels of images already taken by the current request (None outside a request: commands, the worker, demo).
_request_pixels: contextvars.ContextVar[int | None] = contextvars.ContextVar("fanzha_request_pixels", default=None)


def _request_started(**kwargs) -> None:
    _request_pixels.set(0)


def _request_finished(**kwargs) -> None:
    _request_pixels.set(None)


request_started.connect(_request_started, dispatch_uid="fanzha_evidence_pixels_start")
request_finished.connect(_request_finished, dispatch_uid="fanzha_evidence_pixels_end")


def _take_pixels(pixels: int, name: str) -> None:
    """Count an image's pixels against the current request's total; refuse past it."""
    used = _request_pixels.get()
    if used is None:
        return
    total = pixel_limits()[2]
    if used + pixels > total:
        raise ValidationError(_("“%(name)s”：本次上传的照片总像素超过上限（%(mp)d 百万像素），请分几次上传。")
                              % {"name": name, "mp": total // 1_000_000})
    _request_pixels.set(used + pixels)


def max_bytes() -> int:
    mb = getattr(settings, "FANZHA_EVIDENCE_MAX_MB", None) or settings.FANZHA_MAX_UPLOAD_MB
    return int(mb) * 1024 * 1024


def heic_supported() -> bool:
    from PIL import Image

    return ".heic" in Image.registered_extensions()


def sniff(head: bytes) -> str | None:
    """The type of a file from its first bytes, or None."""
    if head[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        size = struct.unpack(">I", head[:4])[0]
        major = head[8:12]
        brands = {major} | {head[i:i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
        if major == b"qt  ":
            return "mov"
        if major in HEIC_BRANDS or (major in (b"mif1", b"msf1") and brands & HEIC_BRANDS):
            return "heic"
        if major in (b"mif1", b"msf1", b"avif", b"avis"):
            return None  # AVIF and other HEIF images: not accepted
        if major in VIDEO_BRANDS or brands & VIDEO_BRANDS:
            return "mp4"
    return None


@dataclass
class PreparedUpload:
    """A checked upload, ready to be written: the bytes to store and what was learnt from them."""

    original_name: str
    kind: str  # image / video
    type: str  # jpeg / png / webp / heic / mp4 / mov
    content_type: str
    data: bytes
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None
    taken_at: dt.datetime | None = None
    had_gps: bool = False
    gps_kept: bool = False
    thumb: bytes | None = None
    duration: float | None = None  # seconds, videos (moov/mvhd)
    extension: str = ""
    notes: list[str] = field(default_factory=list)


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _read(upload) -> bytes:
    if hasattr(upload, "chunks"):
        return b"".join(upload.chunks())
    if hasattr(upload, "read"):
        return upload.read()
    return bytes(upload)


def prepare(upload, *, name: str | None = None, keep_gps: bool = False) -> PreparedUpload:
    """Check one upload and compute what will be stored; ValidationError with the reason otherwise."""
    name = (name or getattr(upload, "name", "") or "").strip()
    display = os.path.basename(name)[:200] or _("（无文件名）")
    size = getattr(upload, "size", None)
    limit = max_bytes()
    if size is not None and size > limit:
        raise ValidationError(_("“%(name)s”有%(size).1f MB，超过%(mb)d MB的上限，请压缩后或截取片段后再上传。")
                              % {"name": display, "size": size / 2**20, "mb": limit // 2**20})
    data = _read(upload)
    if len(data) > limit:
        raise ValidationError(_("“%(name)s”超过%(mb)d MB的上限。") % {"name": display, "mb": limit // 2**20})
    if not data:
        raise ValidationError(_("“%(name)s”是空文件。") % {"name": display})
    ext = _extension(name)
    kind = sniff(data[:64])
    if kind is None:
        raise ValidationError(_("“%(name)s”不是可识别的照片或视频：只能上传 JPG、PNG、WebP 照片或 MP4、MOV 视频。")
                              % {"name": display})
    exts, content_type, family = TYPES[kind]
    if ext not in exts:
        if ext in KNOWN_EXTENSIONS:
            raise ValidationError(_("“%(name)s”的扩展名是.%(ext)s，但内容是%(what)s，文件名与内容不符，未保存。")
                                  % {"name": display, "ext": ext, "what": TYPE_LABEL[kind]})
        raise ValidationError(_("“%(name)s”的扩展名“%(ext)s”不是照片或视频的扩展名（内容是%(what)s），未保存。")
                              % {"name": display, "ext": ext or _("无"), "what": TYPE_LABEL[kind]})
    if kind == "heic" and not heic_supported():
        raise ValidationError(_("“%(name)s”是HEIC格式，本系统暂不能读取：请在手机“设置—相机—格式”中选“兼容性最佳”后重拍，"
                                "或截图后上传JPG。") % {"name": display})
    p = PreparedUpload(original_name=display, kind=family, type=kind, content_type=content_type, data=data,
                       size=len(data), sha256="", extension=exts[0] if kind != "mov" else "mov")
    if family == "image":
        _prepare_image(p, keep_gps=keep_gps)
    else:
        _prepare_video(p, keep_gps=keep_gps)
    p.size = len(p.data)
    p.sha256 = hashlib.sha256(p.data).hexdigest()
    return p


# --- images ---------------------------------------------------------------------


def _exif_time(exif) -> dt.datetime | None:
    ifd = exif.get_ifd(EXIF_IFD)
    raw = ifd.get(TAG_DATETIME_ORIGINAL) or exif.get(TAG_DATETIME)
    if not raw or not isinstance(raw, str):
        return None
    try:
        naive = dt.datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = ifd.get(TAG_OFFSET_ORIGINAL)
    if isinstance(offset, str) and re.fullmatch(r"[+-]\d\d:\d\d", offset.strip("\x00 ")):
        o = offset.strip("\x00 ")
        delta = dt.timedelta(hours=int(o[1:3]), minutes=int(o[4:6]))
        return naive.replace(tzinfo=dt.timezone(delta if o[0] == "+" else -delta))
    return timezone.make_aware(naive, timezone.get_current_timezone())


def _has_xmp_gps(data: bytes) -> bool:
    return b"GPSLatitude" in data or b"GPSLongitude" in data


def _prepare_image(p: PreparedUpload, *, keep_gps: bool) -> None:
    from PIL import Image, UnidentifiedImageError

    max_pixels, decode_pixels, _total = pixel_limits()
    try:
        with Image.open(io.BytesIO(p.data)) as probe:  # the header only: nothing decoded yet
            w, h = probe.size
        if w * h > max_pixels:
            raise ValidationError(_("“%(name)s”像素过大（%(w)d×%(h)d，上限 %(mp)d 百万像素），请缩小后再上传。")
                                  % {"name": p.original_name, "w": w, "h": h, "mp": max_pixels // 1_000_000})
        reduced = p.type == "jpeg" and w * h > decode_pixels
        if w * h > decode_pixels and not reduced:
            raise ValidationError(_("“%(name)s”像素过大（%(w)d×%(h)d），此格式最多 %(mp)d 百万像素：请缩小，或存为JPG后再上传。")
                                  % {"name": p.original_name, "w": w, "h": h, "mp": decode_pixels // 1_000_000})
        _take_pixels(w * h, p.original_name)
        with Image.open(io.BytesIO(p.data)) as probe:
            probe.verify()
        im = Image.open(io.BytesIO(p.data))
        if reduced:
            # libjpeg decodes at 1/2, 1/4 or 1/8 scale: every byte of the stream is still read
            # (a truncated file fails), in an eighth to a sixty-fourth of the memory.
            im.draft("RGB", (THUMB_SIZE[0] * 2, THUMB_SIZE[1] * 2))
        im.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as e:
        raise ValidationError(_("“%(name)s”不是完整有效的图片（%(why)s），未保存。") % {"name": p.original_name, "why": type(e).__name__}) from None
    fmt = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "heic": "HEIF"}[p.type]
    if im.format and im.format.upper() not in (fmt, "MPO" if fmt == "JPEG" else fmt):
        raise ValidationError(_("“%(name)s”的内容与其格式不符，未保存。") % {"name": p.original_name})
    p.width, p.height = w, h
    exif = im.getexif()
    p.taken_at = _exif_time(exif)
    p.had_gps = bool(exif.get_ifd(GPS_IFD)) or _has_xmp_gps(p.data)
    if p.had_gps and keep_gps:
        p.gps_kept = True
    elif p.had_gps and reduced:
        p.data = _jpeg_without_gps(p.data)  # the full picture is never decoded: segments rewritten
        p.notes.append("gps_removed")
    elif p.had_gps:
        if GPS_IFD in exif:
            del exif[GPS_IFD]
        out = io.BytesIO()
        params: dict = {"exif": exif.tobytes()}
        if im.info.get("icc_profile"):
            params["icc_profile"] = im.info["icc_profile"]
        if p.type == "jpeg":
            im.save(out, "JPEG", quality="keep", subsampling="keep", qtables="keep", **params)
        elif p.type == "png":
            im.save(out, "PNG", optimize=False, **params)
        elif p.type == "webp":
            im.save(out, "WEBP", quality=92, **params)
        else:
            im.save(out, "HEIF", quality=92, **params)
        p.data = out.getvalue()
        p.notes.append("gps_removed")
    p.thumb = _thumbnail(im, exif)
    im.close()


ORIENTATION_TRANSPOSE = {2: 0, 3: 3, 4: 1, 5: 5, 6: 4, 7: 6, 8: 2}  # EXIF orientation → Image.Transpose value


def _thumbnail(im, exif) -> bytes:
    """A 480 px JPEG, orientation applied: reduced first (box averaging in place of the full-size
    conversions), so converting to RGB and flattening transparency touch a small image only."""
    from PIL import Image

    factor = max(1, min(im.width // THUMB_SIZE[0], im.height // THUMB_SIZE[1]))
    small = im.reduce(factor) if factor > 1 else im
    method = ORIENTATION_TRANSPOSE.get(exif.get(0x0112)) if exif else None
    if method is not None:
        small = small.transpose(method)
    if small.mode not in ("RGB", "L"):
        background = Image.new("RGB", small.size, "white")
        rgba = small.convert("RGBA")
        background.paste(rgba, mask=rgba.split()[-1])
        small = background
    small = small.convert("RGB")
    small.thumbnail(THUMB_SIZE)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()


_XMP_ID = b"http://ns.adobe.com/xap/1.0/\x00"


def _jpeg_without_gps(data: bytes) -> bytes:
    """The JPEG with the GPS IFD removed from its EXIF segment and any XMP segment dropped,
    without decoding the picture (the compressed data is copied as is)."""
    from PIL import Image

    out = bytearray(data[:2])
    i = 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        if marker == 0xDA:  # start of scan: the rest is picture data
            break
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        seg = data[i + 4:i + 2 + length]
        if marker == 0xE1 and seg.startswith(b"Exif\x00\x00"):
            exif = Image.Exif()
            exif.load(seg)
            if GPS_IFD in exif:
                del exif[GPS_IFD]
            body = exif.tobytes()  # starts with Exif\0\0
            if len(body) + 2 <= 0xFFFF:
                out += b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body
        elif marker == 0xE1 and seg.startswith(_XMP_ID):
            pass  # XMP may carry the location too: dropped
        else:
            out += data[i:i + 2 + length]
        i += 2 + length
    out += data[i:]
    return bytes(out)


# --- videos (ISO base media / QuickTime) --------------------------------------------------

_EPOCH_1904 = dt.datetime(1904, 1, 1, tzinfo=dt.timezone.utc)
LOCATION_KEYS = (b"com.apple.quicktime.location.ISO6709", b"com.apple.quicktime.location.body",
                 b"com.apple.quicktime.location.name", b"com.apple.quicktime.location.note")


def _boxes(buf: bytearray, start: int, end: int):
    """(type, box start, payload start, box end) of the boxes in buf[start:end]."""
    i = start
    while i + 8 <= end:
        size = struct.unpack(">I", buf[i:i + 4])[0]
        btype = bytes(buf[i + 4:i + 8])
        header = 8
        if size == 1:
            if i + 16 > end:
                return
            size = struct.unpack(">Q", buf[i + 8:i + 16])[0]
            header = 16
        elif size == 0:
            size = end - i
        if size < header or i + size > end:
            return
        yield btype, i, i + header, i + size
        i += size


def _blank(buf: bytearray, box_start: int, payload: int, box_end: int) -> None:
    """Turn a box into a 'free' box with zeroed content (same length)."""
    buf[box_start + 4:box_start + 8] = b"free"
    buf[payload:box_end] = bytes(box_end - payload)


def _prepare_video(p: PreparedUpload, *, keep_gps: bool) -> None:
    """Find the movie header's creation time and any location atoms; blank them unless kept.

    1. Walk the top-level boxes; a file without 'moov' is not a playable video.
    2. moov/mvhd: creation time (seconds since 1904, UTC).
    3. Location: moov/udta/©xyz, and moov/meta keys named
       com.apple.quicktime.location.* with their ilst items (also in traks).
    """
    buf = bytearray(p.data)
    top = list(_boxes(buf, 0, len(buf)))
    if not top or top[0][0] != b"ftyp":
        raise ValidationError(_("“%(name)s”不是有效的视频文件。") % {"name": p.original_name})
    moov = next((b for b in top if b[0] == b"moov"), None)
    if moov is None:
        raise ValidationError(_("“%(name)s”不是完整的视频文件（缺少moov信息，可能未录完或已损坏）。") % {"name": p.original_name})
    found: list[tuple[int, int, int]] = []

    def scan(start: int, end: int) -> None:
        for btype, b0, pay, b1 in _boxes(buf, start, end):
            if btype == b"mvhd" and pay + 12 <= b1:
                version = buf[pay]
                secs = struct.unpack(">Q", buf[pay + 4:pay + 12])[0] if version == 1 else struct.unpack(">I", buf[pay + 4:pay + 8])[0]
                if secs and p.taken_at is None:
                    when = _EPOCH_1904 + dt.timedelta(seconds=secs)
                    if when.year >= 2000:
                        p.taken_at = when
                p.duration = p.duration if p.duration is not None else _mvhd_duration(buf, pay, b1)
            elif btype in (b"trak", b"udta", b"mdia", b"minf"):
                scan(pay, b1)
            elif btype == b"\xa9xyz":
                found.append((b0, pay, b1))
            elif btype == b"meta":
                _scan_meta(buf, pay, b1, found)

    scan(moov[2], moov[3])
    p.thumb = video_poster(p.duration)
    p.had_gps = bool(found)
    if found and keep_gps:
        p.gps_kept = True
    elif found:
        for b0, pay, b1 in found:
            _blank(buf, b0, pay, b1)
        p.data = bytes(buf)
        p.notes.append("gps_removed")


def _mvhd_duration(buf: bytearray, pay: int, end: int) -> float | None:
    """The movie's length in seconds from mvhd (timescale and duration), or None when unreadable."""
    try:
        if buf[pay] == 1:
            if pay + 32 > end:
                return None
            scale, length = struct.unpack(">IQ", buf[pay + 20:pay + 32])
        else:
            if pay + 20 > end:
                return None
            scale, length = struct.unpack(">II", buf[pay + 12:pay + 20])
    except struct.error:
        return None
    if not scale or length in (0, 0xFFFFFFFF, 0xFFFFFFFFFFFFFFFF):
        return None
    seconds = length / scale
    return round(seconds, 2) if 0 < seconds < 24 * 3600 else None


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    total = int(round(seconds))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def video_poster(duration: float | None, size: tuple[int, int] = (320, 180)) -> bytes:
    """A generic poster for a video: a play sign and, when the file says, its length.

    A frame of the video itself would need a video decoder (FFmpeg: the PyPI
    package `av` bundles FFmpeg's libraries), which this product does not
    ship; the poster tells a video apart at a glance in lists and galleries.
    """
    from PIL import Image, ImageDraw, ImageFont

    w, h = size
    im = Image.new("RGB", size, (38, 50, 64))
    d = ImageDraw.Draw(im)
    r = h // 5
    cx, cy = w // 2, h // 2
    d.ellipse((cx - r - 8, cy - r - 8, cx + r + 8, cy + r + 8), outline=(255, 255, 255), width=4)
    d.polygon([(cx - r // 2, cy - r * 2 // 3), (cx - r // 2, cy + r * 2 // 3), (cx + r * 3 // 4, cy)], fill=(255, 255, 255))
    text = format_duration(duration)
    if text:
        try:
            font = ImageFont.load_default(size=22)
        except TypeError:  # Pillow < 10.1
            font = ImageFont.load_default()
        box = d.textbbox((0, 0), text, font=font)
        tw, th = box[2] - box[0], box[3] - box[1]
        d.rectangle((w - tw - 20, h - th - 18, w - 6, h - 6), fill=(0, 0, 0))
        d.text((w - tw - 13, h - th - 14), text, fill=(255, 255, 255), font=font)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=85)
    return out.getvalue()


def _scan_meta(buf: bytearray, start: int, end: int, found: list) -> None:
    # QuickTime 'meta' has no version/flags; ISO 'meta' has 4 bytes of them before its children.
    children = list(_boxes(buf, start, end))
    if not children or children[0][0] not in (b"hdlr", b"keys", b"ilst", b"free"):
        children = list(_boxes(buf, start + 4, end))
    keys: dict[int, bytes] = {}
    for btype, _b0, pay, b1 in children:
        if btype == b"keys" and pay + 8 <= b1:
            count = struct.unpack(">I", buf[pay + 4:pay + 8])[0]
            i = pay + 8
            for index in range(1, count + 1):
                if i + 8 > b1:
                    break
                size = struct.unpack(">I", buf[i:i + 4])[0]
                if size < 8:
                    break
                keys[index] = bytes(buf[i + 8:i + size])
                i += size
    wanted = {i for i, k in keys.items() if k in LOCATION_KEYS or k.startswith(b"com.apple.quicktime.location")}
    for btype, _b0, pay, b1 in children:
        if btype == b"ilst":
            for itype, i0, ipay, i1 in _boxes(buf, pay, b1):
                if struct.unpack(">I", itype)[0] in wanted or itype == b"\xa9xyz":
                    found.append((i0, ipay, i1))


# --- storage -------------------------------------------------------------------------------

EVIDENCE_DIR = "outreach/evidence"


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def write_new(data: bytes, extension: str, *, when: dt.date | None = None, folder: str = EVIDENCE_DIR,
              prefix: str = "") -> str:
    """Write bytes under a fresh random name (after `prefix`); return the path relative to MEDIA_ROOT."""
    when = when or timezone.localdate()
    rel_dir = f"{folder}/{when:%Y}/{when:%m}"
    folder = media_root() / rel_dir
    folder.mkdir(parents=True, exist_ok=True)
    while True:
        rel = f"{rel_dir}/{prefix}{secrets.token_urlsafe(18)}.{extension}"
        try:
            fd = os.open(media_root() / rel, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        except FileExistsError:  # pragma: no cover - 144 random bits
            continue
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        return rel


def path_of(rel: str) -> Path:
    """Absolute path of a stored file; refuses anything outside MEDIA_ROOT."""
    root = media_root().resolve()
    path = (root / rel).resolve()
    if root not in path.parents:
        raise ValueError("path outside MEDIA_ROOT")
    return path


def remove_quietly(*rels: str) -> None:
    for rel in rels:
        if rel:
            try:
                path_of(rel).unlink()
            except (OSError, ValueError):
                pass


def with_files(work):
    """Run `work(written)` in a transaction, `written` being the list it adds each stored file to; when it fails,
    the files it wrote are removed, so a failed write leaves neither rows nor files."""
    from django.db import transaction

    written: list[str] = []
    try:
        with transaction.atomic():
            return work(written)
    except BaseException:
        remove_quietly(*written)
        raise
