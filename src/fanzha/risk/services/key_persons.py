"""Writes of key-person files (一人一档): open, edit, categories and review dates,
follow-ups, documents, close and reopen. Every write leaves a `KeyPersonChange`.

Review arithmetic (what the tests hold):
1. Each category of an open file has its own next review date.
2. Opening a file: each category is due `interval(category)` days after the opening date.
3. A follow-up on day D makes every category due `interval(category)` days after D.
4. A category added later is due `interval` days after the day it was added.
5. A review date set by hand may not be before the file's opening.
6. The file's `next_review_on` is the earliest of its categories' dates (None when closed);
   a file is overdue when that date is before today (due today is not overdue).
7. The interval is the street office's setting for the category, else the default.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.core.versioning import concrete_names, save_if_current
from fanzha.core.idnumbers import parse_id_number, parse_phone
from fanzha.core import pii
from fanzha.org.models import Level, Node, Resident
from fanzha.risk.models import (
    DEFAULT_INTERVAL_DAYS,
    Category,
    FileStatus,
    FollowUp,
    FollowUpMethod,
    KeyPerson,
    KeyPersonCategory,
    KeyPersonChange,
    KeyPersonDocument,
    PersonState,
    ReviewInterval,
)

TRACKED = ("name", "address", "contacts", "watch_for", "detail", "officer_id", "community_worker_id", "grid_id",
           "resident_id", "id_number_masked", "phone_masked")


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _actor(user):
    return user if getattr(user, "pk", None) else None


def interval_days(street_id: int | None, category: str) -> int:
    """The office's interval for the category in this street, else the default."""
    if street_id:
        days = ReviewInterval.objects.filter(street_id=street_id, category=category).values_list("days", flat=True).first()
        if days:
            return days
    return DEFAULT_INTERVAL_DAYS[Category(category)]


def intervals_for(street_id: int | None) -> dict[str, int]:
    found = dict(ReviewInterval.objects.filter(street_id=street_id).values_list("category", "days")) if street_id else {}
    return {c: found.get(c) or DEFAULT_INTERVAL_DAYS[Category(c)] for c in Category.values}


def interval_set(*, user, street: Node, category: str, days: int) -> ReviewInterval:
    """The office sets a category's interval; it applies from each file's next scheduling."""
    if category not in Category.values:
        raise ValidationError({"category": [_("未知类别")]})
    if not 1 <= int(days) <= 366:
        raise ValidationError({"days": [_("回访间隔应在1到366天之间")]})
    with transaction.atomic():
        row, _created = ReviewInterval.objects.update_or_create(street=street, category=category, defaults={"days": int(days)})
    return row


def _snapshot(p: KeyPerson) -> dict:
    return {k: getattr(p, k) for k in TRACKED}


def _log(person: KeyPerson, user, action: str, changes: dict) -> None:
    KeyPersonChange.objects.create(person=person, user=_actor(user), action=action, changes=changes)


def _sync_next_review(person: KeyPerson) -> None:
    if person.status != FileStatus.OPEN:
        person.next_review_on = None
    else:
        person.next_review_on = min((c.next_review_on for c in person.categories.all()), default=None)
    KeyPerson.objects.filter(pk=person.pk).update(next_review_on=person.next_review_on)


def _clean_categories(categories) -> list[str]:
    cats = list(dict.fromkeys(c for c in (categories or []) if c))
    bad = [c for c in cats if c not in Category.values]
    if bad:
        raise ValidationError({"categories": [_("未知类别：%(v)s") % {"v": "、".join(bad)}]})
    if not cats:
        raise ValidationError({"categories": [_("请至少选择一个类别")]})
    return cats


@dataclass
class PersonData:
    name: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    contacts: str = ""
    watch_for: str = ""
    detail: str = ""
    officer: object = None
    community_worker: object = None


