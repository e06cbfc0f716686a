"""JSON API for the org tree, residents, households and units (/api/v1/...).

Every read goes through `fanzha.org.selectors` and every write through
`fanzha.org.services`, exactly as the pages do, so the API sees the same
records and applies the same rules. A record outside the caller's part of the
tree answers 404 like one that does not exist. ID and phone numbers are
masked; the full numbers come only from POST /residents/{id}/reveal, which
needs the reveal permission and is written to the audit log.

This module holds the endpoints; what they read and answer (schemas, limits, converters) is in `schemas`.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from fanzha.core.versioning import Conflict
from fanzha.core.access import require
from fanzha.core.audit import audit
from fanzha.core.models import AuditAction
from fanzha.core.scoping import scope_of
from fanzha.org import selectors, services
from fanzha.org.models import Household, Node, Resident, Role, Unit
from fanzha.org.roles import ALL_PERMS
from fanzha.org.api.schemas import (
    HouseholdDetailOut,
    HouseholdFilters,
    HouseholdIn,
    HouseholdPage,
    HouseholdPatchIn,
    MeOut,
    NodeDetailOut,
    NodeOut,
    Paging,
    ResidentCreateIn,
    ResidentDetailOut,
    ResidentFilters,
    ResidentPage,
    ResidentPatchIn,
    ResidentPutIn,
    RevealOut,
    StaffPage,
    UNIT_DETAIL_STAFF,
    UnitDetailOut,
    UnitFilters,
    UnitPage,
    _path_id,
    _ref,
    household_out,
    node_out,
    ok,
    page,
    resident_detail_out,
    resident_out,
    staff_out,
    unit_out,
)


router = Router()
CHANGE_RECORDS = "org.change_records"
REVEAL_PII = "org.reveal_pii"


def _filter_node(user, node_id: int | None) -> Node | None:
    return selectors.node_get(user, node_id) if node_id is not None else None


def _household_for_write(user, household_id: int) -> Household:
    """A household named in a request body; missing and out-of-scope answer 404 alike (as in a path)."""
    return selectors.household_get(user, household_id)


def _node_for_write(user, node_id: int) -> Node:
    return selectors.node_get(user, node_id)


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
