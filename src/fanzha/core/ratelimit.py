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

from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
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


def _counter_sql() -> tuple[str, str, str]:
    """(table, quoted "window", quoted "count"): WINDOW is a reserved word in PostgreSQL."""
    q = connection.ops.quote_name
    return q(SearchCounter._meta.db_table), q("window"), q("count")


def _bump(user_id: int, window: str, limit: int | None, column: str = "count") -> int | None:
    """Add one to `column` of the user's row for `window` if `count` is under `limit` (None: no limit).

    Returns the new value, or None when refused (at the limit). The row is created on first use
    (INSERT ... ON CONFLICT DO NOTHING, so two workers creating it at once both go on); the
    conditional UPDATE holds the row's lock to the end of the caller's transaction, so concurrent
    searches of one user queue on it and each sees the count the previous one left.
    One statement in the usual case, raw SQL because this runs on every number search.
    """
    table, win, count = _counter_sql()
    col = connection.ops.quote_name(column)
    cond = f" AND {count} < %s" if limit is not None else ""
    update = (f"UPDATE {table} SET {col} = {col} + 1 WHERE user_id = %s AND {win} = %s{cond} RETURNING {col}")
    params = [user_id, window] + ([limit] if limit is not None else [])
    with connection.cursor() as cur:
        cur.execute(update, params)
        row = cur.fetchone()
        if row is not None:
            return row[0]
        cur.execute(f"INSERT INTO {table} (user_id, {win}, {count}, misses) VALUES (%s, %s, 0, 0) "
                    f"ON CONFLICT (user_id, {win}) DO NOTHING", [user_id, window])
        # Again even when the INSERT did nothing: on PostgreSQL the row may have been created by a
        # transaction that committed after this one's UPDATE took its snapshot (READ COMMITTED).
        cur.execute(update, params)
        row = cur.fetchone()
        return row[0] if row is not None else None


def _take(user, *, kind: str, digest: str, request, now) -> SearchLimited | None:
    """Take one from the allowance inside the caller's transaction; a refusal is audited and returned."""
    per_minute, per_day = limits_for(user)
    minute, day = _windows(now)
    # Always the day's row first, then the minute's: concurrent searches take the locks in one order.
    ok_day = _bump(user.pk, day, per_day) is not None
    ok_minute = ok_day and _bump(user.pk, minute, per_minute) is not None
    if ok_day and ok_minute:
        return None
    if ok_day:  # give the day's one back: this search did not happen
        table, win, count = _counter_sql()
        with connection.cursor() as cur:
            cur.execute(f"UPDATE {table} SET {count} = {count} - 1 WHERE user_id = %s AND {win} = %s", [user.pk, day])
    audit(user=user, action=AuditAction.REFUSED, target=f"search:{KIND_LABEL.get(kind, kind)}",
          detail=_detail(kind, None, digest, "limit"), request=request)
    if not ok_day:
        return SearchLimited(_("今天按号码查询的次数已达上限（%(n)d 次），请明天再试，或请反诈办查询") % {"n": per_day},
                             retry_after=24 * 3600)
    local = timezone.localtime(now)
    return SearchLimited(_("按号码查询过于频繁（每分钟最多 %(n)d 次），请 %(s)d 秒后再试") % {
        "n": per_minute, "s": 60 - local.second}, retry_after=60 - local.second)


def take(user, *, kind: str, digest: str = "", request=None, now=None) -> None:
    """Take one exact search from the user's allowance, or raise SearchLimited (audited as refused)."""
    now = now or timezone.now()
    with transaction.atomic():
        refused = _take(user, kind=kind, digest=digest, request=request, now=now)
    if refused is not None:
        raise refused


def search(user, *, kind: str, digest: str, probe: Callable[[], bool], request=None, now=None) -> bool:
    """One exact number search as one transaction: take the allowance, run `probe` (hit or miss), audit.

    1. The allowance is taken (conditional UPDATEs of the user's minute and day rows, whose locks
       are held to the COMMIT: a second search of the same user waits and then counts after it).
    2. Refused: the refusal is audited and committed, then SearchLimited is raised; `probe` never runs.
    3. Granted: `probe()` says hit or miss, and `record` writes the audit row (and counts a miss).
    All of it commits once: on PostgreSQL one WAL flush per search instead of one per write.
    """
    now = now or timezone.now()
    with transaction.atomic():
        refused = _take(user, kind=kind, digest=digest, request=request, now=now)
        if refused is None:
            hit = bool(probe())
            record(user, kind=kind, hit=hit, digest=digest, request=request, now=now)
    if refused is not None:
        raise refused
    return hit


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
    misses = _bump(user.pk, day, None, column="misses") or 0
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
