"""Writes to the org tree, households, residents, units and staff.

Services take keyword-only arguments, run in a transaction, validate with
full_clean() and raise ValidationError with messages a user can act on.
ID and phone numbers arrive as typed; they are parsed and normalised here.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.core import pii
from fanzha.core.versioning import concrete_names, save_if_current
from fanzha.core.idnumbers import id_birth_date, id_gender, parse_id_number, parse_phone
from fanzha.org import counts
from fanzha.org.models import (
    ANCESTOR_FIELDS,
    LEVEL_ORDER,
    Assignment,
    FamilyMember,
    Household,
    Level,
    Node,
    Resident,
    Role,
    StaffMember,
    Unit,
    User,
)

PARENT_LEVEL = {LEVEL_ORDER[i + 1]: LEVEL_ORDER[i] for i in range(len(LEVEL_ORDER) - 1)}


def _parse_optional_id(value: str, field: str = "id_number") -> str:
    if not value or not str(value).strip():
        return ""
    try:
        return parse_id_number(value)
    except ValueError as e:
        raise ValidationError({field: str(e)}) from None


def _parse_optional_phone(value: str, field: str = "phone") -> str:
    if not value or not str(value).strip():
        return ""
    try:
        return parse_phone(value)
    except ValueError as e:
        raise ValidationError({field: str(e)}) from None


def node_create(*, parent: Node | None, level: str, code: str, name: str, sort: int = 0) -> Node:
    """Create a node under `parent`, one level below it."""
    if parent is None and level not in (Level.COUNTY, Level.STREET):
        raise ValidationError({"parent": _("社区、网格和十联户必须有上级节点")})
    if parent is not None and PARENT_LEVEL.get(level) != parent.level:
        raise ValidationError({"level": _("%(child)s不能直接挂在%(parent)s下") % {"child": Level(level).label, "parent": Level(parent.level).label}})
    with transaction.atomic():
        node = Node(parent=parent, level=level, code=code.strip(), name=name.strip(), sort=sort)
        node.place_at(parent)
        node.full_clean(exclude=ANCESTOR_FIELDS)
        node.save()
        setattr(node, f"{level}_id", node.id)
        node.save(update_fields=[level])
    return node


def node_rename(*, node: Node, name: str) -> Node:
    node.name = name.strip()
    node.full_clean(exclude=["county", "street", "community", "grid", "group", "parent"])
    node.save(update_fields=["name"])
    return node


def _place_household(household: Household, node: Node) -> None:
    if node.level not in (Level.GRID, Level.GROUP):
        raise ValidationError({"node": _("户必须归属到网格或十联户")})
    household.place_at(node)


def household_create(*, node: Node, address: str, head_name: str = "", note: str = "") -> Household:
    with transaction.atomic():
        h = Household(address=address.strip(), head_name=head_name.strip(), note=note.strip())
        _place_household(h, node)
        h.full_clean()
        h.save()
        counts.added(h)
    return h


def household_update(*, household: Household, node: Node | None = None, address: str, head_name: str = "", note: str = "",
                     version: int | None = None) -> Household:
    """`version`: the one the user's form or request started from; a stale one raises Conflict (nothing written)."""
    with transaction.atomic():
        moved = set()
        if node is not None and node.id != household.deepest_node_id:
            moved = {household.grid_id or household.deepest_node_id, node.grid_id or node.id}
            _place_household(household, node)
            household.residents.update(**{f"{f}_id": getattr(household, f"{f}_id") for f in ANCESTOR_FIELDS})
        household.address = address.strip()
        household.head_name = head_name.strip()
        household.note = note.strip()
        household.full_clean()
        save_if_current(household, version, concrete_names(household))
        counts.recount_grids(moved)  # the household and its residents left one grid for another
    return household


RESIDENT_FIELDS = ("name", "residency", "relation", "occupation", "is_student", "is_finance_staff", "lives_alone", "note")


