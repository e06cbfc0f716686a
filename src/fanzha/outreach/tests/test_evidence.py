"""Evidence uploads: type sniffed from content, name must match, size limit, EXIF time kept, GPS stripped."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from fanzha.outreach import evidence as ev
from fanzha.outreach import services
from fanzha.outreach.models import Activity, Evidence, OutreachSetting
from fanzha.outreach.tests.conftest import (
    EXIF_IFD,
    GPS_IFD,
    jpeg_bytes,
    mp4_bytes,
    png_bytes,
    upload,
    webp_bytes,
)


def _data(**kw):
    base = dict(held_on=dt.date(2026, 11, 20), place="东关社区广场", organiser="东关社区", kind="concentrated",
                venue="community", audiences=["elderly"], participants=50, materials=200,
                fraud_types=["rebate_task", "fake_investment"], summary="")
    base.update(kw)
    return services.ActivityData(**base)


def test_sniff_types():
    """The type comes from the first bytes, not from the name."""
    assert ev.sniff(jpeg_bytes()[:64]) == "jpeg"
    assert ev.sniff(png_bytes()[:64]) == "png"
    assert ev.sniff(webp_bytes()[:64]) == "webp"
    assert ev.sniff(mp4_bytes()[:64]) == "mp4"
    assert ev.sniff(mp4_bytes(brand=b"qt  ")[:64]) == "mov"
    assert ev.sniff(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic") == "heic"
    assert ev.sniff(b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00mif1avif") is None
    assert ev.sniff(b"%PDF-1.7\n") is None
    assert ev.sniff(b"MZ\x90\x00") is None


def test_jpeg_keeps_exif_time_and_loses_gps(settings):
    """A JPEG with GPS is re-encoded without it; DateTimeOriginal survives and becomes taken_at."""
    p = ev.prepare(upload("IMG_0001.JPG", jpeg_bytes()))
    assert p.kind == "image" and p.type == "jpeg" and p.had_gps and not p.gps_kept
    stored = Image.open(io.BytesIO(p.data))
    exif = stored.getexif()
    assert not exif.get_ifd(GPS_IFD) and GPS_IFD not in exif
    assert exif.get_ifd(EXIF_IFD)[0x9003] == "2026:11:20 10:11:12"
    assert p.taken_at.isoformat().startswith("2026-11-20T10:11:12")
    assert p.thumb and Image.open(io.BytesIO(p.thumb)).size[0] <= 480
    assert not Image.open(io.BytesIO(p.thumb)).getexif()


def test_gps_kept_when_the_office_turns_it_on(tree):
    """With the street's keep-GPS setting on, the file is stored as uploaded."""
    OutreachSetting.objects.create(street=tree.street, keep_gps=True)
    raw = jpeg_bytes()
    a = services.activity_record(user=None, node=tree.c1, data=_data(), files=[upload("a.jpg", raw)],
                                 today=dt.date(2026, 11, 23))
    e = a.evidence.get()
    assert e.gps_kept and e.had_gps
    assert ev.path_of(e.file).read_bytes() == raw
    assert Image.open(ev.path_of(e.file)).getexif().get_ifd(GPS_IFD)


def test_without_gps_the_original_bytes_are_stored(tree):
    """A photo without location is kept byte for byte (no needless re-encoding)."""
    raw = jpeg_bytes(gps=False)
    a = services.activity_record(user=None, node=tree.c1, data=_data(), files=[upload("a.jpeg", raw)],
                                 today=dt.date(2026, 11, 23))
    e = a.evidence.get()
    assert ev.path_of(e.file).read_bytes() == raw and not e.had_gps


