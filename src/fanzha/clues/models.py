"""Clues (线索): every lead about fraud, from any source, tracked to an outcome.

A clue sits in the org tree like every other record (ancestor columns), at the
community or grid it is about (or at the street when nobody knows where). The
workflow is one status column:

    new ─check→ checked ─hand off→ handed ─answer→ answered ─close→ closed
        └ duplicate → merged (into another clue; its receipt follows that clue)
        └ no substance → closed

A hand-off (吹哨) is its own row (`Handoff`): to the police station or to a
department (a `Unit` whose account holds the `department` role), with a
deadline; the department's answer (报到) is written on the same row, so its
response time and whether it met the deadline are measured per department.
The clue keeps the current hand-off's unit in `unit`, which is what a
department's scope matches (`scope_unit_field`): a department sees exactly
the clues handed to it.

Numbers, accounts, URLs and app names named in a clue are `ClueSubject` rows
with a keyed hash, so a new clue finds the open clues naming the same thing
with one index probe and no plaintext search.
"""

from __future__ import annotations
from fanzha.core.versioning import version_field

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fanzha.org.models import Placed


class Source(models.TextChoices):
    PUBLIC = "public", _("群众举报")
    STAFF = "staff", _("网格员/民警上报")
    SWEEP = "sweep", _("周三打卡")
    PREMISES = "premises", _("场所检查")
    WECHAT = "wechat", _("微信群")
    P12337 = "p12337", _("12337平台")
    OTHER = "other", _("其他")


class Kind(models.TextChoices):
    DEN = "den", _("诈骗窝点")
    SUSPECT = "suspect", _("可疑人员")
    TWO_CARDS = "two_cards", _("出租出借两卡")
    NUMBER = "number", _("涉诈电话/账号")
    SITE_APP = "site_app", _("涉诈网址/App")
    AD = "ad", _("诈骗广告/传单")
    VICTIM = "victim", _("可能有人被骗")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    NEW = "new", _("待核查")
    CHECKED = "checked", _("待交办")
    HANDED = "handed", _("已交办")
    ANSWERED = "answered", _("部门已报到")
    CLOSED = "closed", _("已办结")
    MERGED = "merged", _("已合并")


OPEN_STATUSES = (Status.NEW, Status.CHECKED, Status.HANDED, Status.ANSWERED)

#: What a reporter reads for each status: plain words, nothing internal.
PUBLIC_STATUS = {
    Status.NEW: _("已收到，等待核查"),
    Status.CHECKED: _("已核查，正在安排处理"),
    Status.HANDED: _("已交有关部门处理"),
    Status.ANSWERED: _("有关部门已反馈，正在办结"),
    Status.CLOSED: _("已办结"),
}


class Verdict(models.TextChoices):
    REAL = "real", _("属实")
    DUPLICATE = "duplicate", _("重复线索")
    NO_SUBSTANCE = "no_substance", _("无实质内容")


class Outcome(models.TextChoices):
    CASE_OPENED = "case_opened", _("已立案")
    KEY_PERSON = "key_person", _("已纳入重点人员")
    PREMISES = "premises", _("场所已整治")
    DISSUADED = "dissuaded", _("已劝阻")
    NO_FRAUD = "no_fraud", _("未发现诈骗")
    REFERRED = "referred", _("已转其他部门")


#: The public outcome text a reporter reads unless the office writes its own.
PUBLIC_OUTCOME = {
    Outcome.CASE_OPENED: _("经核查，公安机关已立案侦查。感谢您的举报！"),
    Outcome.KEY_PERSON: _("经核查，有关人员已纳入重点管理。感谢您的举报！"),
    Outcome.PREMISES: _("经核查，有关场所已整治。感谢您的举报！"),
    Outcome.DISSUADED: _("经核查，已对有关群众进行劝阻，未造成损失。感谢您的举报！"),
    Outcome.NO_FRAUD: _("经核查，未发现诈骗行为。感谢您的关心！"),
    Outcome.REFERRED: _("您反映的情况已转交其他主管部门处理。感谢您的举报！"),
}


class SubjectKind(models.TextChoices):
    PHONE = "phone", _("电话号码")
    ACCOUNT = "account", _("账号")
    URL = "url", _("网址")
    APP = "app", _("App名称")


