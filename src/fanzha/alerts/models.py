"""Alerts and dissuasion (预警劝阻): the county centre's warnings and the local response.

An alert sits in the org tree like every other record (ancestor columns), at
the node whose queue holds it: a grid when the person is a registered
resident, else a community or street queue for manual assignment. Scoping is
then the usual one indexed equality on the user's level column.

Time limits are stored on the alert as due timestamps (sign / contact / on
site), and `watch` / `watch_due_at` point at the next limit that would
escalate it, so both the queue and the escalation sweep are index scans.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fanzha.org.models import PiiMixin, Placed


class Grade(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class Status(models.TextChoices):
    PENDING = "pending", _("待分派")  # person not on the register: waits in a community/street queue
    NEW = "new", _("待签收")
    SIGNED = "signed", _("处置中")
    TRANSFER = "transfer", _("待移交")  # outside the jurisdiction: to be sent back to the centre
    CLOSED = "closed", _("已办结")


#: Statuses in which an alert still needs work (and can escalate).
ACTIVE_STATUSES = (Status.PENDING, Status.NEW, Status.SIGNED)


class Outcome(models.TextChoices):
    DISSUADED = "dissuaded", _("劝阻成功")
    DEFRAUDED = "defrauded", _("已被骗")
    FALSE_ALARM = "false_alarm", _("误报")
    UNREACHABLE = "unreachable", _("无法联系")
    NOT_OURS = "not_ours", _("非本辖区")


class Stage(models.TextChoices):
    """The time limits, in the order they fall due."""

    SIGN = "sign", _("签收")
    CONTACT = "contact", _("联系")
    ONSITE = "onsite", _("到场")


STAGE_ORDER = (Stage.SIGN, Stage.CONTACT, Stage.ONSITE)


class Source(models.TextChoices):
    API = "api", _("接口推送")
    UPLOAD = "upload", _("表格导入")
    DEMO = "demo", _("演示")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class Sender(models.Model):
    """A machine that pushes alerts (the county anti-fraud centre): its token's hash and its area."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    node = models.ForeignKey("org.Node", models.PROTECT, related_name="+", verbose_name=_("服务区域"))
    token_prefix = models.CharField(max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    TOKEN_PREFIX = "fzs_"

    class Meta:
        verbose_name = _("预警来源")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def new_token(cls) -> tuple[str, str, str]:
        """(token, prefix, hash): only the hash is stored."""
        token = cls.TOKEN_PREFIX + secrets.token_urlsafe(32)
        return token, token[:10], _digest(token)

    @classmethod
    def find(cls, token: str) -> Sender | None:
        return cls.objects.select_related("node").filter(token_hash=_digest(token)).first()

    @classmethod
    def find_cached(cls, token: str) -> Sender | None:
        """`find`, remembered for CACHE_SECONDS in this process: a busy sender pushes many alerts a
        second. Switching a sender off takes effect at once in this process and within
        CACHE_SECONDS in the others."""
        digest = _digest(token)
        now = time.monotonic()
        hit = _SENDER_CACHE.get(digest)
        if hit is not None and hit[0] > now:
            return hit[1]
        sender = cls.objects.select_related("node").filter(token_hash=digest).first()
        if len(_SENDER_CACHE) > 1000:
            _SENDER_CACHE.clear()
        _SENDER_CACHE[digest] = (now + cls.CACHE_SECONDS, sender)
        return sender

    CACHE_SECONDS = 5.0


_SENDER_CACHE: dict[str, tuple[float, Sender | None]] = {}


def forget_senders() -> None:
    _SENDER_CACHE.clear()


class AlertBatch(models.Model):
    """One uploaded spreadsheet of alerts, for a street or a whole county (its `area`)."""

    area = models.ForeignKey("org.Node", models.PROTECT, related_name="+", verbose_name=_("区域"))
    filename = models.CharField(_("文件名"), max_length=200, blank=True, default="")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    rows = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("预警批次")


def _place_column(label):
    # Alerts are found through the composite (level, status) and (level, received_at) indexes below;
    # a single-column index per ancestor would only slow down every write (PostgreSQL updates each
    # index of a row on every change of an indexed column).
    return models.ForeignKey("org.Node", models.PROTECT, null=True, blank=True, related_name="+", db_index=False,
                             verbose_name=label)


class Alert(Placed, PiiMixin):
    county = _place_column(_("区县"))
    street = _place_column(_("街道"))
    community = _place_column(_("社区"))
    grid = _place_column(_("网格"))
    group = _place_column(_("十联户"))  # always empty: alerts wait at grids
    # The numbers are kept like a resident's (encrypted, keyed hash, mask); nothing looks alerts up by
    # them, so their hashes carry no index.
    id_number_hash = models.CharField(max_length=32, blank=True, default="", editable=False)
    phone_hash = models.CharField(max_length=32, blank=True, default="", editable=False)

    sender = models.ForeignKey(Sender, models.PROTECT, null=True, blank=True, related_name="alerts", verbose_name=_("来源"))
    batch = models.ForeignKey(AlertBatch, models.SET_NULL, null=True, blank=True, related_name="alerts")
    source = models.CharField(_("接收方式"), max_length=8, choices=Source.choices, default=Source.API)
    external_id = models.CharField(_("预警编号"), max_length=64, blank=True, default="")
    # sender + external id (or street + external id for uploads): a retried push finds its alert.
    intake_key = models.CharField(max_length=100, null=True, blank=True, editable=False)  # unique: see Meta
    content_hash = models.CharField(max_length=32, blank=True, default="", editable=False)

    grade = models.CharField(_("预警级别"), max_length=8, choices=Grade.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.NEW)
    outcome = models.CharField(_("处置结果"), max_length=12, choices=Outcome.choices, blank=True, default="")
    name = models.CharField(_("姓名"), max_length=50, blank=True, default="")
    fraud_type_text = models.CharField(_("诈骗类型"), max_length=50, blank=True, default="")
    fraud_contact = models.CharField(_("涉诈号码/网址"), max_length=500, blank=True, default="")
    note = models.TextField(_("备注"), blank=True, default="")
    area_code = models.CharField(_("区域编码"), max_length=40, blank=True, default="")
    occurred_at = models.DateTimeField(_("预警时间"))
    received_at = models.DateTimeField(_("接收时间"))

    resident = models.ForeignKey("org.Resident", models.SET_NULL, null=True, blank=True, related_name="alerts", verbose_name=_("居民"))
    route_note = models.CharField(_("分派说明"), max_length=200, blank=True, default="")

    sign_due_at = models.DateTimeField(_("签收时限"), null=True, blank=True)
    contact_due_at = models.DateTimeField(_("联系时限"), null=True, blank=True)
    onsite_due_at = models.DateTimeField(_("到场时限"), null=True, blank=True)
    # The next time limit that escalates the alert if it is missed (None: nothing left to escalate).
    watch = models.CharField(max_length=8, choices=Stage.choices, blank=True, default="")
    watch_due_at = models.DateTimeField(null=True, blank=True)
    # How many levels the alert may still climb from its queue (grid: 2, community: 1, street: 0).
    max_escalation = models.PositiveSmallIntegerField(default=0)
    escalation_level = models.PositiveSmallIntegerField(_("升级级数"), default=0)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    escalated_to = models.ForeignKey("org.Node", models.SET_NULL, null=True, blank=True, related_name="+", db_index=False,
                                     verbose_name=_("升级至"))
    escalated_for = models.CharField(max_length=8, choices=Stage.choices, blank=True, default="")
    sweep_token = models.CharField(max_length=32, blank=True, default="", editable=False)

    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("签收人"))
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("联系次数"), default=0)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(_("首次联系上"), null=True, blank=True)
    onsite_at = models.DateTimeField(_("上门时间"), null=True, blank=True)
    judged_at = models.DateTimeField(_("研判时间"), null=True, blank=True)
    judgement = models.CharField(_("研判结论"), max_length=12, blank=True, default="")
    identity_at = models.DateTimeField(_("身份核验时间"), null=True, blank=True)
    warned_at = models.DateTimeField(_("会面宣防时间"), null=True, blank=True)
    feedback_at = models.DateTimeField(_("平台反馈时间"), null=True, blank=True)

    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                  db_index=False, verbose_name=_("办结人"))
    close_note = models.TextField(_("办结说明"), blank=True, default="")
    transfer_reason = models.CharField(_("移交原因"), max_length=200, blank=True, default="")
    saved_amount = models.DecimalField(_("避免损失（元）"), max_digits=14, decimal_places=2, default=Decimal(0))
    case = models.ForeignKey("cases.Case", models.SET_NULL, null=True, blank=True, related_name="+", db_index=False,
                             verbose_name=_("案件"))

    # Optimistic lock: every edit by a person adds one; a close names the version it saw.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("预警")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["grid", "status"]),
            models.Index(fields=["community", "status"]),
            models.Index(fields=["street", "status"]),
            models.Index(fields=["street", "received_at"]),
            models.Index(fields=["community", "received_at"]),
            models.Index(fields=["county", "received_at"]),
            models.Index(fields=["watch_due_at"], condition=Q(watch_due_at__isnull=False), name="alert_watch_due"),
            models.Index(fields=["sweep_token"], condition=~Q(sweep_token=""), name="alert_sweep_token"),
        ]
        # A constraint rather than unique=True: on PostgreSQL that would add a second (LIKE) index.
        constraints = [models.UniqueConstraint(fields=["intake_key"], name="alert_intake_key_unique")]
        permissions = [
            ("handle_alerts", "签收和处置预警"),
            ("upload_alerts", "批量导入预警"),
            ("configure_alerts", "设置预警时限、通知和来源"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.name}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def place_name(self) -> str:
        """The name of the queue's node: its grid, else community, else street ("" for none).

        An alert for a person not on the register or outside the area has no grid (and maybe
        no community): templates must not reach through the empty relations themselves."""
        for node in (self.grid, self.community, self.street):
            if node is not None:
                return node.name
        return ""

    def dues(self) -> list[tuple[str, object, object]]:
        """(stage, due, met at) for each time limit the alert has, in order."""
        out = []
        for stage, due, met in ((Stage.SIGN, self.sign_due_at, self.signed_at),
                                (Stage.CONTACT, self.contact_due_at, self.first_contact_at),
                                (Stage.ONSITE, self.onsite_due_at, self.onsite_at)):
            if due is not None:
                out.append((stage, due, met))
        return out

    def next_due(self):
        """(stage, due) of the earliest limit not yet met, or None."""
        for stage, due, met in self.dues():
            if met is None:
                return stage, due
        return None


class AssigneeReason(models.TextChoices):
    GRID_WORKER = "grid_worker", _("网格员")
    GRID_LEADER = "grid_leader", _("网格长")
    OFFICER = "officer", _("民警")
    COMMUNITY = "community", _("社区")
    MANUAL = "manual", _("指派")


class AlertAssignee(models.Model):
    """A person the alert is routed to (its queue's responders, or one picked by hand)."""

    # (alert, user) and (user, alert) below serve both look-ups: no single-column indexes.
    alert = models.ForeignKey(Alert, models.CASCADE, related_name="assignees", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", db_index=False)
    reason = models.CharField(max_length=12, choices=AssigneeReason.choices)
    assigned_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "user"], name="alert_assignee_unique")]
        indexes = [models.Index(fields=["user", "alert"])]


