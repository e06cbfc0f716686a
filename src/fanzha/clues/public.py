"""The public side of clues: protection against abuse, and the receipt-code lookup.

No outside service is used:

- **Rate limit** per address: a counter row per (purpose, keyed hash of the
  address, time window) in the database, so every web process shares it; one
  conditional UPDATE per request (an INSERT the first time in a window).
- **Challenge**: a small sum in words ("3 加 5 等于几？") that a screen reader
  reads and an elderly reporter can do; the form carries a signed token with
  a nonce, the issue time and an HMAC of the answer (the answer is not in the
  token). The token is used once (the nonce is stored on the clue, unique), must
  be at least a few seconds old (bots post at once) and at most two hours.
  A hidden honeypot field catches form-filling robots.
- **Size cap**: the request's Content-Length is checked before the body is
  read; photos are checked like outreach evidence.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.core.audit import client_ip
from fanzha.clues.models import PUBLIC_STATUS, Clue, PublicHit, Status
from fanzha.clues.services.intake import RECEIPT_DIGITS, normalise_receipt

CHALLENGE_SALT = "fanzha.clues.challenge"
CHALLENGE_MAX_AGE = 2 * 3600
NUMBERS = "零一二三四五六七八九十"


def setting(name: str, default):
    return getattr(settings, name, default)


def max_request_bytes() -> int:
    return int(setting("FANZHA_CLUE_MAX_MB", 20)) * 1024 * 1024


def too_big(request) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > max_request_bytes()
    except ValueError:
        return True


# --- rate limit ---------------------------------------------------------------------------


def client_address(request) -> str:
    """The reporter's address, as the audit log sees it (behind the trusted proxy: X-Forwarded-For)."""
    return client_ip(request) or ""


def _address_hash(address: str) -> str:
    from fanzha.core import pii

    return pii.lookup_hash("clue-addr", address or "-")[:20]


def hit(purpose: str, address: str, *, limit: int, window_seconds: int, now: dt.datetime | None = None) -> bool:
    """Count one request; True while the address is within `limit` requests in the current window."""
    now = now or timezone.now()
    epoch = int(now.timestamp()) // window_seconds
    key = f"{purpose}:{_address_hash(address)}:{epoch}"
    expires = dt.datetime.fromtimestamp((epoch + 1) * window_seconds, tz=dt.timezone.utc)
    n = PublicHit.objects.filter(key=key).update(count=F("count") + 1)
    if not n:
        try:
            with transaction.atomic():
                PublicHit.objects.create(key=key, count=1, expires_at=expires)
        except IntegrityError:  # another request of the same address created it a moment ago
            PublicHit.objects.filter(key=key).update(count=F("count") + 1)
    count = PublicHit.objects.filter(key=key).values_list("count", flat=True).first() or 0
    return count <= limit


def submit_allowed(address: str, now: dt.datetime | None = None) -> bool:
    return hit("submit", address, limit=int(setting("FANZHA_CLUE_SUBMIT_LIMIT", 5)),
               window_seconds=int(setting("FANZHA_CLUE_SUBMIT_WINDOW", 3600)), now=now)


def lookup_allowed(address: str, now: dt.datetime | None = None) -> bool:
    return hit("lookup", address, limit=int(setting("FANZHA_CLUE_LOOKUP_LIMIT", 20)),
               window_seconds=int(setting("FANZHA_CLUE_LOOKUP_WINDOW", 600)), now=now)


# --- challenge ----------------------------------------------------------------------------


def _answer_mac(nonce: str, answer: int) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{CHALLENGE_SALT}:{nonce}:{answer}".encode(), hashlib.sha256).hexdigest()[:20]


def _words(n: int) -> str:
    """Chinese numerals on Chinese pages (read aloud naturally by screen readers), digits otherwise."""
    from django.utils.translation import get_language

    return NUMBERS[n] if n <= 10 and (get_language() or "zh").startswith("zh") else f"{n}"


@dataclass(frozen=True)
class Challenge:
    question: str
    token: str


def new_challenge(now: float | None = None) -> Challenge:
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    nonce = secrets.token_hex(12)
    token = signing.dumps({"n": nonce, "t": int(now if now is not None else time.time()), "h": _answer_mac(nonce, a + b)},
                          salt=CHALLENGE_SALT, compress=False)
    question = _("%(a)s 加 %(b)s 等于几？（请填数字）") % {"a": _words(a), "b": _words(b)}
    return Challenge(question=question, token=token)


def check_challenge(token: str, answer: str, now: float | None = None) -> tuple[str | None, str]:
    """(nonce, "") when the answer is right and the token fresh; (None, reason) otherwise."""
    now = now if now is not None else time.time()
    try:
        data = signing.loads(token or "", salt=CHALLENGE_SALT, max_age=CHALLENGE_MAX_AGE)
    except signing.SignatureExpired:
        return None, _("表单打开太久了，请重新回答下面的算术题")
    except signing.BadSignature:
        return None, _("请回答下面的算术题")
    text = "".join(ch for ch in (answer or "") if ch.isdigit())
    if not text or len(text) > 3 or not hmac.compare_digest(_answer_mac(data["n"], int(text)), data["h"]):
        return None, _("算术题答案不对，请再算一次")
    if now - data["t"] < float(setting("FANZHA_CLUE_MIN_FILL_SECONDS", 3)):
        return None, _("提交太快了，请稍等几秒再提交")
    return data["n"], ""


# --- receipt lookup --------------------------------------------------------------------------


def lookup(code: str) -> dict | None:
    """The public view of a clue by receipt code, or None (unknown, malformed and guessed codes alike).

    Only public fields: status in plain words, the public answer once closed,
    and dates. A merged duplicate answers with the clue it was merged into.
    """
    code = normalise_receipt(code)
    if len(code) != RECEIPT_DIGITS:
        return None
    clue = Clue.objects.filter(receipt_code=code).only(
        "receipt_code", "status", "received_at", "updated_at", "public_outcome", "merged_into_id", "closed_at").first()
    if clue is None:
        return None
    asked = clue
    for _hop in range(5):
        if clue.status != Status.MERGED or not clue.merged_into_id:
            break
        clue = Clue.objects.only("receipt_code", "status", "received_at", "updated_at", "public_outcome",
                                 "merged_into_id", "closed_at").get(pk=clue.merged_into_id)
    status = clue.status if clue.status in PUBLIC_STATUS else Status.NEW
    return {
        "receipt": asked.receipt_display,
        "received_on": timezone.localtime(asked.received_at).date(),
        "status": status,
        "status_label": str(PUBLIC_STATUS[status]),
        "closed": status == Status.CLOSED,
        "public_outcome": clue.public_outcome if status == Status.CLOSED else "",
        "updated_on": timezone.localtime(max(asked.updated_at, clue.updated_at)).date(),
        "merged": asked.pk != clue.pk,
    }