def _apply_resident(r: Resident, *, id_number: str, phone: str, phone2: str, gender: str, birth_date: dt.date | None, fields: dict) -> None:
    errors: dict[str, str] = {}
    try:
        idn = _parse_optional_id(id_number)
    except ValidationError as e:
        errors.update(e.message_dict)
        idn = ""
    try:
        ph = _parse_optional_phone(phone)
    except ValidationError as e:
        errors.update(e.message_dict)
        ph = ""
    try:
        ph2 = _parse_optional_phone(phone2, "phone2")
    except ValidationError as e:
        errors.update(e.message_dict)
        ph2 = ""
    if birth_date and birth_date > timezone.localdate():
        errors["birth_date"] = [_("出生日期不能在未来")]
    if not str(fields.get("name", "")).strip():
        errors["name"] = [_("姓名不能为空")]
    if errors:
        raise ValidationError(errors)
    for k, v in fields.items():
        setattr(r, k, v.strip() if isinstance(v, str) else v)
    if idn:
        r.set_id_number(idn)
        r.birth_date = id_birth_date(idn)
        r.gender = id_gender(idn)
    else:
        r.set_id_number("")
        r.birth_date = birth_date
        r.gender = gender or ""
    r.set_phone(ph)
    r.set_phone2(ph2)


class IdRegisteredElsewhere(ValidationError):
    """The ID number is registered to a resident outside the user's scope: the answer must not confirm it."""


def _check_id_unique(r: Resident, user=None) -> None:
    if not r.id_number_hash:
        return
    others = Resident.objects.filter(id_number_hash=r.id_number_hash).exclude(pk=r.pk)
    if not others.exists():
        return
    if user is not None:
        from fanzha.core.scoping import scoped

        if not scoped(others, user).exists():
            exc = IdRegisteredElsewhere({"id_number": _("不能在此登记，请联系反诈办")})
            exc.digest = r.id_number_hash
            raise exc
    raise ValidationError({"id_number": _("该身份证号已登记在其他居民名下")})


def _refused_elsewhere(user, exc: IdRegisteredElsewhere, request) -> None:
    """Audit the refusal, notify the office, and count it in the user's number-search limit
    (raises SearchLimited once over it). Runs after the write's transaction is rolled back."""
    from fanzha.core import ratelimit

    ratelimit.record(user, kind="create", hit=False, digest=getattr(exc, "digest", ""), request=request,
                     outcome="registered_elsewhere")
    ratelimit.take(user, kind="create", digest=getattr(exc, "digest", ""), request=request)


def resident_create(*, household: Household, name: str, id_number: str = "", phone: str = "", phone2: str = "",
                    gender: str = "", birth_date: dt.date | None = None, residency: str = "permanent",
                    relation: str = "", occupation: str = "", is_student: bool = False,
                    is_finance_staff: bool = False, lives_alone: bool = False, note: str = "",
                    user=None, request=None) -> Resident:
    """`user` (a person registering by hand): an ID registered outside their scope is refused without saying
    where (不能在此登记，请联系反诈办), audited, notified to the office and counted in their search limit."""
    try:
        with transaction.atomic():
            r = Resident(household=household)
            r.place_like(household)
            _apply_resident(r, id_number=id_number, phone=phone, phone2=phone2, gender=gender, birth_date=birth_date,
                            fields=dict(name=name, residency=residency, relation=relation, occupation=occupation,
                                        is_student=is_student, is_finance_staff=is_finance_staff,
                                        lives_alone=lives_alone, note=note))
            r.full_clean()
            _check_id_unique(r, user)
            r.save()
            counts.added(r)
    except IdRegisteredElsewhere as exc:
        _refused_elsewhere(user, exc, request)
        raise
    return r


def resident_update(*, resident: Resident, household: Household | None = None, name: str, id_number: str = "",
                    phone: str = "", phone2: str = "", gender: str = "", birth_date: dt.date | None = None,
                    residency: str = "permanent", relation: str = "", occupation: str = "",
                    is_student: bool = False, is_finance_staff: bool = False, lives_alone: bool = False,
                    note: str = "", version: int | None = None, user=None, request=None) -> Resident:
    """`version`: the one the user's form or request started from (None: the one `resident` was read at);
    if the row has moved on since, Conflict is raised and nothing is written."""
    try:
        return _resident_update(resident=resident, household=household, name=name, id_number=id_number, phone=phone,
                                phone2=phone2, gender=gender, birth_date=birth_date, residency=residency,
                                relation=relation, occupation=occupation, is_student=is_student,
                                is_finance_staff=is_finance_staff, lives_alone=lives_alone, note=note,
                                version=version, user=user)
    except IdRegisteredElsewhere as exc:
        _refused_elsewhere(user, exc, request)
        raise