def _apply(person: KeyPerson, data: PersonData, *, resident: Resident | None, place: Node | None, today: dt.date) -> None:
    errors: dict[str, list[str]] = {}
    idn = ph = ""
    if data.id_number.strip():
        try:
            idn = parse_id_number(data.id_number, today=today)
        except ValueError as e:
            errors["id_number"] = [str(e)]
    if data.phone.strip():
        try:
            ph = parse_phone(data.phone)
        except ValueError as e:
            errors["phone"] = [str(e)]
    if resident is None and not data.name.strip():
        errors["name"] = [_("姓名不能为空")]
    if resident is None and place is None:
        errors["place"] = [_("未在本街道登记的人员须选择所在社区或网格")]
    elif resident is None and place.level not in (Level.COMMUNITY, Level.GRID, Level.GROUP):
        errors["place"] = [_("请选择社区或网格")]
    if errors:
        raise ValidationError(errors)
    if resident is not None:
        person.resident = resident
        person.name = resident.name
        person.place_like(resident)
        person.id_number_enc, person.id_number_hash, person.id_number_masked = (
            resident.id_number_enc, resident.id_number_hash, resident.id_number_masked)
        if not person.address:
            person.address = resident.household.address if resident.household_id else ""
        if not ph and not person.phone_enc:
            person.phone_enc, person.phone_hash, person.phone_masked = resident.phone_enc, resident.phone_hash, resident.phone_masked
    else:
        person.resident = None
        person.name = data.name.strip()
        person.place_at(place)
        if idn:
            person.set_id_number(idn)
        elif data.id_number == "" and person.pk is None:
            person.set_id_number("")
    if ph:
        person.set_phone(ph)
    person.address = (data.address or person.address).strip()
    person.contacts = data.contacts.strip()
    person.watch_for = data.watch_for.strip()
    person.detail = data.detail.strip()
    person.officer = data.officer
    person.community_worker = data.community_worker


