"""Limits on exact number searches (ID number, phone number, last four digits of a phone).

A role that cannot reveal numbers sees them masked; without a limit it could
recover a full phone number by guessing the four hidden digits through the
exact-match search. So every exact search:

- takes one from the user's allowance for the current minute and day
  (`FANZHA_SEARCH_PER_MINUTE` / `FANZHA_SEARCH_PER_DAY` for roles without
  `org.reveal_pii`, `FANZHA_SEARCH_REVEAL_PER_MINUTE` / `..._REVEAL_PER_DAY`
  for those with it); over the limit it raises `SearchLimited` (429 in the API,
  a message on the page with the typed query kept);
- is written to the audit log (who, when, which kind, hit or miss, and the
  first characters of the keyed hash, never the number);
- counts its misses; the `FANZHA_SEARCH_MISS_NOTICE`-th miss of a user in a day
  notifies the office of the user's street (once per threshold crossing).

The counter is a row per (user, window) in the database, shared by every worker
process; the allowance is taken with a conditional UPDATE whose row count says
whether it was granted, so concurrent requests cannot overrun it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import HttpError

from fanzha.core.audit import audit
from fanzha.core.models import AuditAction, SearchCounter

NUMBER_KINDS = ("id", "phone", "tail")
KIND_LABEL = {"id": "id", "phone": "phone", "tail": "phone_tail", "create": "id_create"}


class SearchLimited(HttpError):
    """Too many exact number searches in the current window. The API answers it as 429 (HttpError)."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(429, message)
        self.message = message
        self.retry_after = retry_after

    def __str__(self):
        return self.message


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def limits_for(user) -> tuple[int, int]:
    """(per minute, per day) for this user."""
    if user.has_perm("org.reveal_pii"):
        return (_setting("FANZHA_SEARCH_REVEAL_PER_MINUTE", 30), _setting("FANZHA_SEARCH_REVEAL_PER_DAY", 600))
    return (_setting("FANZHA_SEARCH_PER_MINUTE", 5), _setting("FANZHA_SEARCH_PER_DAY", 60))


def _windows(now) -> tuple[str, str]:
    local = timezone.localtime(now)
    return local.strftime("m:%Y%m%d%H%M"), local.strftime("d:%Y%m%d")


def _row(user, window: str) -> int:
    row = SearchCounter.objects.filter(user=user, window=window).values_list("id", flat=True).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return SearchCounter.objects.create(user=user, window=window).id
    except IntegrityError:  # another worker created it meanwhile
        return SearchCounter.objects.get(user=user, window=window).id


def take(user, *, kind: str, digest: str = "", request=None, now=None) -> None:
    """Take one exact search from the user's allowance, or raise SearchLimited (audited as refused)."""
    now = now or timezone.now()
    per_minute, per_day = limits_for(user)
    minute, day = _windows(now)
    minute_id, day_id = _row(user, minute), _row(user, day)
    with transaction.atomic():
        ok_day = SearchCounter.objects.filter(id=day_id, count__lt=per_day).update(count=F("count") + 1)
        ok_minute = ok_day and SearchCounter.objects.filter(id=minute_id, count__lt=per_minute).update(count=F("count") + 1)
        if ok_day and not ok_minute:  # give the day's one back: this search did not happen
            SearchCounter.objects.filter(id=day_id).update(count=F("count") - 1)
    if ok_day and ok_minute:
        return
    audit(user=user, action=AuditAction.REFUSED, target=f"search:{KIND_LABEL.get(kind, kind)}",
          detail=_detail(kind, None, digest, "limit"), request=request)
    if not ok_day:
        raise SearchLimited(_("今天按号码查询的次数已达上限（%(n)d 次），请明天再试，或请反诈办查询") % {"n": per_day},
                            retry_after=24 * 3600)
    local = timezone.localtime(now)
    raise SearchLimited(_("按号码查询过于频繁（每分钟最多 %(n)d 次），请 %(s)d 秒后再试") % {
        "n": per_minute, "s": 60 - local.second}, retry_after=60 - local.second)


def _detail(kind: str, hit: bool | None, digest: str, outcome: str = "") -> str:
    parts = [f"kind={KIND_LABEL.get(kind, kind)}"]
    if hit is not None:
        parts.append("hit" if hit else "miss")
    if outcome:
        parts.append(outcome)
    if digest:
        parts.append(f"h={digest[:8]}")  # the keyed hash's prefix: ties repeats together, rebuilds nothing
    return " ".join(parts)


def record(user, *, kind: str, hit: bool, digest: str = "", request=None, now=None, outcome: str = "") -> None:
    """Audit one exact search and count a miss; the threshold-th miss of the day notifies the office."""
    now = now or timezone.now()
    audit(user=user, action=AuditAction.SEARCH if kind != "create" else AuditAction.REFUSED,
          target=f"search:{KIND_LABEL.get(kind, kind)}", detail=_detail(kind, hit, digest, outcome), request=request)
    if hit and kind != "create":
        return
    _, day = _windows(now)
    day_id = _row(user, day)
    SearchCounter.objects.filter(id=day_id).update(misses=F("misses") + 1)
    misses = SearchCounter.objects.filter(id=day_id).values_list("misses", flat=True).first() or 0
    threshold = _setting("FANZHA_SEARCH_MISS_NOTICE", 5)
    if kind == "create" or (threshold and misses % threshold == 0):
        _notify_office(user, now=now, misses=misses, kind=kind)


def _notify_office(user, *, now, misses: int, kind: str) -> int:
    from fanzha.alerts.notify import notify_users, users_at
    from fanzha.core.scoping import scope_of
    from fanzha.org.models import Role

    street_id = scope_of(user).primary_street_id
    if street_id is None:
        return 0
    office = [u for ids in users_at([street_id], [Role.OFFICE]).values() for u in ids if u != user.pk]
    name = getattr(user, "display_name", "") or user.get_full_name() or user.username
    if kind == "create":
        text = _("%(u)s 登记居民时填写的身份证号已在其辖区外登记，已拒绝登记，请核实") % {"u": name}
    else:
        text = _("%(u)s 今天按号码查询未命中 %(n)d 次，可能在猜测号码，请核实") % {"u": name, "n": misses}
    return notify_users(office, kind="search", text=text, now=now, url="")
