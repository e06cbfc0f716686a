"""Pages anyone may open without an account: the report form, the receipt, the progress lookup, the QR code."""

from __future__ import annotations

import logging
import time

from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from fanzha.clues import public
from fanzha.clues.forms import LookupForm, PublicReportForm
from fanzha.clues.models import Kind, Source
from fanzha.clues.services import store_files
from fanzha.clues.services.intake import prepare_clue, save_clue
from fanzha.clues.services.intake import remove_files
from fanzha.clues.subjects import pairs_from_texts
from fanzha.core.access import public_view
from fanzha.org.models import Level, Node


RECEIPT_COOKIE = "fz_receipt"

logger = logging.getLogger(__name__)


class RateLimited(Exception):
    pass


def _streets():
    return Node.objects.filter(level=Level.STREET).order_by("sort", "code")


def _street(code: str) -> Node:
    return get_object_or_404(Node, level=Level.STREET, code=code)


def report_url(request, street: Node) -> str:
    return request.build_absolute_uri(reverse("clues_public:report", args=[street.code]))


@public_view
@require_safe
def report_index(request):
    """The short address on a county-wide poster: one street goes straight to its form."""
    streets = list(_streets()[:500])
    if len(streets) == 1:
        return redirect("clues_public:report", code=streets[0].code)
    return render(request, "clues/public/index.html", {"streets": streets})


def _field_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errs in error.error_dict.items():
            for e in errs:
                form.add_error(field if field in form.fields else None, e)
    else:
        for m in error.messages:
            form.add_error(None, m)


@public_view
@never_cache
@require_http_methods(["GET", "POST"])
def report(request, code: str):
    """The public report form: anonymous allowed, rate limited, with a small sum as the challenge.

    A refused form is shown again with everything typed kept (only photos must
    be chosen again: browsers never refill a file box) and a new sum.
    """
    started, cpu_started = time.perf_counter(), time.thread_time()
    waited = getattr(connection, "write_wait", None)  # SQLite (fanzha's backend): time getting the write lock
    street = _street(code)
    communities = list(Node.objects.filter(parent=street, level=Level.COMMUNITY).order_by("sort", "code"))
    status = 200
    if request.method == "POST":
        if public.too_big(request):
            return _too_big(request, street, communities)
        address = public.client_address(request) or ""
        data = request.POST.copy()
        challenge = public.new_challenge()
        form = PublicReportForm(data, communities=communities)
        if form.is_valid():
            cd = form.cleaned_data
            nonce, why = public.check_challenge(cd["token"], cd["answer"])
            if cd["website"]:
                nonce, why = None, _("提交未成功，请稍后再试")
            if nonce is None:
                if not public.hit("submit-try", address, limit=30, window_seconds=3600):
                    return _limited(request, street, status=429)
                form.add_error("answer", why)
            else:
                node = next((c for c in communities if c.pk == cd["community"]), street)
                stored: list[dict] = []
                try:
                    # Photos are checked and written first, outside the write transaction; the rate-limit
                    # count and the clue are then one short transaction (one write lock per report).
                    # The checks and the encryption too (prepare_clue): the transaction only writes.
                    stored = store_files(request.FILES.getlist("photos")[:20])
                    new = prepare_clue(
                        source=Source.PUBLIC, node=node, summary=cd["summary"], kind=cd["kind"] or Kind.OTHER,
                        place_text=cd["place_text"], occurred_on=cd["occurred_on"],
                        subjects=pairs_from_texts(phones=cd["phones"], accounts=cd["accounts"], urls=cd["urls"],
                                                  apps=cd["apps"]),
                        reporter_name=cd["reporter_name"], reporter_phone=cd["reporter_phone"],
                        anonymous=cd["anonymous"], stored_files=stored, challenge_nonce=nonce)
                    with transaction.atomic():
                        if not public.submit_allowed(address):
                            raise RateLimited
                        clue = save_clue(new)
                except RateLimited:
                    remove_files(stored)
                    public.submit_allowed(address)  # the refused attempt still counts
                    return _limited(request, street, status=429)
                except ValidationError as e:
                    remove_files(stored)
                    _field_errors(form, e)
                except OperationalError:
                    # The database is overloaded (SQLite waited its busy timeout for the write lock): say so and
                    # keep what was typed, instead of an error page that loses the report.
                    logger.exception("public clue submission: database busy")
                    remove_files(stored)
                    form.add_error(None, _("系统繁忙，这次没有提交成功。您填写的内容还在，请稍等片刻再点一次“提交举报”"))
                    status = 503
                else:
                    response = redirect("clues_public:done", code=street.code)
                    # The receipt travels in a signed, short-lived cookie: no session row to write.
                    response.set_signed_cookie(RECEIPT_COOKIE, clue.receipt_code, salt=RECEIPT_COOKIE, max_age=3600,
                                               httponly=True, samesite="Lax", secure=request.is_secure(),
                                               path=reverse("clues_public:done", args=[street.code]))
                    # The view's own time (wall and CPU), as the standard Server-Timing header: what the 50-client
                    # benchmark compares with its target, apart from time spent queued for a busy machine's cores.
                    response["Server-Timing"] = (f"app;dur={(time.perf_counter() - started) * 1000:.1f}, "
                                                 f"cpu;dur={(time.thread_time() - cpu_started) * 1000:.1f}")
                    if waited is not None:
                        response["Server-Timing"] += f", dbwait;dur={(connection.write_wait - waited) * 1000:.1f}"
                    return response
        data["token"] = challenge.token
        data["answer"] = ""
        form.data = data
        status = status if status == 503 else 400
    else:
        challenge = public.new_challenge()
        form = PublicReportForm(initial={"token": challenge.token}, communities=communities)
    return render(request, "clues/public/report.html", {"form": form, "street": street, "question": challenge.question,
                                                         "photos_dropped": request.method == "POST" and bool(request.FILES)},
                  status=status)