class Clue(Placed):
    version = version_field()  # optimistic lock (fanzha.core.versioning)
    scope_unit_field = "unit_id"  # a department sees the clues currently handed to it

    receipt_code = models.CharField(_("回执码"), max_length=12, unique=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.OTHER)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.NEW)
    verdict = models.CharField(_("核查结论"), max_length=12, choices=Verdict.choices, blank=True, default="")
    outcome = models.CharField(_("办结结果"), max_length=12, choices=Outcome.choices, blank=True, default="")

    summary = models.TextField(_("线索内容"))
    place_text = models.CharField(_("地点"), max_length=200, blank=True, default="")
    occurred_on = models.DateField(_("发生日期"), null=True, blank=True)
    reporter_name = models.CharField(_("举报人"), max_length=50, blank=True, default="")
    reporter_phone_enc = models.TextField(blank=True, default="", editable=False)
    reporter_phone_masked = models.CharField(_("举报人电话"), max_length=16, blank=True, default="")
    anonymous = models.BooleanField(_("匿名"), default=False)
    public_outcome = models.CharField(_("对外答复"), max_length=500, blank=True, default="")
    note = models.TextField(_("内部备注"), blank=True, default="")

    # the current hand-off: police station (to_police) or a department unit
    to_police = models.BooleanField(_("交办派出所"), default=False)
    unit = models.ForeignKey("org.Unit", models.PROTECT, null=True, blank=True, related_name="clues", verbose_name=_("承办部门"))
    due_at = models.DateTimeField(_("办理时限"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("超时升级时间"), null=True, blank=True)

    merged_into = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="merged", verbose_name=_("合并到"))
    # a public form's challenge can be used once: the second clue with the same nonce fails on this column
    challenge_nonce = models.CharField(max_length=32, null=True, blank=True, unique=True, editable=False)
    # a batch import's row key (street + source + external id), so re-importing a file adds nothing
    import_key = models.CharField(max_length=120, null=True, blank=True, unique=True, editable=False)
    external_ref = models.CharField(_("外部编号"), max_length=64, blank=True, default="")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("录入人"))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("核查人"))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("办结人"))
    received_at = models.DateTimeField(_("接收时间"))
    checked_at = models.DateTimeField(_("核查时间"), null=True, blank=True)
    handed_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    answered_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # seconds from receipt to check / to first hand-off / to close: the figures read these, not timestamps
    check_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)
    handoff_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)
    close_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("线索")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["county", "received_at"], name="clue_county_received"),
            models.Index(fields=["street", "status", "received_at"], name="clue_street_status"),
            models.Index(fields=["community", "received_at"], name="clue_community_received"),
            models.Index(fields=["grid", "received_at"], name="clue_grid_received"),
            models.Index(fields=["unit", "status"], name="clue_unit_status"),
            # The figures' GROUP BY reads only these, in order (no sort, no table rows) for a county or a street.
            models.Index(fields=["county", "source", "kind", "status", "outcome", "street", "received_at",
                                 "check_seconds", "handoff_seconds", "close_seconds"], name="clue_county_figures"),
            models.Index(fields=["street", "source", "kind", "status", "outcome", "community", "received_at",
                                 "check_seconds", "handoff_seconds", "close_seconds"], name="clue_street_figures"),
        ]
        permissions = [("manage_clues", "核查、交办和办结线索")]

    def __str__(self) -> str:
        return self.receipt_display

    @property
    def receipt_display(self) -> str:
        c = self.receipt_code
        return f"{c[:4]} {c[4:8]} {c[8:]}"

    @property
    def reporter_phone(self) -> str:
        from fanzha.core import pii

        return pii.decrypt(self.reporter_phone_enc)

    @property
    def handed_to_label(self) -> str:
        if self.to_police:
            return str(_("派出所"))
        return self.unit.name if self.unit_id and self.unit else ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class HandoffStatus(models.TextChoices):
    OPEN = "open", _("待报到")
    ANSWERED = "answered", _("已报到")
    DECLINED = "declined", _("退回")
    WITHDRAWN = "withdrawn", _("已撤回")


