"""Alerts in the JSON API.

`POST /api/v1/alerts` is the county centre's intake: authenticated with a
*sender* token (`Authorization: Bearer fzs_...`, from `fanzha alerts sender
create`), not a user's. Idempotent on the sender's alert id:
- 201: a new alert, with where it was routed;
- 200: the same id with the same content again (a retry) — the same alert;
- 409: the same id with different content — kept as a conflict for a person,
  nothing merged;
- 400: a field is wrong (unknown grade, malformed phone or ID number, a time in
  the future, ...), with a message per field; nothing stored;
- 401: no token or an unknown one; 403: the sender is switched off;
- 413: a body over 64 KB.

The other endpoints are the responder's: the same queue, steps and figures as
the pages, with the same scoping (404 outside the caller's part of the tree) and
permissions (403 without `alerts.handle_alerts`).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal, Optional, Union

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer
from pydantic import AliasChoices

from fanzha.alerts import selectors, services
from fanzha.alerts.figures import Window, alert_figures
from fanzha.alerts.models import Alert, Sender, Status
from fanzha.core.access import require
from fanzha.core.scoping import node_for
from fanzha.core.api_types import PERIOD_PATTERN, Money

router = Router(tags=["alerts"])

#: A pushed alert is a few hundred bytes; anything this big is refused before it is parsed.
ALERT_MAX_BODY = 64 * 1024
TOUCH_INTERVAL = dt.timedelta(minutes=1)


class SenderAuth(HttpBearer):
    """`Authorization: Bearer fzs_...`: a sender token (only its hash is stored)."""

    openapi_description = "预警来源令牌（fanzha alerts sender create NAME）"

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > ALERT_MAX_BODY:
            raise HttpError(413, _("请求体过大（单条预警上限 %(n)d KB）") % {"n": ALERT_MAX_BODY // 1024})
        header = (request.headers.get("Authorization") or "").strip()
        scheme, _sep, key = header.partition(" ")
        key = key.strip()
        if not header or scheme.lower() != "bearer" or not key:
            raise AuthenticationError(401, _("缺少预警来源令牌：请在 Authorization 头中提供 Bearer fzs_...（fanzha alerts sender create 生成）"))
        return self.authenticate(request, key)

    def authenticate(self, request, token):
        sender = Sender.find_cached(token) if len(token) <= 200 else None
        if sender is None:
            raise AuthenticationError(401, _("预警来源令牌无效"))
        if not sender.active:
            raise HttpError(403, _("预警来源“%(name)s”已停用，请联系街道反诈办") % {"name": sender.name})
        now = timezone.now()
        if sender.last_used_at is None or now - sender.last_used_at >= TOUCH_INTERVAL:
            Sender.objects.filter(pk=sender.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_INTERVAL)).update(last_used_at=now)
            sender.last_used_at = now
        request.sender = sender
        return sender


sender_auth = SenderAuth()

Scalar = Union[str, int, float, None]


class AlertIn(Schema):
    id: Scalar = Field(..., validation_alias=AliasChoices("id", "alert_id", "external_id"),
                       description="发送方自己的预警编号；重发时保持不变")
    time: Scalar = Field(..., validation_alias=AliasChoices("time", "occurred_at", "alert_time"),
                         description="预警时间：ISO 8601（不带时区按北京时间）或 Unix 秒/毫秒")
    grade: Scalar = Field(..., description="预警级别：高/中/低 或 high/medium/low")
    name: Scalar = None
    phone: Scalar = None
    id_number: Scalar = None
    fraud_type: Scalar = Field(None, description="疑似诈骗类型")
    fraud_contact: Scalar = Field(None, description="涉诈号码、网址或App")
    note: Scalar = None
    area_code: Scalar = Field(None, description="可选：发送方判断的所属区域（组织节点编码）")


class DueOut(Schema):
    sign: dt.datetime | None
    contact: dt.datetime | None
    onsite: dt.datetime | None


class RoutedOut(Schema):
    id: int
    external_id: str
    created: bool
    status: str
    status_label: str
    grade: str
    routed_to: dict | None
    assignees: list[str]
    resident_found: bool
    route_note: str
    transfer_reason: str
    phone: str
    id_number: str
    due: DueOut


class ConflictOut(Schema):
    detail: str
    alert_id: int
    conflict_id: int
    differences: list[dict]


def _routed(alert: Alert, created: bool) -> dict:
    from fanzha.org.models import Node

    node_id = alert.grid_id or alert.community_id or alert.street_id or alert.county_id
    node = Node.objects.filter(pk=node_id).values("id", "name", "level", "code").first() if node_id else None
    names = [str(a.user) for a in alert.assignees.select_related("user").order_by("id")]
    return {
        "id": alert.pk, "external_id": alert.external_id, "created": created, "status": alert.status,
        "status_label": str(alert.get_status_display()), "grade": alert.grade, "routed_to": node,
        "assignees": names, "resident_found": alert.resident_id is not None, "route_note": alert.route_note,
        "transfer_reason": alert.transfer_reason, "phone": alert.phone_masked, "id_number": alert.id_number_masked,
        "due": {"sign": alert.sign_due_at, "contact": alert.contact_due_at, "onsite": alert.onsite_due_at},
    }


def _routed_new(result: services.IngestResult) -> dict:
    """`_routed` of an alert the intake has just stored, from its column values (no model instance)."""
    v = result.values
    return {
        "id": result.pk, "external_id": v["external_id"], "created": True, "status": v["status"],
        "status_label": str(Status(v["status"]).label), "grade": v["grade"], "routed_to": result.routed["node"],
        "assignees": result.routed["assignees"], "resident_found": v["resident_id"] is not None,
        "route_note": v["route_note"], "transfer_reason": v["transfer_reason"], "phone": v["phone_masked"],
        "id_number": v["id_number_masked"],
        "due": {"sign": v["sign_due_at"], "contact": v["contact_due_at"], "onsite": v["onsite_due_at"]},
    }


@router.post("/alerts", auth=sender_auth, response={200: RoutedOut, 201: RoutedOut, 409: ConflictOut},
             summary="Push an alert (sender token)")
def alert_push(request, payload: AlertIn):
    """Take one alert from the county centre; the answer says where it went. Safe to retry."""
    data = {"external_id": payload.id, "occurred_at": payload.time, "grade": payload.grade, "name": payload.name,
            "phone": payload.phone, "id_number": payload.id_number, "fraud_type": payload.fraud_type,
            "fraud_contact": payload.fraud_contact, "note": payload.note, "area_code": payload.area_code}
    data = {k: (None if v is None else (v if k == "occurred_at" else str(v))) for k, v in data.items()}
    try:
        result = services.alert_ingest(sender=request.sender, data=data)
    except services.AlertIdConflict as e:
        c = e.conflict
        return 409, {"detail": _("预警编号%(id)s已收到过，但这次内容不同（%(f)s）：已另存为冲突#%(c)d待人工核对，原预警未改动") % {
            "id": c.external_id, "c": c.pk, "f": "、".join(d["label"] for d in c.differences)},
            "alert_id": c.alert_id, "conflict_id": c.pk, "differences": c.differences}
    if result.created:
        # Rendered as it stands: the values are the ones just stored and have RoutedOut's types
        # (a test checks the answer against the schema), so ninja's re-validation would only cost time.
        from fanzha.api import api

        return api.create_response(request, _routed_new(result), status=201)
    return 200, _routed(result.alert, False)


class SenderOut(Schema):
    name: str
    area: dict
    active: bool


@router.get("/alerts/sender", auth=sender_auth, response=SenderOut, summary="Check a sender token")
def alert_sender(request):
    """The sender the token belongs to and the area it pushes for: a centre checks its token before pushing."""
    s = request.sender
    return {"name": s.name, "area": {"id": s.node_id, "name": s.node.name, "code": s.node.code}, "active": s.active}


# --- the responder's side -----------------------------------------------------------------------


class AlertOut(Schema):
    id: int
    external_id: str
    grade: str
    status: str
    outcome: str
    name: str
    phone: str
    id_number: str
    fraud_type: str
    fraud_contact: str
    occurred_at: dt.datetime
    received_at: dt.datetime
    street_id: int | None
    community_id: int | None
    grid_id: int | None
    signed_by: str | None
    signed_at: dt.datetime | None
    first_contact_at: dt.datetime | None
    onsite_at: dt.datetime | None
    escalation_level: int
    escalated_to_id: int | None
    due: DueOut
    seconds_left: int | None
    version: int


def _out(a: Alert) -> dict:
    left = selectors.time_left(a)
    return {
        "id": a.pk, "external_id": a.external_id, "grade": a.grade, "status": a.status, "outcome": a.outcome,
        "name": a.name, "phone": a.phone_masked, "id_number": a.id_number_masked, "fraud_type": a.fraud_type_text,
        "fraud_contact": a.fraud_contact, "occurred_at": a.occurred_at, "received_at": a.received_at,
        "street_id": a.street_id, "community_id": a.community_id, "grid_id": a.grid_id,
        "signed_by": str(a.signed_by) if a.signed_by_id else None, "signed_at": a.signed_at,
        "first_contact_at": a.first_contact_at, "onsite_at": a.onsite_at, "escalation_level": a.escalation_level,
        "escalated_to_id": a.escalated_to_id,
        "due": {"sign": a.sign_due_at, "contact": a.contact_due_at, "onsite": a.onsite_due_at},
        "seconds_left": left["seconds"] if left else None, "version": a.version,
    }


class QueueFilters(Schema):
    tab: Literal["open", "mine", "pending", "escalated", "transfer", "closed"] = "open"


@router.get("/alerts", response=list[AlertOut], summary="The caller's alert queue")
def alert_list(request, filters: Query[QueueFilters]):
    """Most urgent first (closed: latest first), at most 100."""
    if not selectors.can_see_alerts(request.user):
        return []
    return [_out(a) for a in selectors.alert_queue(request.user, tab=filters.tab)]


@router.get("/alerts/{int:alert_id}", response=AlertOut, summary="One alert")
def alert_detail(request, alert_id: int):
    return _out(selectors.alert_get(request.user, alert_id))


def _acting(request, alert_id: int) -> Alert:
    require(request.user, "alerts.handle_alerts", _("您的角色不处置预警"))
    return selectors.alert_get(request.user, alert_id)


@router.post("/alerts/{int:alert_id}/sign", response=AlertOut, summary="Sign for an alert")
def alert_sign(request, alert_id: int):
    """Exactly one person wins; the others get 409 naming who has it."""
    alert = _acting(request, alert_id)
    try:
        a = services.alert_sign(user=request.user, alert=alert)
    except services.AlertTaken as e:
        raise HttpError(409, "；".join(e.messages)) from None
    return _out(selectors.alert_get(request.user, a.pk))


class ContactIn(Schema):
    channel: Literal["phone", "onsite", "96110"] = "phone"
    result: Literal["reached", "no_answer", "refused", "unavailable", "wrong_number", "not_found"]
    note: str = Field("", max_length=1000)


@router.post("/alerts/{int:alert_id}/contacts", response=AlertOut, summary="Record a contact attempt")
def alert_contact(request, alert_id: int, payload: ContactIn):
    alert = _acting(request, alert_id)
    services.alert_contact_add(user=request.user, alert=alert, channel=payload.channel, result=payload.result,
                               note=payload.note)
    return _out(selectors.alert_get(request.user, alert_id))


class StepIn(Schema):
    step: Literal["judged", "identity", "warning", "feedback", "note"]
    judgement: Literal["", "in_progress", "defrauded", "not_yet", "unclear"] = ""
    note: str = Field("", max_length=1000)


@router.post("/alerts/{int:alert_id}/steps", response=AlertOut, summary="Record a step (judge, identity, warning, feedback, note)")
def alert_step(request, alert_id: int, payload: StepIn):
    alert = _acting(request, alert_id)
    services.alert_step_record(user=request.user, alert=alert, step=payload.step, judgement=payload.judgement,
                               note=payload.note)
    return _out(selectors.alert_get(request.user, alert_id))


class AlertCloseIn(Schema):
    version: int = Field(..., ge=1, le=2**31 - 1, description="the version the caller last saw (optimistic lock)")
    outcome: Literal["dissuaded", "defrauded", "false_alarm", "unreachable", "not_ours"]
    note: str = Field("", max_length=2000)
    saved_amount: Money = Decimal(0)
    loss: Money = Decimal(0)


class CloseOut(AlertOut):
    case_id: int | None


@router.post("/alerts/{int:alert_id}/close", response=CloseOut, summary="Close an alert with its outcome")
def alert_close(request, alert_id: int, payload: AlertCloseIn):
    """409 if the alert changed since `version` (nothing overwritten)."""
    alert = _acting(request, alert_id)
    try:
        result = services.alert_close(user=request.user, alert=alert, version=payload.version, outcome=payload.outcome,
                                      note=payload.note, saved_amount=payload.saved_amount, loss=payload.loss)
    except services.AlertEditConflict as e:
        raise HttpError(409, "；".join(e.messages)) from None
    return {**_out(selectors.alert_get(request.user, alert_id)), "case_id": result.case.pk if result.case else None}


class FigureFilters(Schema):
    node: int | None = Field(None, ge=1, le=2**63 - 1)
    period: str = Field("", max_length=12, pattern=rf"^(recent|{PERIOD_PATTERN[1:-1]})$",
                        description="'' or 'recent' (six months), 2025, 2025H1, 2025Q3, 2025-07")
    start: Optional[dt.date] = Field(None, description="first day (YYYY-MM-DD); with `end`, instead of `period`")
    end: Optional[dt.date] = Field(None, description="last day (YYYY-MM-DD), inclusive")


@router.get("/stats/alerts", summary="Alert figures by node, period and person")
def alert_stats(request, filters: Query[FigureFilters]):
    """Received, signed and reached within the limit (%), median and 90th-percentile times, outcomes and
    money saved; for the node (or the caller's scope), its children and each person who signed."""
    if not selectors.can_see_alerts(request.user):
        raise Http404
    node = node_for(request.user, filters.node)
    try:
        if filters.start or filters.end:
            window = Window.between(filters.start or Window.parse("").start, filters.end or timezone.localdate())
        else:
            window = Window.parse(filters.period)
    except ValueError as e:
        raise ValidationError({"start" if filters.start or filters.end else "period": [str(e)]}) from None
    return alert_figures(request.user, node=node, window=window)