def _resident_update(*, resident: Resident, household, name, id_number, phone, phone2, gender, birth_date, residency,
                     relation, occupation, is_student, is_finance_staff, lives_alone, note, version, user) -> Resident:
    with transaction.atomic():
        r = resident
        counts.lock_installs(r.pk)
        before = counts.footprint(r)
        if household is not None and household.pk != r.household_id:
            r.household = household
            r.place_like(household)
        _apply_resident(r, id_number=id_number, phone=phone, phone2=phone2, gender=gender, birth_date=birth_date,
                        fields=dict(name=name, residency=residency, relation=relation, occupation=occupation,
                                    is_student=is_student, is_finance_staff=is_finance_staff,
                                    lives_alone=lives_alone, note=note))
        r.full_clean()
        _check_id_unique(r, user)
        save_if_current(r, version, concrete_names(r, exclude=("created_at",)))
        counts.shift(before, counts.footprint(r))
    return r


def unit_create(*, node: Node, name: str, kind: str, address: str = "", contact_name: str = "") -> Unit:
    with transaction.atomic():
        u = Unit(node=node, name=name.strip(), kind=kind, address=address.strip(), contact_name=contact_name.strip())
        u.place_at(node)
        u.full_clean()
        u.save()
        counts.added(u)
    return u


def unit_update(*, unit: Unit, name: str, kind: str, address: str = "", contact_name: str = "",
                version: int | None = None) -> Unit:
    unit.name, unit.kind, unit.address, unit.contact_name = name.strip(), kind, address.strip(), contact_name.strip()
    unit.full_clean()
    save_if_current(unit, version, ("name", "kind", "address", "contact_name"))
    return unit


def _link_resident(id_number: str) -> Resident | None:
    if not id_number:
        return None
    return Resident.objects.filter(id_number_hash=pii.lookup_hash("id", id_number)).first()


def staff_create(*, unit: Unit, name: str, id_number: str = "", phone: str = "", position: str = "",
                 employment: str = "formal") -> StaffMember:
    with transaction.atomic():
        idn = _parse_optional_id(id_number)
        ph = _parse_optional_phone(phone)
        if not name.strip():
            raise ValidationError({"name": _("姓名不能为空")})
        s = StaffMember(unit=unit, name=name.strip(), position=position.strip(), employment=employment)
        s.place_like(unit)
        s.set_id_number(idn)
        s.set_phone(ph)
        if idn:
            s.birth_date, s.gender = id_birth_date(idn), id_gender(idn)
        s.resident = _link_resident(idn)
        s.full_clean()
        s.save()
        counts.added(s)
    return s


def family_member_add(*, staff: StaffMember, relation: str, name: str, id_number: str = "", phone: str = "") -> FamilyMember:
    with transaction.atomic():
        idn = _parse_optional_id(id_number)
        ph = _parse_optional_phone(phone)
        f = FamilyMember(staff=staff, relation=relation, name=name.strip())
        f.place_like(staff)
        f.set_id_number(idn)
        f.set_phone(ph)
        if idn:
            f.birth_date = id_birth_date(idn)
        f.resident = _link_resident(idn)
        f.full_clean()
        f.save()
    return f


def user_create(*, username: str, password: str, display_name: str = "", role: str, node: Node | None = None,
                unit: Unit | None = None) -> User:
    """A user with one role assignment; the role's Django group gives its permissions."""

    with transaction.atomic():
        user = User(username=username, display_name=display_name)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        assignment_add(user=user, role=role, node=node, unit=unit)
    return user


# Roles held at a unit rather than a node: a unit's liaison, a department's account.
UNIT_ROLES = frozenset({Role.LIAISON, Role.DEPARTMENT})


def assignment_add(*, user: User, role: str, node: Node | None = None, unit: Unit | None = None) -> Assignment:
    from django.contrib.auth.models import Group

    if role not in Role.values:
        raise ValidationError({"role": _("未知角色")})
    if role in UNIT_ROLES and unit is None:
        raise ValidationError({"unit": _("单位联络员和职能部门必须指定单位")})
    if role not in UNIT_ROLES and node is None:
        raise ValidationError({"node": _("必须指定所属节点")})
    a = Assignment.objects.create(user=user, role=role, node=node, unit=unit)
    group, _created = Group.objects.get_or_create(name=f"role:{role}")
    user.groups.add(group)
    return a
