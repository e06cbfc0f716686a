"""Writes of premises and their checks (场所检查), with photos as evidence.

A premises keeps the finding of its latest check: a check with a finding flags it,
and it stays flagged until a later check (by date) finds nothing. Photos go through
`fanzha.outreach.evidence` (sniffed, GPS removed, thumbnails), the same rules as
outreach evidence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.core.idnumbers import parse_phone
from fanzha.org.models import Level, Node
from fanzha.outreach import evidence as ev
from django.db.models import F

from fanzha.risk.models import CheckPhoto, CheckTally, Finding, Premises, PremisesCheck, PremisesKind, month_end

PHOTO_DIR = "risk/checks"


def _actor(user):
    return user if getattr(user, "pk", None) else None


@dataclass
class PremisesData:
    name: str = ""
    kind: str = ""
    address: str = ""
    building: str = ""
    manager_name: str = ""
    manager_phone: str = ""


def _apply(p: Premises, d: PremisesData, grid: Node | None) -> None:
    errors: dict[str, list[str]] = {}
    if not d.name.strip():
        errors["name"] = [_("请填写场所名称")]
    if d.kind not in PremisesKind.values:
        errors["kind"] = [_("请选择场所类型")]
    if not d.address.strip():
        errors["address"] = [_("请填写地址")]
    if grid is None or grid.level != Level.GRID:
        errors["grid"] = [_("场所须归属到网格")]
    phone = ""
    if d.manager_phone.strip():
        try:
            phone = parse_phone(d.manager_phone)
        except ValueError as e:
            errors["manager_phone"] = [str(e)]
    if errors:
        raise ValidationError(errors)
    p.name, p.kind, p.address = d.name.strip(), d.kind, d.address.strip()
    p.building, p.manager_name = d.building.strip(), d.manager_name.strip()
    p.set_manager_phone(phone)
    p.place_at(grid)


def premises_create(*, user, grid: Node, data: PremisesData) -> Premises:
    p = Premises()
    _apply(p, data, grid)
    if Premises.objects.filter(grid=grid, name=p.name, address=p.address).exists():
        raise ValidationError({"name": [_("本网格已有同名同地址的场所")]})
    with transaction.atomic():
        p.full_clean(exclude=["county", "street", "community", "grid", "group"])
        p.save()
    return p


def premises_update(*, user, premises: Premises, grid: Node, data: PremisesData, active: bool = True) -> Premises:
    _apply(premises, data, grid)
    premises.active = active
    if Premises.objects.filter(grid=grid, name=premises.name, address=premises.address).exclude(pk=premises.pk).exists():
        raise ValidationError({"name": [_("本网格已有同名同地址的场所")]})
    with transaction.atomic():
        premises.save()
    return premises


def refresh_flag(premises: Premises) -> None:
    """Take the finding of the premises' latest check (by date, then entry)."""
    latest = premises.checks.order_by("-checked_on", "-id").values_list("checked_on", "finding").first()
    if latest is None:
        premises.open_finding, premises.open_finding_since, premises.last_checked_on = "", None, None
    else:
        on, finding = latest
        premises.last_checked_on = on
        if finding == Finding.NONE:
            premises.open_finding, premises.open_finding_since = "", None
        else:
            # Flagged since the first check of the unbroken run of findings ending at the latest.
            cleared = premises.checks.filter(finding=Finding.NONE, checked_on__lte=on).order_by("-checked_on", "-id") \
                .values_list("checked_on", flat=True).first()
            run = premises.checks.exclude(finding=Finding.NONE)
            if cleared:
                run = run.filter(checked_on__gte=cleared)
            premises.open_finding = finding
            premises.open_finding_since = run.order_by("checked_on", "id").values_list("checked_on", flat=True).first() or on
    Premises.objects.filter(pk=premises.pk).update(open_finding=premises.open_finding,
                                                    open_finding_since=premises.open_finding_since,
                                                    last_checked_on=premises.last_checked_on)


def tally(check: PremisesCheck, sign: int) -> None:
    """Add (+1) or take away (-1) one check from its grid's month: a conditional UPDATE, else
    the month's first row (a concurrent first insert falls back to the UPDATE)."""
    month = check.checked_on.replace(day=1)
    values = CheckTally.values_of(check)
    # The premises counts once a month: only its first check adds it, only its last one takes it away.
    others = PremisesCheck.objects.filter(premises_id=check.premises_id, checked_on__gte=month,
                                          checked_on__lte=month_end(month))
    if check.pk:
        others = others.exclude(pk=check.pk)
    values["premises"] = 0 if others.exists() else 1
    deltas = {k: F(k) + sign * v for k, v in values.items() if v}
    rows = CheckTally.objects.filter(grid_id=check.grid_id, month=month)
    if rows.update(**deltas):
        return
    t = CheckTally(month=month, **{k: sign * v for k, v in values.items()})
    t.place_like(check)
    try:
        with transaction.atomic():
            t.save()
    except IntegrityError:
        rows.update(**deltas)