def test_files_are_stored_under_media_root_with_random_names(tree, settings):
    """Files go under MEDIA_ROOT/outreach/evidence/ with names unrelated to the upload's."""
    a = services.activity_record(user=None, node=tree.c1, data=_data(),
                                 files=[upload("我的照片.png", png_bytes()), upload("clip.mp4", mp4_bytes())],
                                 today=dt.date(2026, 11, 23))
    rows = list(a.evidence.order_by("id"))
    assert [e.kind for e in rows] == ["image", "video"]
    for e in rows:
        path = ev.path_of(e.file)
        assert Path(settings.MEDIA_ROOT).resolve() in path.parents and path.exists()
        assert "我的照片" not in e.file and "clip" not in e.file and e.file.startswith("outreach/evidence/")
    assert rows[0].thumb and rows[1].thumb  # the video gets a generic poster (no decoder shipped)
    assert rows[0].original_name == "我的照片.png"


@pytest.mark.parametrize("name, content, fragment", [
    ("photo.png", jpeg_bytes(), "内容是JPEG图片"),
    ("photo.jpg", png_bytes(), "内容是PNG图片"),
    ("video.mp4", jpeg_bytes(), "内容是JPEG图片"),
    ("photo.jpg", b"%PDF-1.7 fake", "不是可识别的照片或视频"),
    ("notes.txt", b"hello", "不是可识别的照片或视频"),
    ("photo.exe", jpeg_bytes(), "不是照片或视频的扩展名"),
    ("photo", jpeg_bytes(), "不是照片或视频的扩展名"),
    ("broken.jpg", jpeg_bytes()[:300], "不是完整有效的图片"),
    ("empty.jpg", b"", "空文件"),
    ("moovless.mp4", mp4_bytes()[:40], "不是"),
])
def test_refused_uploads(name, content, fragment):
    """An upload that is not what its name says, or not a photo/video at all, is refused with the reason."""
    with pytest.raises(ValidationError) as e:
        ev.prepare(upload(name, content))
    assert fragment in " ".join(e.value.messages), e.value.messages


def test_heic_refused_with_a_way_out_when_unsupported(monkeypatch):
    """HEIC is accepted only when Pillow can read it; otherwise the message says what to do."""
    monkeypatch.setattr(ev, "heic_supported", lambda: False)
    with pytest.raises(ValidationError) as e:
        ev.prepare(upload("IMG_1.HEIC", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(100)))
    assert "HEIC" in e.value.messages[0] and "兼容性最佳" in e.value.messages[0]


def test_oversized_upload_refused(settings):
    """Past the size limit: refused, naming the limit."""
    settings.FANZHA_EVIDENCE_MAX_MB = 1
    big = jpeg_bytes(size=(2600, 2600), color="blue") + bytes(1024 * 1024)
    with pytest.raises(ValidationError) as e:
        ev.prepare(upload("big.jpg", big))
    assert "超过1 MB" in e.value.messages[0]


def test_mp4_location_blanked_and_creation_time_kept():
    """The QuickTime ©xyz atom is blanked in place; mvhd's creation time is taken_at."""
    raw = mp4_bytes()
    p = ev.prepare(upload("clip.MP4", raw))
    assert p.type == "mp4" and p.had_gps and not p.gps_kept
    assert b"+39.9042" not in p.data and b"\xa9xyz" not in p.data and len(p.data) == len(raw)
    assert p.taken_at == dt.datetime(2026, 11, 20, 2, 11, 12, tzinfo=dt.timezone.utc)
    mov = ev.prepare(upload("clip.mov", mp4_bytes(brand=b"qt  ", location=None)))
    assert mov.type == "mov" and not mov.had_gps and mov.content_type == "video/quicktime"


def test_a_bad_file_saves_nothing(tree, settings):
    """One refused file among good ones: no activity, no evidence rows, no files left behind."""
    with pytest.raises(ValidationError) as e:
        services.activity_record(user=None, node=tree.c1, data=_data(),
                                 files=[upload("ok.jpg", jpeg_bytes()), upload("fake.png", jpeg_bytes())],
                                 today=dt.date(2026, 11, 23))
    assert "files" in e.value.message_dict
    assert not Activity.objects.exists() and not Evidence.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