class EventKind(models.TextChoices):
    ROUTED = "routed", _("接收分派")
    ASSIGNED = "assigned", _("改派")
    SIGNED = "signed", _("签收")
    ATTEMPT = "attempt", _("联系")
    JUDGED = "judged", _("研判")
    IDENTITY = "identity", _("身份核验")
    WARNING = "warning", _("会面宣防")
    FEEDBACK = "feedback", _("平台反馈")
    NOTE = "note", _("备注")
    ESCALATED = "escalated", _("超时升级")
    CLOSED = "closed", _("办结")
    TRANSFER = "transfer", _("移交")
    CONFLICT = "conflict", _("重复编号内容不同")
    CORRECTED = "corrected", _("内容更正")


class ContactChannel(models.TextChoices):
    """How a responder tried to reach the person (a case's `cases.Channel` is how the fraudster reached them)."""

    PHONE = "phone", _("电话")
    ONSITE = "onsite", _("上门")
    CALLBACK_96110 = "96110", _("96110回拨")


class AttemptResult(models.TextChoices):
    REACHED = "reached", _("已联系上")
    NO_ANSWER = "no_answer", _("无人接听")
    REFUSED = "refused", _("拒接/挂断")
    UNAVAILABLE = "unavailable", _("关机/停机")
    WRONG_NUMBER = "wrong_number", _("空号/错号")
    NOT_FOUND = "not_found", _("未找到本人")