class Handoff(Placed):
    """One hand-off (吹哨) of a clue to the police station or a department, and its answer (报到)."""

    scope_unit_field = "unit_id"

    clue = models.ForeignKey(Clue, models.CASCADE, related_name="handoffs")
    to_police = models.BooleanField(_("交办派出所"), default=False)
    unit = models.ForeignKey("org.Unit", models.PROTECT, null=True, blank=True, related_name="clue_handoffs", verbose_name=_("承办部门"))
    status = models.CharField(_("状态"), max_length=10, choices=HandoffStatus.choices, default=HandoffStatus.OPEN)
    handed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("交办人"))
    handed_at = models.DateTimeField(_("交办时间"))
    due_at = models.DateTimeField(_("办理时限"))
    instructions = models.CharField(_("交办要求"), max_length=500, blank=True, default="")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("报到人"))
    answered_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    accepted = models.BooleanField(_("接收"), null=True, blank=True)
    action = models.CharField(_("采取措施"), max_length=1000, blank=True, default="")
    result = models.CharField(_("办理结果"), max_length=1000, blank=True, default="")
    answer_seconds = models.PositiveIntegerField(null=True, blank=True, editable=False)
    within_deadline = models.BooleanField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(_("超时升级时间"), null=True, blank=True)
    escalation_token = models.CharField(max_length=32, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("交办")
        ordering = ["-handed_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="handoff_open_due"),
            models.Index(fields=["unit", "status"], name="handoff_unit_status"),
            models.Index(fields=["street", "handed_at"], name="handoff_street_handed"),
            models.Index(fields=["county", "handed_at"], name="handoff_county_handed"),
            models.Index(fields=["county", "to_police", "unit", "status", "within_deadline", "handed_at", "due_at",
                                 "answer_seconds"], name="handoff_county_figures"),
            models.Index(fields=["street", "to_police", "unit", "status", "within_deadline", "handed_at", "due_at",
                                 "answer_seconds"], name="handoff_street_figures"),
        ]

    @property
    def target_label(self) -> str:
        return str(_("派出所")) if self.to_police else (self.unit.name if self.unit else "")

    @property
    def target_key(self) -> str:
        return "police" if self.to_police else f"unit:{self.unit_id}"


class EventKind(models.TextChoices):
    RECEIVED = "received", _("接收")
    CHECKED = "checked", _("核查")
    MERGED = "merged", _("合并")
    HANDED = "handed", _("交办")
    ANSWERED = "answered", _("报到")
    DECLINED = "declined", _("退回")
    ESCALATED = "escalated", _("超时升级")
    CLOSED = "closed", _("办结")
    NOTE = "note", _("备注")


class ClueEvent(models.Model):
    """The clue's timeline: every step, when and by whom."""

    clue = models.ForeignKey(Clue, models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"))
    kind = models.CharField(_("事项"), max_length=10, choices=EventKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("操作人"))
    text = models.CharField(_("说明"), max_length=1000, blank=True, default="")

    class Meta:
        verbose_name = _("线索记录")
        ordering = ["at", "id"]


class ClueSubject(models.Model):
    """A phone number, account, URL or app named in a clue: kept encrypted, found by keyed hash."""

    clue = models.ForeignKey(Clue, models.CASCADE, related_name="subjects")
    kind = models.CharField(_("类型"), max_length=8, choices=SubjectKind.choices)
    value_enc = models.TextField(editable=False)
    value_hash = models.CharField(max_length=32, db_index=True, editable=False)
    shown = models.CharField(_("内容"), max_length=120)  # masked for phones and accounts

    class Meta:
        verbose_name = _("涉诈号码/账号/网址")
        constraints = [models.UniqueConstraint(fields=["clue", "value_hash"], name="clue_subject_once")]

    @property
    def value(self) -> str:
        from fanzha.core import pii

        return pii.decrypt(self.value_enc)


class ClueFile(models.Model):
    """A photo or video with a clue (from the reporter) or with a department's answer (evidence)."""

    clue = models.ForeignKey(Clue, models.CASCADE, related_name="files")
    handoff = models.ForeignKey(Handoff, models.CASCADE, null=True, blank=True, related_name="files")
    path = models.CharField(max_length=300)
    thumb_path = models.CharField(max_length=300, blank=True, default="")
    content_type = models.CharField(max_length=40)
    kind = models.CharField(max_length=8)  # image / video
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    original_name = models.CharField(max_length=200, blank=True, default="")
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("线索附件")


class PublicHit(models.Model):
    """A counter of public requests per address and time window (rate limit shared by every web process).

    The address is kept only as a keyed hash; rows expire with their window and
    are pruned by the worker.
    """

    key = models.CharField(max_length=96, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("公开访问计数")


OPEN_Q = Q(status__in=OPEN_STATUSES)
