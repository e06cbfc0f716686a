"""Writes of the Wednesday sweeps (周三打卡): the sweep, who joins, each person and
premises checked from a phone, and a finding turned into a file in one tap.

A sweep on another day than Wednesday or outside 19:00–22:00 is recorded and
marked (`off_window`). The same person checked twice in one sweep is one record:
the second check updates the first (unique constraints on (sweep, resident) and
(sweep, ID-number hash) hold it under concurrent taps too).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.core import pii
from fanzha.core.idnumbers import parse_id_number
from fanzha.org.models import Assignment, Household, Level, Node, Residency, Resident, User
from fanzha.risk.models import (
    SWEEP_END,
    SWEEP_START,
    SWEEP_WEEKDAY,
    Category,
    Finding,
    KeyPerson,
    PremisesCheck,
    Sweep,
    SweepGrid,
    SweepPerson,
)


def _actor(user):
    return user if getattr(user, "pk", None) else None


def is_off_window(held_on: dt.date, starts_at: dt.time, ends_at: dt.time) -> bool:
    return held_on.weekday() != SWEEP_WEEKDAY or starts_at < SWEEP_START or ends_at > SWEEP_END or ends_at <= starts_at


def street_user_ids(street_id: int, user_ids) -> set[int]:
    """Those of `user_ids` who hold a role at a node or unit of this street."""
    return set(Assignment.objects.filter(user_id__in=list(user_ids)).filter(
        Q(node__street_id=street_id) | Q(unit__street_id=street_id)).values_list("user_id", flat=True))


def _common_node(grids: list[Node]) -> Node:
    if len({g.id for g in grids}) == 1:
        return grids[0]
    if len({g.community_id for g in grids}) == 1:
        return Node.objects.get(pk=grids[0].community_id)
    return Node.objects.get(pk=grids[0].street_id)


def sweep_create(*, user, held_on: dt.date, grids: list[Node], members: list[User] = (), starts_at: dt.time = SWEEP_START,
                 ends_at: dt.time = SWEEP_END, volunteer_names: str = "", volunteer_count: int = 0, note: str = "",
                 today: dt.date | None = None) -> Sweep:
    """Record a sweep of these grids (all in one street) by this team; the recorder is a member.

    The caller has resolved the grids inside the user's scope.
    """
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    grids = list({g.id: g for g in grids}.values())
    if not grids:
        errors["grids"] = [_("请至少选择一个网格")]
    elif any(g.level != Level.GRID for g in grids):
        errors["grids"] = [_("只能选择网格")]
    elif len({g.street_id for g in grids}) > 1:
        errors["grids"] = [_("一次打卡的网格须在同一街道")]
    if held_on > today:
        errors["held_on"] = [_("打卡日期不能在未来")]
    if ends_at <= starts_at:
        errors["ends_at"] = [_("结束时间应晚于开始时间")]
    if volunteer_count < 0 or volunteer_count > 1000:
        errors["volunteer_count"] = [_("志愿者人数应在0到1000之间")]
    street_id = grids[0].street_id if grids else None
    team = {u.pk: u for u in members}
    if _actor(user):
        team.setdefault(user.pk, user)
    if street_id and team:
        ok = street_user_ids(street_id, team)
        outsiders = [str(u) for pk, u in team.items() if pk not in ok and not u.is_superuser]
        if outsiders:
            errors["members"] = [_("以下人员不是本街道的用户：%(v)s") % {"v": "、".join(outsiders)}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        s = Sweep(held_on=held_on, starts_at=starts_at, ends_at=ends_at,
                  off_window=is_off_window(held_on, starts_at, ends_at), volunteer_names=volunteer_names.strip()[:300],
                  volunteer_count=volunteer_count, note=note.strip()[:500], created_by=_actor(user))
        s.place_at(_common_node(grids))
        s.save()
        s.members.set(list(team.values()))
        rows = []
        for g in grids:
            r = SweepGrid(sweep=s, held_on=held_on)
            r.place_at(g)
            rows.append(r)
        SweepGrid.objects.bulk_create(rows)
    return s


def sweep_join(*, user, sweep: Sweep) -> Sweep:
    """A user of the sweep's street joins the team."""
    if not user.is_superuser and not street_user_ids(sweep.street_id, [user.pk]):
        raise ValidationError({"members": [_("您不是本街道的用户，不能加入此次打卡")]})
    sweep.members.add(user)
    return sweep


def _refresh_counts(sweep: Sweep) -> None:
    people = SweepPerson.objects.filter(sweep=sweep).aggregate(
        n=Count("id"), f=Count("id", filter=Q(no_regular_job=True) | Q(frequent_moves=True) | Q(hotspot_ties=True)))
    places = PremisesCheck.objects.filter(sweep=sweep).aggregate(n=Count("id"), f=Count("id", filter=~Q(finding=Finding.NONE)))
    Sweep.objects.filter(pk=sweep.pk).update(people_checked=people["n"], premises_checked=places["n"],
                                             findings=people["f"] + places["f"])
    sweep.people_checked, sweep.premises_checked, sweep.findings = people["n"], places["n"], people["f"] + places["f"]


