"""The public report form, the receipt and the progress lookup: no login, abuse-protected, only public fields."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve

import pytest

from fanzha.clues import public, services
from fanzha.clues.models import Clue, ClueSubject, Source, Status
from fanzha.clues.tests.conftest import form_fields, make_clue, png_bytes, public_post
from fanzha.core import pii

pytestmark = pytest.mark.django_db


def test_form_opens_without_login_and_is_marked_public(client, tree):
    """Anyone opens the form at /report/<street>/; every public address is marked public in the access table."""
    r = client.get("/report/S/")
    assert r.status_code == 200 and "举报诈骗线索" in r.content.decode() and "等于几" in r.content.decode()
    for url in ("/report/", "/report/S/", "/report/S/done/", "/report/S/qr.svg", "/report/S/poster/", "/r/"):
        assert resolve(url).func.fanzha_access == "public"


def test_submit_gives_a_receipt_and_stores_the_clue(client, tree):
    """A valid report is stored (placed at the chosen community, numbers hashed) and its receipt is shown once."""
    r = public_post(client, {"community": tree.c1.pk, "phones": "+86 139-1234-5678", "urls": "HTTPS://www.Bad.example/",
                             "reporter_name": "王阿姨", "reporter_phone": "13800001111"}, REMOTE_ADDR="10.0.0.1")
    assert r.status_code == 302 and r["Location"] == "/report/S/done/"
    assert re.fullmatch(r"app;dur=[\d.]+, cpu;dur=[\d.]+(, dbwait;dur=[\d.]+)?", r["Server-Timing"])  # own time (+ SQLite write-lock wait)
    clue = Clue.objects.get()
    assert (clue.source, clue.status, clue.community_id, clue.street_id) == (Source.PUBLIC, Status.NEW, tree.c1.pk, tree.street.pk)
    assert clue.reporter_name == "王阿姨" and clue.reporter_phone == "13800001111" and clue.reporter_phone_masked == "138****1111"
    hashes = set(ClueSubject.objects.values_list("value_hash", flat=True))
    assert pii.lookup_hash("phone", "13912345678") in hashes
    assert "13912345678" not in str(list(ClueSubject.objects.values_list("value_enc", "shown")))
    done = client.get(r["Location"])
    assert clue.receipt_display in done.content.decode()
    assert len(clue.receipt_code) == 12 and clue.receipt_code.isdigit()


def test_anonymous_report_keeps_no_name_or_phone(client, tree):
    """Ticking anonymous drops the name and phone even when typed."""
    public_post(client, {"anonymous": "on", "reporter_name": "李", "reporter_phone": "13800001111"})
    clue = Clue.objects.get()
    assert clue.anonymous and clue.reporter_name == "" and clue.reporter_phone_enc == ""


def test_receipt_codes_are_not_sequential(tree):
    """Receipt codes are random 12-digit numbers, not counters."""
    codes = [make_clue(tree.street).receipt_code for _ in range(5)]
    assert len(set(codes)) == 5 and all(len(c) == 12 for c in codes)
    assert sorted(codes) != codes or sorted(codes, reverse=True) != codes or len({int(b) - int(a) for a, b in zip(codes, codes[1:])}) > 1


def test_wrong_answer_keeps_what_was_typed(client, tree):
    """A wrong sum is refused with a clear message; everything typed is still in the form, with a new sum."""
    fields = form_fields(client)
    r = client.post("/report/S/", {"summary": "骗子电话 <b>95188</b>", "place_text": "菜市场", "phones": "95188",
                                   "token": fields["token"], "answer": str(int(fields["answer"]) + 1)})
    assert r.status_code == 400 and not Clue.objects.exists()
    body = r.content.decode()
    assert "算术题答案不对" in body and "菜市场" in body and "骗子电话 &lt;b&gt;95188&lt;/b&gt;" in body
    assert r.context["form"]["token"].value() != fields["token"]


def test_busy_database_keeps_the_report_and_asks_again(client, tree, monkeypatch, settings, tmp_path):
    """When the database is too busy to take the report (SQLite's write lock timed out), the reporter gets the form
    back with everything typed and a plain 'try again', not an error page; nothing half-stored stays behind."""
    from django.db import OperationalError

    settings.MEDIA_ROOT = str(tmp_path)

    from fanzha.clues import public_views

    def locked(*args, **kw):
        raise OperationalError("database is locked")

    monkeypatch.setattr(public_views, "save_clue", locked)
    r = public_post(client, {"summary": "冒充客服退款", "place_text": "幸福小区"},
                    files={"photos": SimpleUploadedFile("a.png", png_bytes(), "image/png")}, REMOTE_ADDR="10.0.0.9")
    assert r.status_code == 503 and not Clue.objects.exists()
    body = r.content.decode()
    assert "系统繁忙" in body and "冒充客服退款" in body and "幸福小区" in body
    assert r.context["form"]["token"].value()  # a fresh sum to answer
    assert not [f for f in tmp_path.rglob("*") if f.is_file()]  # the photo written before the refusal is gone
    monkeypatch.undo()
    assert public_post(client, {"summary": "冒充客服退款"}, REMOTE_ADDR="10.0.0.9").status_code == 302  # the retry


def test_challenge_token_is_single_use_and_honeypot_refused(client, tree):
    """The same form (token) cannot be submitted twice, and a filled honeypot is refused."""
    fields = form_fields(client)
    data = {"summary": "第一次", **fields}
    assert client.post("/report/S/", data).status_code == 302
    r = client.post("/report/S/", {**data, "summary": "重放"})
    assert r.status_code == 400 and "已经提交过" in r.content.decode() and Clue.objects.count() == 1
    r = public_post(client, {"website": "http://spam.example"})
    assert r.status_code == 400 and Clue.objects.count() == 1


def test_challenge_rejects_fast_and_forged_tokens(settings):
    """Tokens must be signed by us and be a few seconds old."""
    settings.FANZHA_CLUE_MIN_FILL_SECONDS = 3
    ch = public.new_challenge(now=1000.0)
    q = ch.question
    from fanzha.clues.tests.conftest import solve

    assert public.check_challenge(ch.token, solve(q), now=1001.0)[0] is None
    assert public.check_challenge(ch.token, solve(q), now=1004.0)[0] is not None
    assert public.check_challenge(ch.token + "x", solve(q), now=1004.0)[0] is None


def test_rate_limit_per_address(client, tree):
    """The sixth report within the hour from one address is refused (429); another address still may report."""
    for i in range(5):
        assert public_post(client, {"summary": f"第{i}条"}, REMOTE_ADDR="10.9.9.9").status_code == 302
    r = public_post(client, {"summary": "第六条"}, REMOTE_ADDR="10.9.9.9")
    assert r.status_code == 429 and "次数过多" in r.content.decode()
    assert public_post(client, {"summary": "别处"}, REMOTE_ADDR="10.9.9.8").status_code == 302
    assert Clue.objects.count() == 6


def test_size_cap(client, tree, settings):
    """A request bigger than the cap is refused before it is read (413)."""
    settings.FANZHA_CLUE_MAX_MB = 1
    fields = form_fields(client)
    big = SimpleUploadedFile("a.png", b"\x89PNG" + b"0" * (1_100_000), content_type="image/png")
    r = client.post("/report/S/", {"summary": "大文件", **fields, "photos": big})
    assert r.status_code == 413 and not Clue.objects.exists()


def test_photo_is_checked_like_evidence(client, tree):
    """A real photo is stored with a thumbnail; a text file named .jpg is refused and the text kept."""
    ok = SimpleUploadedFile("shot.png", png_bytes(), content_type="image/png")
    assert public_post(client, {"summary": "有照片", "photos": ok}).status_code == 302
    f = Clue.objects.get().files.get()
    assert f.kind == "image" and f.thumb_path and f.content_type == "image/png"
    fake = SimpleUploadedFile("shot.jpg", b"not an image at all", content_type="image/jpeg")
    r = public_post(client, {"summary": "假照片", "photos": fake})
    assert r.status_code == 400 and "不是可识别的照片" in r.content.decode() and "假照片" in r.content.decode()
    assert Clue.objects.count() == 1


def test_lookup_shows_only_public_fields(client, tree, personas):
    """The lookup shows status and the public answer, never names, internal notes or the department's words."""
    c = make_clue(tree.g1, reporter_name="王秘密", summary="内部内容XYZ", note="内部备注ABC")
    services.clue_check(clue=c, user=personas.office, verdict="real", note="核查说明QQQ")
    services.clue_close(clue=c, user=personas.office, outcome="dissuaded", public_outcome="已劝阻，谢谢",
                        note="办结说明RRR")
    r = client.post("/r/", {"code": c.receipt_display})
    body = r.content.decode()
    assert r.status_code == 200 and "已办结" in body and "已劝阻，谢谢" in body
    for secret in ("王秘密", "内部内容XYZ", "内部备注ABC", "核查说明QQQ", "办结说明RRR", "office"):
        assert secret not in body


def test_unknown_malformed_and_guessed_codes_answer_alike(client, tree):
    """Unknown, malformed and guessed codes all answer 'not found' the same way."""
    make_clue(tree.street)
    answers = {(client.post("/r/", {"code": code}).status_code,) for code in ("123456789012", "12", "abc", "999999999999")}
    assert answers == {(404,)}
    r = client.post("/r/", {"code": "123456789012"})
    assert "没有查到" in r.content.decode()


def test_lookup_is_rate_limited(client, tree, settings):
    """Past the lookup limit an address gets 429 even for a right code: no way to enumerate."""
    settings.FANZHA_CLUE_LOOKUP_LIMIT = 3
    c = make_clue(tree.street)
    for _ in range(3):
        client.post("/r/", {"code": "111111111111"}, REMOTE_ADDR="10.1.1.1")
    assert client.post("/r/", {"code": c.receipt_code}, REMOTE_ADDR="10.1.1.1").status_code == 429
    assert client.post("/r/", {"code": c.receipt_code}, REMOTE_ADDR="10.1.1.2").status_code == 200


def test_merged_receipt_follows_the_clue_it_was_merged_into(client, tree, personas):
    """After a merge both receipts work; the duplicate's shows the surviving clue's progress."""
    a = make_clue(tree.g1, subjects=[("phone", "13912345678")])
    b = make_clue(tree.g1, subjects=[("phone", "139 1234 5678")])
    services.clue_check(clue=a, user=personas.office, verdict="real")
    services.clue_check(clue=b, user=personas.office, verdict="duplicate", duplicate_of=a)
    services.clue_close(clue=Clue.objects.get(pk=a.pk), user=personas.office, outcome="case_opened")
    for code in (a.receipt_code, b.receipt_code):
        found = public.lookup(code)
        assert found["status"] == Status.CLOSED and "立案" in found["public_outcome"]
    assert public.lookup(b.receipt_code)["merged"] is True


def test_qr_code_and_poster(client, tree):
    """The QR image encodes the form's address; the poster page shows it for printing."""
    r = client.get("/report/S/qr.svg")
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml" and r.content.startswith(b"<svg")
    p = client.get("/report/S/poster/")
    assert p.status_code == 200 and "http://testserver/report/S/" in p.content.decode()
    assert client.get("/report/NOPE/").status_code == 404


def test_index_lists_streets(client, tree):
    """The short /report/ address lists the streets when there are several."""
    body = client.get("/report/").content.decode()
    assert "西门街道" in body and "东门街道" in body


def test_english_pages_render(client, tree):
    """With the language switch on English the public form still works (the sum in digits)."""
    from django.conf import settings as dj

    client.cookies[dj.LANGUAGE_COOKIE_NAME] = "en"
    r = client.get("/report/S/")
    assert r.status_code == 200 and r.context["question"].startswith("What is ") and "Report a fraud" in r.content.decode()
    assert public_post(client, {"summary": "English report"}).status_code == 302


def test_address_behind_the_trusted_proxy(rf, settings):
    """Behind the trusted proxy the reporter's own address counts; a forged header from elsewhere does not."""
    settings.FANZHA_TRUSTED_PROXY = "127.0.0.1"
    r = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.9")
    assert public.client_address(r) == "10.0.0.9"
    r = rf.get("/", REMOTE_ADDR="8.8.8.8", HTTP_X_FORWARDED_FOR="10.0.0.9")
    assert public.client_address(r) == "8.8.8.8"
