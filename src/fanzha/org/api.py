"""JSON API for the org tree, residents, households and units (/api/v1/...).

Every read goes through `fanzha.org.selectors` and every write through
`fanzha.org.services`, exactly as the pages do, so the API sees the same
records and applies the same rules. A record outside the caller's part of the
tree answers 404 like one that does not exist. ID and phone numbers are
masked; the full numbers come only from POST /residents/{id}/reveal, which
needs the reveal permission and is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Optional

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import codes_4xx
from pydantic import AfterValidator, BeforeValidator, StringConstraints

from fanzha.core.versioning import Conflict
from fanzha.core.access import require
from fanzha.core.api_types import NO_NUL
from fanzha.core.audit import audit
from fanzha.core.models import AuditAction
from fanzha.core.scoping import scope_of
from fanzha.org import selectors, services
from fanzha.org.models import (
    ELDERLY_AGE,
    Employment,
    Household,
    Level,
    Node,
    Resident,
    Residency,
    Role,
    StaffMember,
    Unit,
    UnitKind,
)
from fanzha.org.roles import ALL_PERMS

router = Router()

CHANGE_RECORDS = "org.change_records"
REVEAL_PII = "org.reveal_pii"
MAX_ID = 2**63 - 1  # the largest primary key any supported database stores
MAX_LIMIT = 500
UNIT_DETAIL_STAFF = 200


# --- input types ---------------------------------------------------------------


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


# --- output schemas ------------------------------------------------------------


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


# --- serialisation -------------------------------------------------------------


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


def _filter_node(user, node_id: int | None) -> Node | None:
    return selectors.node_get(user, node_id) if node_id is not None else None


def _household_for_write(user, household_id: int) -> Household:
    """A household named in a request body; missing and out-of-scope answer 404 alike (as in a path)."""
    return selectors.household_get(user, household_id)


def _node_for_write(user, node_id: int) -> Node:
    return selectors.node_get(user, node_id)


# --- who am I ------------------------------------------------------------------


@router.get("/me", response=ok(MeOut), tags=["me"], summary="当前用户、角色、范围和权限")
def me(request):
    user = request.auth
    scope = scope_of(user)
    roles = [{"role": r.value, "label": str(r.label)} for r in Role if r.value in scope.roles]
    perms = sorted(p.split(".", 1)[1] for p in user.get_all_permissions()
                   if p.startswith("org.") and p.split(".", 1)[1] in ALL_PERMS)
    units = Unit.objects.filter(pk__in=sorted(scope.unit_ids)).order_by("name") if scope.unit_ids else []
    return {
        "username": user.get_username(),
        "display_name": getattr(user, "display_name", "") or "",
        "auth": "token" if getattr(request, "api_token", None) is not None else "session",
        "roles": roles,
        "nodes": [node_out(n) for n in selectors.top_nodes(user)],
        "units": [_ref(u) for u in units],
        "permissions": perms,
    }


# --- org tree ------------------------------------------------------------------


@router.get("/nodes", response=ok(list[NodeOut]), tags=["nodes"], summary="用户范围的顶层节点")
def nodes(request):
    return [node_out(n) for n in selectors.top_nodes(request.auth)]


@router.get("/nodes/{node_id}", response=ok(NodeDetailOut), tags=["nodes"], summary="节点、下级节点和统计数")
def node_detail(request, node_id: int = _path_id("节点 id")):
    user = request.auth
    node = selectors.node_get(user, node_id)
    return {**node_out(node), "children": [node_out(c) for c in selectors.node_children(user, node)],
            "figures": selectors.figures(user, node)}


@router.get("/nodes/{node_id}/children", response=ok(list[NodeOut]), tags=["nodes"], summary="下级节点")
def node_children(request, node_id: int = _path_id("节点 id")):
    user = request.auth
    node = selectors.node_get(user, node_id)
    return [node_out(c) for c in selectors.node_children(user, node)]


# --- residents -----------------------------------------------------------------


@router.get("/residents", response=ok(ResidentPage), tags=["residents"], summary="查找居民（号码脱敏）")
def residents(request, filters: Query[ResidentFilters]):
    user = request.auth
    qs = selectors.resident_search(user, q=filters.q, node=_filter_node(user, filters.node),
                                   residency=filters.residency, tag=filters.tag, request=request)
    today = timezone.localdate()
    return page(qs, filters, lambda r: resident_out(r, today))


@router.get("/residents/{resident_id}", response=ok(ResidentDetailOut), tags=["residents"], summary="居民详情（号码脱敏）")
def resident_detail(request, resident_id: int = _path_id("居民 id")):
    return resident_detail_out(selectors.resident_get(request.auth, resident_id))


@router.post("/residents", response=ok(ResidentDetailOut, 201), tags=["residents"], summary="登记居民")
def resident_create(request, payload: ResidentCreateIn):
    user = request.auth
    require(user, CHANGE_RECORDS, _("您的角色只能查看，不能录入或修改"))
    household = _household_for_write(user, payload.household)
    r = services.resident_create(household=household, **payload.model_dump(exclude={"household"}),
                                 user=user, request=request)
    return 201, resident_detail_out(selectors.resident_get(user, r.pk))


def _resident_current(r: Resident) -> dict:
    return {"name": r.name, "id_number": r.id_number, "phone": r.phone, "phone2": r.phone2,
            "gender": r.gender, "birth_date": r.birth_date, "residency": r.residency,
            "relation": r.relation, "occupation": r.occupation, "is_student": r.is_student,
            "is_finance_staff": r.is_finance_staff, "lives_alone": r.lives_alone, "note": r.note}


@router.put("/residents/{resident_id}", response=ok(ResidentDetailOut), tags=["residents"],
            summary="修改居民（整条替换：未给出的字段清空）")
def resident_put(request, payload: ResidentPutIn, resident_id: int = _path_id("居民 id")):
    user = request.auth
    require(user, CHANGE_RECORDS, _("您的角色只能查看，不能录入或修改"))
    r = selectors.resident_get(user, resident_id)
    household = _household_for_write(user, payload.household) if payload.household is not None else None
    services.resident_update(resident=r, household=household, **payload.model_dump(exclude={"household"}),
                             user=user, request=request)
    return resident_detail_out(selectors.resident_get(user, r.pk))


@router.patch("/residents/{resident_id}", response=ok(ResidentDetailOut), tags=["residents"],
              summary="修改居民（只改给出的字段）")
def resident_patch(request, payload: ResidentPatchIn, resident_id: int = _path_id("居民 id")):
    user = request.auth
    require(user, CHANGE_RECORDS, _("您的角色只能查看，不能录入或修改"))
    # null clears a birth date; for any other field it means "leave as is".
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None or k == "birth_date"}
    household_id = changes.pop("household", None)
    version = changes.pop("version", None)
    household = _household_for_write(user, household_id) if household_id is not None else None
    r = _patched(lambda r: services.resident_update(resident=r, household=household, version=version, user=user,
                                                    request=request, **{**_resident_current(r), **changes}),
                 lambda: selectors.resident_get(user, resident_id), retry=version is None)
    return resident_detail_out(selectors.resident_get(user, r.pk))


def _patched(write, read, *, retry: bool):
    """Apply a PATCH to the record as read now. Without a version from the client a PATCH names only the
    fields it changes, so when another save lands between the read and the write it is applied again to the
    newer record (the other save's fields kept); with a version, a stale one answers 409."""
    for attempt in range(3 if retry else 1):
        obj = read()
        try:
            write(obj)
            return obj
        except Conflict:
            if not retry or attempt == 2:
                raise
    raise AssertionError("unreachable")


@router.post("/residents/{resident_id}/reveal", response=ok(RevealOut), tags=["residents"],
             summary="查看完整身份证号和手机号（记入审计日志）")
def resident_reveal(request, response: HttpResponse, resident_id: int = _path_id("居民 id")):
    user = request.auth
    require(user, REVEAL_PII, _("您没有查看完整号码的权限"))
    r = selectors.resident_get(user, resident_id)
    audit(user=user, action=AuditAction.REVEAL, target=f"resident:{r.pk}", detail=r.name, request=request)
    response["Cache-Control"] = "no-store"
    return {"id": r.id, "name": r.name, "id_number": r.id_number, "phone": r.phone, "phone2": r.phone2,
            "birth_date": r.birth_date}


# --- households ----------------------------------------------------------------


@router.get("/households", response=ok(HouseholdPage), tags=["households"], summary="户列表")
def households(request, filters: Query[HouseholdFilters]):
    user = request.auth
    qs = selectors.households_for(user, node=_filter_node(user, filters.node), q=filters.q)
    return page(qs, filters, household_out)


def household_detail_out(user, h: Household) -> dict:
    members = (selectors.residents_for(user).filter(household=h)
               .select_related("household", "grid", "community").order_by("id"))
    today = timezone.localdate()
    return {**household_out(h), "street": _ref(h.street), "community": _ref(h.community),
            "residents": [resident_out(r, today) for r in members], "version": h.version}


@router.get("/households/{household_id}", response=ok(HouseholdDetailOut), tags=["households"],
            summary="户详情和家庭成员（号码脱敏）")
def household_detail(request, household_id: int = _path_id("户 id")):
    user = request.auth
    return household_detail_out(user, selectors.household_get(user, household_id))


@router.post("/households", response=ok(HouseholdDetailOut, 201), tags=["households"], summary="登记户")
def household_create(request, payload: HouseholdIn):
    user = request.auth
    require(user, CHANGE_RECORDS, _("您的角色只能查看，不能录入或修改"))
    node = _node_for_write(user, payload.node)
    h = services.household_create(node=node, address=payload.address, head_name=payload.head_name, note=payload.note)
    return 201, household_detail_out(user, selectors.household_get(user, h.pk))


@router.patch("/households/{household_id}", response=ok(HouseholdDetailOut), tags=["households"],
              summary="修改户（只改给出的字段；换节点时家庭成员随户移动）")
def household_patch(request, payload: HouseholdPatchIn, household_id: int = _path_id("户 id")):
    user = request.auth
    require(user, CHANGE_RECORDS, _("您的角色只能查看，不能录入或修改"))
    changes = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    version = changes.pop("version", None)
    node = _node_for_write(user, changes["node"]) if "node" in changes else None
    h = _patched(lambda h: services.household_update(
        household=h, node=node, address=changes.get("address", h.address), head_name=changes.get("head_name", h.head_name),
        note=changes.get("note", h.note), version=version),
        lambda: selectors.household_get(user, household_id), retry=version is None)
    return household_detail_out(user, selectors.household_get(user, h.pk))


# --- units ---------------------------------------------------------------------


@router.get("/units", response=ok(UnitPage), tags=["units"], summary="单位列表")
def units(request, filters: Query[UnitFilters]):
    user = request.auth
    qs = selectors.units_for(user, node=_filter_node(user, filters.node), kind=filters.kind)
    return page(qs, filters, lambda u: unit_out(u, u.staff_count))


@router.get("/units/{unit_id}", response=ok(UnitDetailOut), tags=["units"], summary="单位详情和职工（号码脱敏）")
def unit_detail(request, unit_id: int = _path_id("单位 id")):
    user = request.auth
    unit = selectors.unit_get(user, unit_id)
    staff = selectors.staff_for(user, unit=unit)
    today = timezone.localdate()
    return {**unit_out(unit, staff.count()), "staff": [staff_out(s, today) for s in staff[:UNIT_DETAIL_STAFF]]}


@router.get("/units/{unit_id}/staff", response=ok(StaffPage), tags=["units"], summary="单位职工名单（号码脱敏）")
def unit_staff(request, paging: Query[Paging], unit_id: int = _path_id("单位 id")):
    user = request.auth
    unit = selectors.unit_get(user, unit_id)
    today = timezone.localdate()
    return page(selectors.staff_for(user, unit=unit), paging, lambda s: staff_out(s, today))
