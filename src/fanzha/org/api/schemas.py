"""What the org API reads and answers: limits, request and response schemas, and the converters from records to
answers (ID and phone numbers masked). The endpoints are in `fanzha.org.api`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Optional

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Schema
from ninja.responses import codes_4xx
from pydantic import AfterValidator, BeforeValidator, StringConstraints

from fanzha.core.api_types import NO_NUL
from fanzha.org.models import (
    ELDERLY_AGE, Employment, Household, Level, Node, Resident, Residency, StaffMember, Unit, UnitKind,
)


MAX_ID = 2**63 - 1  # the largest primary key any supported database stores
MAX_LIMIT = 500
UNIT_DETAIL_STAFF = 200


def _number_to_text(value):
    # A JSON client may send a phone or ID number as a number.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError(_("不能包含空字符"))
    return value


def Text(max_length: int):
    """A string of at most `max_length` characters with no NUL (PostgreSQL rejects those)."""
    return Annotated[str, BeforeValidator(_number_to_text), StringConstraints(max_length=max_length, pattern=NO_NUL),
                     AfterValidator(_no_nul)]


RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]
OptId = Optional[RecordId]  # absent means "any"; `?node=` (empty) is refused by the schema
ResidencyValue = Literal[tuple(Residency.values)]  # type: ignore[valid-type]
TagValue = Literal["", "elderly", "elderly_alone", "student", "finance", "floating"]
GenderValue = Literal["", "M", "F"]


def _path_id(description: str):
    return Path(..., ge=1, le=MAX_ID, description=description)


class Paging(Schema):
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = Field(50, description=f"每页条数 1..{MAX_LIMIT}")
    offset: Annotated[int, Field(ge=0, le=MAX_ID)] = Field(0, description="跳过的条数")


class ResidentFilters(Paging):
    q: Text(100) = Field("", description="姓名（部分匹配）、手机号或身份证号（精确匹配）")
    node: OptId = Field(None, description="只看这个节点之下")
    residency: Literal[("",) + tuple(Residency.values)] = ""  # type: ignore[valid-type]
    tag: TagValue = ""


class HouseholdFilters(Paging):
    q: Text(100) = Field("", description="地址或户主姓名（部分匹配）")
    node: OptId = None


class UnitFilters(Paging):
    node: OptId = None
    kind: Literal[("",) + tuple(UnitKind.values)] = ""  # type: ignore[valid-type]


class ResidentFields(Schema):
    id_number: Text(40) = ""
    phone: Text(40) = ""
    phone2: Text(40) = ""
    gender: GenderValue = Field("", description="有身份证号时由号码推出")
    birth_date: Optional[dt.date] = Field(None, description="有身份证号时由号码推出")
    residency: ResidencyValue = Residency.PERMANENT.value
    relation: Text(200) = ""
    occupation: Text(200) = ""
    is_student: bool = False
    is_finance_staff: bool = False
    lives_alone: bool = False
    note: Text(2000) = ""


class ResidentCreateIn(ResidentFields):
    household: RecordId
    name: Text(200)


VERSION_DOC = "读取时记录的 version：记录此后已被他人修改则 409，不写入（不填则按本次读取时的版本）"


class ResidentPutIn(ResidentFields):
    household: Optional[RecordId] = Field(None, description="搬到另一户；不填则不变")
    name: Text(200)
    version: Optional[int] = Field(None, ge=1, le=2**31 - 1, description=VERSION_DOC)


class ResidentPatchIn(Schema):
    household: Optional[RecordId] = None
    name: Optional[Text(200)] = None
    id_number: Optional[Text(40)] = None
    phone: Optional[Text(40)] = None
    phone2: Optional[Text(40)] = None
    gender: Optional[GenderValue] = None
    birth_date: Optional[dt.date] = None
    residency: Optional[ResidencyValue] = None
    relation: Optional[Text(200)] = None
    occupation: Optional[Text(200)] = None
    is_student: Optional[bool] = None
    is_finance_staff: Optional[bool] = None
    lives_alone: Optional[bool] = None
    note: Optional[Text(2000)] = None
    version: Optional[int] = Field(None, ge=1, le=2**31 - 1, description=VERSION_DOC)


class HouseholdIn(Schema):
    node: RecordId = Field(..., description="网格或十联户节点")
    address: Text(400)
    head_name: Text(200) = ""
    note: Text(2000) = ""


class HouseholdPatchIn(Schema):
    node: Optional[RecordId] = None
    address: Optional[Text(400)] = None
    head_name: Optional[Text(200)] = None
    note: Optional[Text(2000)] = None
    version: Optional[int] = Field(None, ge=1, le=2**31 - 1, description=VERSION_DOC)


class ErrorOut(Schema):
    detail: str
    errors: Optional[dict[str, list[str]]] = None


class Ref(Schema):
    id: int
    name: str


class NodeOut(Schema):
    id: int
    code: str
    name: str
    level: str
    level_label: str
    parent_id: Optional[int]


class Figures(Schema):
    residents: int
    households: int
    floating: int
    elderly: int
    elderly_alone: int
    students: int
    units: int
    staff: int


class NodeDetailOut(NodeOut):
    children: list[NodeOut]
    figures: Figures


class RoleOut(Schema):
    role: str
    label: str


class MeOut(Schema):
    username: str
    display_name: str
    auth: Literal["session", "token"]
    roles: list[RoleOut]
    nodes: list[NodeOut]
    units: list[Ref]
    permissions: list[str]


class HouseholdRef(Schema):
    id: int
    address: str


class ResidentOut(Schema):
    id: int
    name: str
    gender: str
    age: Optional[int]
    residency: str
    residency_label: str
    relation: str
    occupation: str
    is_student: bool
    is_finance_staff: bool
    lives_alone: bool
    tags: list[str]
    id_number_masked: str
    phone_masked: str
    phone2_masked: str
    household: HouseholdRef
    community: Optional[Ref]
    grid: Optional[Ref]
    group_id: Optional[int]


class ResidentDetailOut(ResidentOut):
    street: Optional[Ref]
    group: Optional[Ref]
    note: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = Field(description="修改时带回，用于发现他人同时修改")


class ResidentPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ResidentOut]


class RevealOut(Schema):
    id: int
    name: str
    id_number: str
    phone: str
    phone2: str
    birth_date: Optional[dt.date]


class HouseholdOut(Schema):
    id: int
    address: str
    head_name: str
    note: str
    community_id: Optional[int]
    grid: Optional[Ref]
    group: Optional[Ref]


class HouseholdDetailOut(HouseholdOut):
    street: Optional[Ref]
    community: Optional[Ref]
    residents: list[ResidentOut]
    version: int = Field(description="修改时带回，用于发现他人同时修改")


class HouseholdPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[HouseholdOut]


class StaffOut(Schema):
    id: int
    name: str
    gender: str
    age: Optional[int]
    position: str
    employment: str
    employment_label: str
    id_number_masked: str
    phone_masked: str
    resident_id: Optional[int]
    unit_id: int


class StaffPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[StaffOut]


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    address: str
    contact_name: str
    node: Ref
    staff_count: int


class UnitDetailOut(UnitOut):
    staff: list[StaffOut] = Field(..., description=f"前 {UNIT_DETAIL_STAFF} 名职工；完整名单见 /units/{{id}}/staff")


class UnitPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[UnitOut]


def ok(schema, *extra: int) -> dict:
    """Response map for an operation: the schema on success, ErrorOut on any 4xx."""
    codes = {200: schema} if not extra else {code: schema for code in extra}
    return {**codes, codes_4xx: ErrorOut}


def _ref(obj) -> dict | None:
    return {"id": obj.id, "name": obj.name} if obj is not None else None


def _age(birth: dt.date | None, today: dt.date) -> int | None:
    if not birth:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def node_out(n: Node) -> dict:
    return {"id": n.id, "code": n.code, "name": n.name, "level": n.level,
            "level_label": str(Level(n.level).label), "parent_id": n.parent_id}


def _tags(r: Resident, age: int | None) -> list[str]:
    """The resident's targeting tags, in the vocabulary of the list's `tag` filter."""
    tags = []
    if age is not None and age >= ELDERLY_AGE:
        tags.append("elderly")
        if r.lives_alone:
            tags.append("elderly_alone")
    if r.is_student:
        tags.append("student")
    if r.is_finance_staff:
        tags.append("finance")
    if r.residency != Residency.PERMANENT:
        tags.append("floating")
    return tags


def resident_out(r: Resident, today: dt.date | None = None) -> dict:
    """Masked view of a resident; needs household, grid and community loaded."""
    age = _age(r.birth_date, today or timezone.localdate())
    return {
        "id": r.id, "name": r.name, "gender": r.gender, "age": age,
        "residency": r.residency, "residency_label": str(Residency(r.residency).label),
        "relation": r.relation, "occupation": r.occupation, "is_student": r.is_student,
        "is_finance_staff": r.is_finance_staff, "lives_alone": r.lives_alone, "tags": _tags(r, age),
        "id_number_masked": r.id_number_masked, "phone_masked": r.phone_masked, "phone2_masked": r.phone2_masked,
        "household": {"id": r.household.id, "address": r.household.address},
        "community": _ref(r.community), "grid": _ref(r.grid), "group_id": r.group_id,
    }


def resident_detail_out(r: Resident) -> dict:
    return {**resident_out(r), "street": _ref(r.street), "group": _ref(r.group), "note": r.note,
            "created_at": r.created_at, "updated_at": r.updated_at, "version": r.version}


def household_out(h: Household) -> dict:
    return {"id": h.id, "address": h.address, "head_name": h.head_name, "note": h.note,
            "community_id": h.community_id, "grid": _ref(h.grid), "group": _ref(h.group)}


def staff_out(s: StaffMember, today: dt.date) -> dict:
    return {"id": s.id, "name": s.name, "gender": s.gender, "age": _age(s.birth_date, today),
            "position": s.position, "employment": s.employment,
            "employment_label": str(Employment(s.employment).label),
            "id_number_masked": s.id_number_masked, "phone_masked": s.phone_masked,
            "resident_id": s.resident_id, "unit_id": s.unit_id}


def unit_out(u: Unit, staff_count: int) -> dict:
    return {"id": u.id, "name": u.name, "kind": u.kind, "kind_label": str(UnitKind(u.kind).label),
            "address": u.address, "contact_name": u.contact_name, "node": _ref(u.node), "staff_count": staff_count}


def page(qs, paging: Paging, convert) -> dict:
    """One page of a queryset: the total count and the items (two queries)."""
    count = qs.count()
    items = list(qs[paging.offset: paging.offset + paging.limit]) if paging.offset < count else []
    return {"count": count, "limit": paging.limit, "offset": paging.offset, "items": [convert(x) for x in items]}