def _floating_resident(*, grid: Node, name: str, id_number: str, address: str) -> Resident:
    """A floating resident added on the spot, in a household at the address in the grid."""
    from fanzha.org import services as org

    household = Household.objects.filter(grid=grid, address=address.strip()).first()
    if household is None:
        household = org.household_create(node=grid, address=address, head_name=name)
    return org.resident_create(household=household, name=name, id_number=id_number, residency=Residency.FLOATING)


def person_check(*, user, sweep: Sweep, resident: Resident | None = None, name: str = "", id_number: str = "",
                 address: str = "", grid: Node | None = None, no_regular_job: bool = False, frequent_moves: bool = False,
                 hotspot_ties: bool = False, note: str = "") -> SweepPerson:
    """Record one person checked in the sweep: a resident (resolved in scope by the caller) or a
    floating person added on the spot (name, ID number, address in one of the sweep's grids),
    who is registered as a floating resident. A second check of the same person updates the first."""
    errors: dict[str, list[str]] = {}
    idn = ""
    if resident is None:
        if not name.strip():
            errors["name"] = [_("请填写姓名")]
        if id_number.strip():
            try:
                idn = parse_id_number(id_number)
            except ValueError as e:
                errors["id_number"] = [str(e)]
        else:
            errors["id_number"] = [_("现场登记的流动人员须填写身份证号")]
        if not address.strip():
            errors["address"] = [_("请填写居住地址")]
        if grid is None or not SweepGrid.objects.filter(sweep=sweep, grid=grid).exists():
            errors["grid"] = [_("请选择本次打卡覆盖的网格")]
    if errors:
        raise ValidationError(errors)
    if resident is None:
        existing = Resident.objects.filter(id_number_hash=pii.lookup_hash("id", idn)).first()
        if existing is not None and existing.street_id == sweep.street_id:
            resident = existing
        else:
            resident = _floating_resident(grid=grid, name=name.strip(), id_number=idn, address=address)
    flags = dict(no_regular_job=bool(no_regular_job), frequent_moves=bool(frequent_moves), hotspot_ties=bool(hotspot_ties),
                 note=note.strip()[:300], checked_by=_actor(user), name=resident.name)
    with transaction.atomic():
        sp = SweepPerson.objects.filter(sweep=sweep, resident=resident).first()
        created = False
        if sp is None:
            sp = SweepPerson(sweep=sweep, resident=resident, held_on=sweep.held_on, **flags)
            sp.place_like(resident)
            sp.id_number_enc, sp.id_number_hash, sp.id_number_masked = (
                resident.id_number_enc, resident.id_number_hash, resident.id_number_masked)
            try:
                with transaction.atomic():
                    sp.save()
                created = True
            except IntegrityError:  # the same person tapped at the same moment by a teammate
                sp = SweepPerson.objects.get(sweep=sweep, resident=resident)
        was_finding = False if created else sp.is_finding
        if not created:
            for k, v in flags.items():
                setattr(sp, k, v)
            sp.save()
        # Counters move by the difference (a conditional increment, no recount of the sweep's rows).
        d_people, d_findings = int(created), int(sp.is_finding) - int(was_finding)
        if d_people or d_findings:
            Sweep.objects.filter(pk=sweep.pk).update(people_checked=F("people_checked") + d_people,
                                                     findings=F("findings") + d_findings)
            sweep.people_checked += d_people
            sweep.findings += d_findings
    return sp


def person_open_file(*, user, checked: SweepPerson, categories=(Category.HIGH_RISK,)) -> KeyPerson:
    """One tap: open a key-person file from a sweep finding (or return the person's open file)."""
    from fanzha.risk.services.key_persons import PersonData, key_person_open
    from fanzha.risk.models import FileStatus

    if checked.key_person_id:
        return checked.key_person
    resident = checked.resident
    existing = None
    if resident is not None:
        existing = KeyPerson.objects.filter(resident=resident, status=FileStatus.OPEN).first()
    if existing is None:
        watch = "；".join(checked.flags + ([checked.note] if checked.note else []))
        existing = key_person_open(
            user=user, categories=list(categories), resident=resident, source_sweep=checked.sweep,
            data=PersonData(name=checked.name, watch_for=_("周三打卡发现：%(w)s") % {"w": watch or _("待核查")},
                            detail=_("%(d)s 周三打卡中由%(u)s发现，待民警核查。") % {"d": checked.sweep.held_on.isoformat(),
                                                                                  "u": str(user)}),
        )
    SweepPerson.objects.filter(pk=checked.pk).update(key_person=existing)
    checked.key_person = existing
    return existing


def premises_check_in_sweep(*, user, sweep: Sweep, premises, finding: str = Finding.NONE, note: str = "",
                            items: str = "", action_taken: str = "", files=()) -> PremisesCheck:
    """A premises checked during the sweep (one check per premises per sweep)."""
    from fanzha.risk.services.premises import check_record

    if not SweepGrid.objects.filter(sweep=sweep, grid_id=premises.grid_id).exists():
        raise ValidationError({"premises": [_("该场所不在本次打卡覆盖的网格内")]})
    team = "、".join(str(u) for u in sweep.members.all()[:20])
    c = check_record(user=user, premises=premises, checked_on=sweep.held_on, finding=finding, team=team, items=items,
                     finding_note=note, action_taken=action_taken, files=files, sweep=sweep, today=max(sweep.held_on, timezone.localdate()))
    _refresh_counts(sweep)
    return c