class Judgement(models.TextChoices):
    BEING_DEFRAUDED = "in_progress", _("正在被骗")
    DEFRAUDED = "defrauded", _("已被骗")
    NOT_DEFRAUDED = "not_yet", _("未被骗")
    UNCLEAR = "unclear", _("无法判断")


class AlertEvent(models.Model):
    """One step on an alert, by a person or by the system: append-only timeline."""

    alert = models.ForeignKey(Alert, models.CASCADE, related_name="events", db_index=False)  # (alert, at) below
    at = models.DateTimeField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=10, choices=EventKind.choices)
    channel = models.CharField(max_length=8, choices=ContactChannel.choices, blank=True, default="")
    result = models.CharField(max_length=12, blank=True, default="")
    note = models.CharField(max_length=1000, blank=True, default="")
    node = models.ForeignKey("org.Node", models.SET_NULL, null=True, blank=True, related_name="+", db_index=False)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["alert", "at"])]

    @property
    def result_label(self) -> str:
        """The result in words: a contact's result, a judgement, an outcome, or the limit an escalation missed."""
        choices = {EventKind.ATTEMPT: AttemptResult, EventKind.JUDGED: Judgement, EventKind.CLOSED: Outcome,
                   EventKind.TRANSFER: Outcome}.get(self.kind)
        if self.kind == EventKind.ESCALATED and self.result in Stage.values:
            return str(_("%(stage)s超时") % {"stage": Stage(self.result).label})
        if choices is not None and self.result in choices.values:
            return str(choices(self.result).label)
        return self.result


