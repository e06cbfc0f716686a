"""Clue intake: one service every source goes through (public form, staff on a phone, a sweep or
premises finding, a batch import)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.clues import subjects as subj
from fanzha.clues.models import Clue, ClueEvent, ClueFile, ClueSubject, EventKind, Kind, Source
from fanzha.core import pii
from fanzha.core.access import DEPARTMENT, FIELD, LEADER, SAFETY_STAFF, VOLUNTEER
from fanzha.core.idnumbers import mask_phone
from fanzha.core.scoping import scope_of
from fanzha.org.models import Node

MAX_SUMMARY = 2000
MAX_PHOTOS = 6
#: Who may add a clue from inside the product (the leader only reads; departments answer).
INTAKE_ROLES = (FIELD - {LEADER}) | {SAFETY_STAFF, VOLUNTEER}
RECEIPT_DIGITS = 12


def new_receipt_code() -> str:
    """12 random digits, not starting with 0: easy to read aloud, not sequential, ~9×10¹¹ possibilities.

    With lookups rate limited per address, guessing one of a county's
    50,000 clues a year takes about 18 million tries on average.
    """
    return str(secrets.randbelow(9 * 10 ** (RECEIPT_DIGITS - 1)) + 10 ** (RECEIPT_DIGITS - 1))


def normalise_receipt(text: str) -> str:
    return "".join(ch for ch in (text or "") if ch.isdigit())[:RECEIPT_DIGITS + 4]


def may_add(user) -> bool:
    if user is None:
        return True
    return user.is_superuser or bool(scope_of(user).roles & INTAKE_ROLES)


def store_files(uploads, *, when: dt.date | None = None) -> list[dict]:
    """Check photos/videos like outreach evidence (sniffed, GPS stripped, thumbnails) and write them.

    Returns what the ClueFile rows need; ValidationError naming the bad file otherwise.
    The caller removes the written files if its transaction fails.
    """
    from fanzha.outreach import evidence

    uploads = [u for u in uploads if u]
    if len(uploads) > MAX_PHOTOS:
        raise ValidationError(_("最多上传%(n)d个照片或视频") % {"n": MAX_PHOTOS})
    prepared = [evidence.prepare(u) for u in uploads]  # all checked before any is written
    stored: list[dict] = []
    for p in prepared:
        path = evidence.write_new(p.data, p.extension, when=when, folder="clues")
        thumb = evidence.write_new(p.thumb, "jpg", when=when, folder="clues") if p.thumb else ""
        stored.append({"path": path, "thumb_path": thumb, "content_type": p.content_type, "kind": p.kind,
                       "size": p.size, "sha256": p.sha256, "original_name": p.original_name})
    return stored


def remove_files(stored: list[dict]) -> None:
    """Remove files written by `store_files` (their clue was not saved)."""
    _remove(stored)


def _remove(stored: list[dict]) -> None:
    from fanzha.outreach import evidence

    for s in stored:
        evidence.remove_quietly(s["path"], s["thumb_path"])


def clue_create_from(**kwargs) -> Clue:
    """Record a new clue from any source; the one entry point (also for sweeps and premises checks).

    1. `node` places it (the street, or a community / grid / group under it);
       a staff user must have the node in their scope.
    2. `subjects` are (kind, raw value) pairs — kinds from `SubjectKind`
       ("phone", "account", "url", "app") — normalised and hashed.
    3. `photos` (uploaded files) are checked like outreach evidence before
       anything is written (or pass `stored_files`, the result of `store_files`,
       to do that heavy part outside a surrounding transaction).
    4. The clue gets a fresh receipt code (retried on the rare collision) and
       a "received" event; returns the saved clue (status new).

    The same as `save_clue(prepare_clue(...))`: a caller with its own write transaction (the public form)
    prepares first, so the checks, the encryption and the photos are done before the write lock is taken.
    """
    return save_clue(prepare_clue(**kwargs))


@dataclass
class NewClue:
    """A checked clue ready to be written (`prepare_clue`), with its encrypted subjects and stored files."""

    clue: Clue
    subjects: list[tuple[str, str, str, str]]  # (kind, encrypted value, keyed hash, shown)
    stored: list[dict]
    user: object
    now: dt.datetime
    source: str
    challenge_nonce: str | None
    import_key: str | None


def prepare_clue(*, source: str, node: Node, summary: str, kind: str = Kind.OTHER, place_text: str = "",
                 occurred_on: dt.date | None = None, subjects=(), reporter_name: str = "",
                 reporter_phone: str = "", anonymous: bool = False, user=None, photos=(),
                 now: dt.datetime | None = None, received_at: dt.datetime | None = None,
                 external_ref: str = "", import_key: str | None = None, challenge_nonce: str | None = None,
                 note: str = "", stored_files: list[dict] | None = None) -> NewClue:
    """Every check of `clue_create_from` and the work that needs no write: ValidationError / PermissionDenied
    as it raises them. Reads only (scope, the clue's own field checks); photos passed here are written to files,
    which `save_clue` removes again if the clue is not saved."""
    now = now or timezone.now()
    received_at = received_at or now
    if source not in Source.values:
        raise ValidationError(_("未知的线索来源"))
    if kind not in Kind.values:
        raise ValidationError(_("未知的线索类别"))
    if node is None or not node.street_id:
        raise ValidationError(_("请选择线索所在的街道或社区"))
    if user is not None:
        if not may_add(user):
            raise PermissionDenied
        if not scope_of(user).contains_node(node):
            raise ValidationError(_("所选地点不在您的管辖范围内"))
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("请说一说发生了什么")})
    if len(summary) > MAX_SUMMARY:
        raise ValidationError({"summary": _("内容最多%(n)d个字，请精简") % {"n": MAX_SUMMARY}})
    if occurred_on and occurred_on > timezone.localdate(now):
        raise ValidationError({"occurred_on": _("发生日期不能晚于今天")})
    parsed = subj.parse(subjects)
    phone = "".join(ch for ch in (reporter_phone or "") if ch.isdigit())
    if reporter_phone and not 7 <= len(phone) <= 15:
        raise ValidationError({"reporter_phone": _("联系电话位数不对")})
    if anonymous:
        reporter_name, phone = "", ""
    clue = Clue(source=source, kind=kind, summary=summary, place_text=(place_text or "").strip()[:200],
                occurred_on=occurred_on, reporter_name=(reporter_name or "").strip()[:50],
                anonymous=anonymous, received_at=received_at, created_by=user if user else None,
                external_ref=external_ref[:64], import_key=import_key, challenge_nonce=challenge_nonce,
                note=note, receipt_code=new_receipt_code())
    clue.place_at(node)
    if phone:
        clue.reporter_phone_enc = pii.encrypt(phone)
        clue.reporter_phone_masked = mask_phone(phone)
    clue.full_clean(exclude=["receipt_code", "challenge_nonce", "import_key", "summary"])
    encrypted = [(k, pii.encrypt(v), h, s) for k, v, h, s in parsed]
    stored = list(stored_files or []) + (store_files(photos, when=timezone.localdate(now)) if photos else [])
    return NewClue(clue, encrypted, stored, user, now, source, challenge_nonce, import_key)


def save_clue(new: NewClue) -> Clue:
    """Write a prepared clue with its subjects, files and "received" event in one transaction (a fresh receipt
    code on the rare collision); the stored files are removed if it cannot be written."""
    clue, user = new.clue, new.user
    try:
        for attempt in range(5):
            try:
                with transaction.atomic():
                    clue.save(force_insert=True)
                    ClueSubject.objects.bulk_create([ClueSubject(clue=clue, kind=k, value_enc=e, value_hash=h, shown=s)
                                                     for k, e, h, s in new.subjects])
                    ClueFile.objects.bulk_create([ClueFile(clue=clue, uploaded_at=new.now, uploaded_by=user, **f)
                                                  for f in new.stored])
                    ClueEvent.objects.create(clue=clue, at=clue.received_at, kind=EventKind.RECEIVED, user=user,
                                             text=str(Source(new.source).label))
                return clue
            except IntegrityError as e:
                clue.pk = None
                # A receipt collision (1 in ~10¹¹ per clue) is retried; a reused challenge or a re-imported row is not.
                if new.challenge_nonce and Clue.objects.filter(challenge_nonce=new.challenge_nonce).exists():
                    raise ValidationError(_("这份表单已经提交过了，请勿重复提交")) from e
                if new.import_key and Clue.objects.filter(import_key=new.import_key).exists():
                    raise ValidationError(_("这条线索已经导入过了")) from e
                if attempt == 4:
                    raise
                clue.receipt_code = new_receipt_code()
        raise AssertionError("unreachable")
    except BaseException:
        _remove(new.stored)
        raise


def department_units(street_id: int):
    """The units of a street that have a department account: what a clue can be handed to."""
    from fanzha.org.models import Unit

    return (Unit.objects.filter(street_id=street_id, assignments__role=DEPARTMENT, assignments__user__is_active=True)
            .distinct().order_by("name"))


#: Records a finding can come from, for `clue_from_finding`: (Source, risk model name).
FINDING_SOURCES = {"premises-check": (Source.PREMISES, "PremisesCheck"), "sweep-person": (Source.SWEEP, "SweepPerson")}


def clue_from_finding(*, user, what: str, pk: int, now: dt.datetime | None = None) -> tuple[Clue, bool]:
    """A clue from a premises check's finding or a person flagged in a sweep, in one tap.

    1. The record is read through the user's scope (outside it, or no finding: 404 like a missing record).
    2. The clue is placed where the record is, says what was found, and carries the record's
       `import_key` ("premises-check:<id>"), so a second tap (or a second team member) gets the
       same clue back instead of a duplicate: returns (clue, created).
    """
    from django.http import Http404

    from fanzha.core.scoping import get_scoped_or_404
    from fanzha.risk import models as risk

    if what not in FINDING_SOURCES:
        raise Http404
    source, model_name = FINDING_SOURCES[what]
    model = getattr(risk, model_name)
    related = ("premises", "sweep") if what == "premises-check" else ("sweep",)
    record = get_scoped_or_404(model.objects.select_related(*related), user, pk=pk)
    key = f"{what}:{record.pk}"
    found = Clue.objects.filter(import_key=key).first()
    if found is not None:
        return found, False
    node = next(n for n in (record.group, record.grid, record.community, record.street) if n is not None)
    if what == "premises-check":
        if record.finding == risk.Finding.NONE:
            raise Http404
        kind = {risk.Finding.DEN: Kind.DEN, risk.Finding.TWO_CARD: Kind.TWO_CARDS}.get(record.finding, Kind.OTHER)
        summary = _("场所检查发现：%(p)s（%(a)s）%(f)s。%(note)s") % {
            "p": record.premises.name, "a": record.premises.address, "f": record.get_finding_display(),
            "note": record.finding_note}
        place, occurred = record.premises.address, record.checked_on
    else:
        if not record.is_finding:
            raise Http404
        kind = Kind.SUSPECT
        summary = _("周三打卡核查发现：%(n)s，%(flags)s。%(note)s") % {
            "n": record.name, "flags": "、".join(record.flags), "note": record.note}
        place, occurred = "", record.held_on
    try:
        clue = clue_create_from(source=source, node=node, summary=summary.strip()[:MAX_SUMMARY], kind=kind,
                                place_text=place[:200], occurred_on=occurred, user=user, now=now, import_key=key)
    except ValidationError:
        found = Clue.objects.filter(import_key=key).first()
        if found is None:
            raise
        return found, False  # another tap made it at the same moment
    return clue, True