def key_person_open(*, user, categories, data: PersonData, resident: Resident | None = None, place: Node | None = None,
                    opened_on: dt.date | None = None, source_sweep=None, today: dt.date | None = None) -> KeyPerson:
    """Open a file for a resident (placed where they live) or for someone not on the roster
    (placed at the community or grid given; linked to the resident later).

    The caller has resolved `resident` and `place` inside the user's scope. One open file per
    person: a second file for the same resident or ID number is refused.
    """
    today = _today(today)
    opened_on = opened_on or today
    errors: dict[str, list[str]] = {}
    try:
        cats = _clean_categories(categories)
    except ValidationError as e:
        errors.update(e.message_dict)
        cats = []
    if opened_on > today:
        errors["opened_on"] = [_("建档日期不能在未来")]
    person = KeyPerson(status=FileStatus.OPEN, opened_on=opened_on, created_by=_actor(user), source_sweep=source_sweep)
    try:
        _apply(person, data, resident=resident, place=place, today=today)
    except ValidationError as e:
        errors.update(e.message_dict)
    if not errors:
        dup = KeyPerson.objects.filter(status=FileStatus.OPEN)
        if person.resident_id:
            dup = dup.filter(resident_id=person.resident_id)
        elif person.id_number_hash:
            dup = dup.filter(id_number_hash=person.id_number_hash)
        else:
            dup = dup.none()
        if dup.exists():
            errors["name"] = [_("此人已有在管档案，请在原档案中增加类别或帮教记录")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        person.full_clean(exclude=["resident", "officer", "community_worker", "source_sweep", "created_by"])
        person.save()
        days = intervals_for(person.street_id)
        KeyPersonCategory.objects.bulk_create(
            [KeyPersonCategory(person=person, category=c, next_review_on=opened_on + dt.timedelta(days=days[c])) for c in cats])
        _sync_next_review(person)
        _log(person, user, "open", {"categories": cats, "opened_on": opened_on.isoformat()})
    return person


def key_person_update(*, user, person: KeyPerson, data: PersonData, place: Node | None = None,
                      today: dt.date | None = None, version: int | None = None) -> KeyPerson:
    """`version`: the one the form or request started from (None: the one `person` was read at); a stale
    one raises Conflict and nothing is written."""
    today = _today(today)
    before = _snapshot(person)
    resident = person.resident
    with transaction.atomic():
        _apply(person, data, resident=resident, place=place or (Node.objects.get(pk=person.deepest_node_id)
                                                                  if person.deepest_node_id else None), today=today)
        person.full_clean(exclude=["resident", "officer", "community_worker", "source_sweep", "created_by"])
        save_if_current(person, version, concrete_names(person))
        after = _snapshot(person)
        person.follow_ups.update(**{f"{f}_id": getattr(person, f"{f}_id") for f in ("county", "street", "community", "grid", "group")})
        diff = {k: [str(before[k] or ""), str(after[k] or "")] for k in TRACKED if before[k] != after[k]}
        if diff:
            _log(person, user, "edit", diff)
    return person


def key_person_link(*, user, person: KeyPerson, resident: Resident) -> KeyPerson:
    """Link a file opened for someone not on the roster to the resident, once registered."""
    if person.id_number_hash and resident.id_number_hash and person.id_number_hash != resident.id_number_hash:
        raise ValidationError({"resident": [_("该居民的身份证号与档案中的不一致")]})
    with transaction.atomic():
        person.resident = resident
        person.name = resident.name
        person.place_like(resident)
        if not person.id_number_hash:
            person.id_number_enc, person.id_number_hash, person.id_number_masked = (
                resident.id_number_enc, resident.id_number_hash, resident.id_number_masked)
        person.save()
        person.follow_ups.update(**{f"{f}_id": getattr(person, f"{f}_id") for f in ("county", "street", "community", "grid", "group")})
        _log(person, user, "link", {"resident_id": resident.pk})
    return person


def _require_open(person: KeyPerson) -> None:
    if person.status != FileStatus.OPEN:
        raise ValidationError(_("档案已销档，不能修改；如需继续管控请先恢复档案"))


def categories_set(*, user, person: KeyPerson, categories, today: dt.date | None = None) -> KeyPerson:
    """Add and drop categories; a new category is due one interval after today."""
    today = _today(today)
    _require_open(person)
    cats = _clean_categories(categories)
    with transaction.atomic():
        have = {c.category: c for c in person.categories.all()}
        added = [c for c in cats if c not in have]
        dropped = [c for c in have if c not in cats]
        days = intervals_for(person.street_id)
        KeyPersonCategory.objects.bulk_create(
            [KeyPersonCategory(person=person, category=c, next_review_on=today + dt.timedelta(days=days[c])) for c in added])
        person.categories.filter(category__in=dropped).delete()
        _sync_next_review(person)
        if added or dropped:
            _log(person, user, "category", {"added": added, "dropped": dropped})
    return person


def review_date_set(*, user, person: KeyPerson, category: str, on: dt.date) -> KeyPerson:
    """Set one category's next review date by hand (never before the file was opened)."""
    _require_open(person)
    row = person.categories.filter(category=category).first()
    if row is None:
        raise ValidationError({"category": [_("档案没有此类别")]})
    if on < person.opened_on:
        raise ValidationError({"on": [_("回访日期不能早于建档日期（%(d)s）") % {"d": person.opened_on.isoformat()}]})
    with transaction.atomic():
        old = row.next_review_on
        row.next_review_on = on
        row.save(update_fields=["next_review_on"])
        _sync_next_review(person)
        _log(person, user, "review", {"category": category, "next_review_on": [old.isoformat(), on.isoformat()]})
    return person


def follow_up_add(*, user, person: KeyPerson, on: dt.date, method: str, content: str, state: str,
                  by_names: str = "", today: dt.date | None = None) -> FollowUp:
    """Record a follow-up (帮教); every category is then due one interval after its date."""
    today = _today(today)
    _require_open(person)
    errors: dict[str, list[str]] = {}
    if on > today:
        errors["on"] = [_("帮教日期不能在未来")]
    elif on < person.opened_on:
        errors["on"] = [_("帮教日期不能早于建档日期（%(d)s）") % {"d": person.opened_on.isoformat()}]
    if method not in FollowUpMethod.values:
        errors["method"] = [_("请选择帮教方式")]
    if state not in PersonState.values:
        errors["state"] = [_("请选择人员状态")]
    if not (content or "").strip():
        errors["content"] = [_("请填写帮教内容")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        f = FollowUp(person=person, on=on, by=_actor(user), by_names=by_names.strip()[:200], method=method,
                     content=content.strip(), state=state)
        f.place_like(person)
        f.full_clean(exclude=["person", "by", "county", "street", "community", "grid", "group"])
        f.save()
        days = intervals_for(person.street_id)
        latest = max(on, person.last_follow_up_on or on)
        for row in person.categories.all():
            row.next_review_on = latest + dt.timedelta(days=days[row.category])
            row.save(update_fields=["next_review_on"])
        person.last_follow_up_on = latest
        KeyPerson.objects.filter(pk=person.pk).update(last_follow_up_on=latest)
        _sync_next_review(person)
        _log(person, user, "follow_up", {"on": on.isoformat(), "method": method, "state": state})
    return f


def key_person_close(*, user, person: KeyPerson, reason: str, today: dt.date | None = None) -> KeyPerson:
    """Close a file; a reason is required."""
    today = _today(today)
    _require_open(person)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("销档须填写原因")]})
    with transaction.atomic():
        person.status = FileStatus.CLOSED
        person.closed_on = today
        person.close_reason = reason.strip()[:500]
        person.next_review_on = None
        person.save(update_fields=["status", "closed_on", "close_reason", "next_review_on", "updated_at"])
        _log(person, user, "close", {"reason": person.close_reason})
    return person