class TimeLimit(models.Model):
    """The office's time limits for one grade in its street (minutes; empty: no such limit)."""

    street = models.ForeignKey("org.Node", models.CASCADE, related_name="+", verbose_name=_("街道"))
    grade = models.CharField(_("预警级别"), max_length=8, choices=Grade.choices)
    sign_minutes = models.PositiveIntegerField(_("签收时限（分钟）"), null=True, blank=True)
    contact_minutes = models.PositiveIntegerField(_("联系时限（分钟）"), null=True, blank=True)
    onsite_minutes = models.PositiveIntegerField(_("到场时限（分钟）"), null=True, blank=True)

    class Meta:
        verbose_name = _("处置时限")
        constraints = [models.UniqueConstraint(fields=["street", "grade"], name="time_limit_unique")]


class RoutingRule(models.Model):
    """The office's routing of one grade in its street: who is assigned the alert, who is told of it.

    Streets without a row use `fanzha.alerts.rules.DEFAULT_RULES` (issue 15: every grade is
    seen by the police station and notifies its duty officers; high grade is also assigned to
    them, and they phone first)."""

    street = models.ForeignKey("org.Node", models.CASCADE, related_name="+", verbose_name=_("街道"))
    grade = models.CharField(_("预警级别"), max_length=8, choices=Grade.choices)
    assign_grid = models.BooleanField(_("派网格（网格员、网格长）"), default=True)
    assign_officers = models.BooleanField(_("派派出所民警处置"), default=False)
    notify_officers = models.BooleanField(_("通知派出所值班民警"), default=True)
    notify_community = models.BooleanField(_("通知社区"), default=False)
    officers_phone_first = models.BooleanField(_("民警先电话劝阻"), default=False)

    class Meta:
        verbose_name = _("预警分派规则")
        constraints = [models.UniqueConstraint(fields=["street", "grade"], name="routing_rule_unique")]


class Notification(models.Model):
    """An in-app message to one person (new alert, escalation, ...)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", db_index=False)  # see Meta
    created_at = models.DateTimeField()
    kind = models.CharField(max_length=12)
    text = models.CharField(max_length=300)
    alert = models.ForeignKey(Alert, models.CASCADE, null=True, blank=True, related_name="+")
    url = models.CharField(max_length=200, blank=True, default="")
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "created_at"])]


class Webhook(models.Model):
    """A group-chat bot (WeCom / DingTalk style) that hears about the street's alerts."""

    street = models.ForeignKey("org.Node", models.CASCADE, related_name="+", verbose_name=_("街道"))
    name = models.CharField(_("名称"), max_length=100, blank=True, default="")
    url = models.URLField(_("地址"), max_length=500)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("群机器人")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class WebhookDelivery(models.Model):
    """One message to a webhook, retried with backoff; every attempt is recorded."""

    webhook = models.ForeignKey(Webhook, models.CASCADE, related_name="deliveries")
    created_at = models.DateTimeField()
    payload = models.JSONField()
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    log = models.JSONField(default=list)  # [{"at": ..., "status": ..., "error": ...}] per attempt

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]


class ConflictStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    KEPT = "kept", _("保留原预警")
    APPLIED = "applied", _("已按新内容更正")


class AlertConflict(Placed):
    """A repeated alert id with different content: kept for a person to look at, never merged silently."""

    alert = models.ForeignKey(Alert, models.CASCADE, related_name="conflicts")
    sender = models.ForeignKey(Sender, models.SET_NULL, null=True, blank=True, related_name="+")
    external_id = models.CharField(max_length=64)
    received_at = models.DateTimeField()
    content_hash = models.CharField(max_length=32)
    payload_enc = models.TextField(editable=False)  # the second version, encrypted (it holds ID/phone numbers)
    differences = models.JSONField(default=list)  # [{"field", "label", "old", "new"}] with numbers masked
    status = models.CharField(max_length=8, choices=ConflictStatus.choices, default=ConflictStatus.OPEN)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("预警编号冲突")
        ordering = ["-received_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["alert", "content_hash"], name="alert_conflict_unique")]