def _prepare_photos(files, street_id) -> list:
    files = [f for f in (files or []) if f]
    if len(files) > ev.MAX_FILES:
        raise ValidationError({"photos": [_("一次最多上传%(n)d个文件") % {"n": ev.MAX_FILES}]})
    prepared, errors = [], []
    for f in files:
        try:
            prepared.append(ev.prepare(f))
        except ValidationError as e:
            errors.extend(e.messages)
    if errors:
        raise ValidationError({"photos": errors})
    return prepared


def check_record(*, user, premises: Premises, checked_on: dt.date, finding: str, team: str = "", items: str = "",
                 finding_note: str = "", action_taken: str = "", files=(), sweep=None,
                 today: dt.date | None = None) -> PremisesCheck:
    """Record a check with its photos. In a sweep, a premises has one check: a second
    record of it in the same sweep updates the first (photos are added)."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if checked_on > today:
        errors["checked_on"] = [_("检查日期不能在未来")]
    if finding not in Finding.values:
        errors["finding"] = [_("请选择检查发现")]
    elif finding != Finding.NONE and not finding_note.strip() and finding == Finding.OTHER:
        errors["finding_note"] = [_("发现“其他”时请说明情况")]
    try:
        prepared = _prepare_photos(files, premises.street_id)
    except ValidationError as e:
        errors.update(e.message_dict)
        prepared = []
    if errors:
        raise ValidationError(errors)
    written: list[str] = []
    try:
        for p in prepared:
            p._rel = ev.write_new(p.data, p.extension, folder=PHOTO_DIR)
            written.append(p._rel)
            p._thumb = ev.write_new(p.thumb, "jpg", folder=PHOTO_DIR) if p.thumb else ""
            if p._thumb:
                written.append(p._thumb)
        with transaction.atomic():
            c = None
            if sweep is not None:
                c = PremisesCheck.objects.select_for_update().filter(sweep=sweep, premises=premises).first()
            if c is not None:
                tally(c, -1)
            c = c or PremisesCheck(premises=premises, sweep=sweep)
            c.place_like(premises)
            c.checked_on, c.finding = checked_on, finding
            c.team, c.items = team.strip()[:200], items.strip()[:500]
            c.finding_note, c.action_taken = finding_note.strip()[:500], action_taken.strip()[:500]
            c.checked_by = _actor(user)
            try:
                with transaction.atomic():
                    c.save()
            except IntegrityError:  # the same premises recorded at the same moment by someone else in the sweep
                c = PremisesCheck.objects.get(sweep=sweep, premises=premises)
                tally(c, -1)
                c.checked_on, c.finding, c.finding_note, c.action_taken = checked_on, finding, finding_note, action_taken
                c.save()
            tally(c, +1)
            CheckPhoto.objects.bulk_create([
                CheckPhoto(check_record=c, kind=p.kind, content_type=p.content_type, original_name=p.original_name,
                           size=p.size, sha256=p.sha256, file=p._rel, thumb=p._thumb, taken_at=p.taken_at,
                           had_gps=p.had_gps, uploaded_by=_actor(user)) for p in prepared])
            refresh_flag(premises)
    except Exception:
        ev.remove_quietly(*written)
        raise
    return c


def tallies_rebuild(node: Node) -> int:
    """Recount the monthly check tallies of every grid at or below `node` from the checks
    (after a bulk load, or to repair); returns the number of tally rows."""
    from fanzha.org.models import ANCESTOR_FIELDS

    level = f"{node.level}_id"
    acc: dict[tuple[int, dt.date], dict] = {}
    places: dict[int, dict] = {}
    seen: set[tuple[int, dt.date]] = set()
    rows = PremisesCheck.objects.filter(**{level: node.id}).values_list(
        "grid_id", "checked_on", "finding", "sweep_id", "premises_id", *[f"{f}_id" for f in ANCESTOR_FIELDS])
    for grid_id, on, finding, sweep_id, premises_id, *anc in rows.iterator(chunk_size=5000):
        key = (grid_id, on.replace(day=1))
        t = acc.setdefault(key, {"checks": 0, "premises": 0, "findings": 0, "dens": 0, "sweep_checks": 0,
                                 "sweep_findings": 0})
        found = finding != Finding.NONE
        t["checks"] += 1
        if (premises_id, key[1]) not in seen:
            seen.add((premises_id, key[1]))
            t["premises"] += 1
        t["findings"] += found
        t["dens"] += finding == Finding.DEN
        t["sweep_checks"] += sweep_id is not None
        t["sweep_findings"] += sweep_id is not None and found
        places.setdefault(grid_id, dict(zip([f"{f}_id" for f in ANCESTOR_FIELDS], anc)))
    with transaction.atomic():
        CheckTally.objects.filter(**{level: node.id}).delete()
        CheckTally.objects.bulk_create([CheckTally(month=m, **places[g], **t) for (g, m), t in acc.items()], batch_size=2000)
    return len(acc)