def _too_big(request, street, communities):
    return render(request, "clues/public/message.html", {
        "street": street, "title": _("内容太大了"),
        "text": _("照片或视频加起来超过%(mb)d MB，请少选几张，或者只拍最重要的一张。") % {"mb": public.max_request_bytes() >> 20},
        "back": reverse("clues_public:report", args=[street.code])}, status=413)


def _limited(request, street, status=429):
    return render(request, "clues/public/message.html", {
        "street": street, "title": _("提交次数太多"),
        "text": _("同一网络一小时内提交次数过多，请稍后再试。情况紧急请直接拨打 110，或拨打 96110 反诈专线。"),
        "back": reverse("clues_public:report", args=[street.code])}, status=status)


@public_view
@never_cache
@require_safe
def done(request, code: str):
    """The receipt, shown once after submitting (kept in the session, never in the address)."""
    street = _street(code)
    receipt = request.get_signed_cookie(RECEIPT_COOKIE, default=None, salt=RECEIPT_COOKIE, max_age=3600)
    if not receipt:
        return redirect("clues_public:report", code=street.code)
    shown = f"{receipt[:4]} {receipt[4:8]} {receipt[8:]}"
    return render(request, "clues/public/done.html", {"street": street, "receipt": shown,
                                                       "receipt_spoken": " ".join(receipt)})


@public_view
@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request):
    """Progress by receipt code (POST, so codes stay out of addresses and logs); unknown = not found, rate limited."""
    result = None
    not_found = False
    status = 200
    if request.method == "POST":
        form = LookupForm(request.POST)
        if not public.lookup_allowed(public.client_address(request) or ""):
            form.is_valid()
            return render(request, "clues/public/lookup.html", {"form": form, "limited": True}, status=429)
        if form.is_valid():
            result = public.lookup(form.cleaned_data["code"])
            not_found = result is None
            status = 404 if not_found else 200
    else:
        form = LookupForm()
    return render(request, "clues/public/lookup.html", {"form": form, "result": result, "not_found": not_found},
                  status=status)


@public_view
@require_safe
def qr_svg(request, code: str):
    """The QR code of a street's report form as SVG (scales to any poster size)."""
    import segno

    street = _street(code)
    qr = segno.make(report_url(request, street), error="m")
    svg = qr.svg_inline(scale=10, border=2, dark="#000", light="#fff", omitsize=True)
    resp = HttpResponse(svg, content_type="image/svg+xml")
    resp["Cache-Control"] = "public, max-age=3600"
    return resp


@public_view
@require_safe
def poster(request, code: str):
    """A page to print and put up: the QR code, the short address and how to report."""
    street = _street(code)
    return render(request, "clues/public/poster.html", {"street": street, "url": report_url(request, street),
                                                         "lookup_url": request.build_absolute_uri(reverse("clues_public:lookup"))})