def key_person_reopen(*, user, person: KeyPerson, today: dt.date | None = None) -> KeyPerson:
    today = _today(today)
    if person.status == FileStatus.OPEN:
        return person
    with transaction.atomic():
        person.status = FileStatus.OPEN
        person.closed_on = None
        days = intervals_for(person.street_id)
        for row in person.categories.all():
            row.next_review_on = today + dt.timedelta(days=days[row.category])
            row.save(update_fields=["next_review_on"])
        person.save(update_fields=["status", "closed_on", "updated_at"])
        _sync_next_review(person)
        _log(person, user, "reopen", {})
    return person


def document_add(*, user, person: KeyPerson, upload) -> KeyPersonDocument:
    """Keep a document with the file: a photo (checked like outreach evidence) or a PDF."""
    from fanzha.outreach import evidence as ev

    name = (getattr(upload, "name", "") or "").strip()
    head = upload.read(8) if hasattr(upload, "read") else b""
    if hasattr(upload, "seek"):
        upload.seek(0)
    if head.startswith(b"%PDF"):
        if not name.lower().endswith(".pdf"):
            raise ValidationError({"file": [_("“%(n)s”的内容是PDF，但扩展名不是.pdf，文件名与内容不符，未保存。") % {"n": name}]})
        data = b"".join(upload.chunks()) if hasattr(upload, "chunks") else upload.read()
        if len(data) > ev.max_bytes():
            raise ValidationError({"file": [_("文件超过大小上限")]})
        import hashlib

        kind, ext, content_type, thumb_bytes = "pdf", "pdf", "application/pdf", None
        sha = hashlib.sha256(data).hexdigest()
    else:
        if name.lower().endswith(".pdf"):
            raise ValidationError({"file": [_("“%(n)s”的扩展名是.pdf，但内容不是PDF，未保存。") % {"n": name}]})
        try:
            p = ev.prepare(upload, name=name)
        except ValidationError as e:
            raise ValidationError({"file": e.messages}) from None
        if p.kind != "image":
            raise ValidationError({"file": [_("档案材料只能是照片或PDF")]})
        data, ext, content_type, thumb_bytes, sha = p.data, p.extension, p.content_type, p.thumb, p.sha256
    written: list[str] = []
    try:
        rel = ev.write_new(data, ext, folder="risk/documents")
        written.append(rel)
        thumb = ev.write_new(thumb_bytes, "jpg", folder="risk/documents") if thumb_bytes else ""
        if thumb:
            written.append(thumb)
        with transaction.atomic():
            d = KeyPersonDocument.objects.create(person=person, file=rel, thumb=thumb, content_type=content_type,
                                                 original_name=name[:200], size=len(data), sha256=sha,
                                                 uploaded_by=_actor(user))
            _log(person, user, "document", {"name": name[:200]})
    except Exception:
        ev.remove_quietly(*written)
        raise
    return d


def hash_of_id(raw: str, today: dt.date | None = None) -> str:
    return pii.lookup_hash("id", parse_id_number(raw, today=_today(today)))
