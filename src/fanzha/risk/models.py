"""Risk work (风险排查): key persons (一人一档), premises and their checks,
monthly screenings per community and the Wednesday sweeps (周三打卡).

Every record sits in the tree (ancestor columns), so scoping is the same
indexed equality as everywhere else. A key person's file keeps a review date
per category; the file's own `next_review_on` is the earliest of them, kept
in step by the services, so the overdue list is one index range scan.
A premises keeps the finding of its latest check (`open_finding`), so the
flagged list needs no look-back over its checks.
"""

from __future__ import annotations
from fanzha.core.versioning import version_field

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fanzha.core import pii
from fanzha.core.idnumbers import mask_phone
from fanzha.org.models import PiiMixin, Placed


class Category(models.TextChoices):
    OFFENDER = "offender", _("涉诈前科")
    HIGH_RISK = "high_risk", _("高危")
    TWO_CARD = "two_card", _("两卡人员")
    RETURNEE = "returnee", _("回流")
    INTERCEPTED = "intercepted", _("拦截")
    STRANDED = "stranded", _("滞留缅北")


#: Days between reviews when the office has set nothing for the category.
DEFAULT_INTERVAL_DAYS = {
    Category.OFFENDER: 30,
    Category.HIGH_RISK: 30,
    Category.TWO_CARD: 60,
    Category.RETURNEE: 30,
    Category.INTERCEPTED: 30,
    Category.STRANDED: 15,
}

#: The categories the fraud-free assessment counts against a community (§8 criterion 3).
ASSESSMENT_CATEGORIES = (Category.OFFENDER, Category.STRANDED, Category.INTERCEPTED)


class ReviewInterval(models.Model):
    """How often a category's files are reviewed in one street, set by its office."""

    street = models.ForeignKey("org.Node", models.CASCADE, related_name="+", verbose_name=_("街道"))
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    days = models.PositiveSmallIntegerField(_("回访间隔（天）"))

    class Meta:
        verbose_name = _("回访间隔")
        constraints = [models.UniqueConstraint(fields=["street", "category"], name="risk_interval_unique")]


class FileStatus(models.TextChoices):
    OPEN = "open", _("在管")
    CLOSED = "closed", _("已销档")


class KeyPerson(Placed, PiiMixin):
    """One key person's file (一人一档). The person may not be on the roster yet
    (name + ID number, linked to the resident later)."""

    version = version_field()  # optimistic lock (fanzha.core.versioning)
    resident = models.ForeignKey("org.Resident", models.SET_NULL, null=True, blank=True, related_name="key_person_files",
                                 verbose_name=_("居民"))
    name = models.CharField(_("姓名"), max_length=50)
    address = models.CharField(_("住址"), max_length=200, blank=True, default="")
    contacts = models.CharField(_("联系方式及联系人"), max_length=500, blank=True, default="")
    watch_for = models.CharField(_("关注要点"), max_length=500, blank=True, default="",
                                 help_text=_("网格员可见：需留意的情况"))
    detail = models.TextField(_("涉诈情况"), blank=True, default="", help_text=_("仅民警、反诈办和所在社区可见"))
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("责任民警"))
    community_worker = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                         verbose_name=_("社区责任人"))
    status = models.CharField(_("状态"), max_length=8, choices=FileStatus.choices, default=FileStatus.OPEN)
    opened_on = models.DateField(_("建档日期"))
    next_review_on = models.DateField(_("下次回访"), null=True, blank=True)
    last_follow_up_on = models.DateField(_("最近帮教"), null=True, blank=True)
    closed_on = models.DateField(_("销档日期"), null=True, blank=True)
    close_reason = models.CharField(_("销档原因"), max_length=500, blank=True, default="")
    source_sweep = models.ForeignKey("risk.Sweep", models.SET_NULL, null=True, blank=True, related_name="+",
                                     verbose_name=_("来自打卡"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("重点人员")
        ordering = ["-opened_on", "-id"]
        indexes = [
            models.Index(fields=["county", "status", "next_review_on"], name="risk_kp_county_due"),
            models.Index(fields=["street", "status", "next_review_on"], name="risk_kp_street_due"),
            models.Index(fields=["community", "status", "next_review_on"], name="risk_kp_comm_due"),
            models.Index(fields=["grid", "status"], name="risk_kp_grid"),
        ]

    def __str__(self) -> str:
        return self.name


class KeyPersonCategory(models.Model):
    """One category of a file with its own review date."""

    person = models.ForeignKey(KeyPerson, models.CASCADE, related_name="categories")
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices)
    next_review_on = models.DateField(_("下次回访"))

    class Meta:
        verbose_name = _("重点人员类别")
        ordering = ["category"]
        constraints = [models.UniqueConstraint(fields=["person", "category"], name="risk_kp_category_unique")]


class FollowUpMethod(models.TextChoices):
    VISIT = "visit", _("上门走访")
    TALK = "talk", _("约谈")
    PHONE = "phone", _("电话")
    WECHAT = "wechat", _("微信")
    OTHER = "other", _("其他")


class PersonState(models.TextChoices):
    STABLE = "stable", _("稳定")
    IMPROVING = "improving", _("好转")
    WATCH = "watch", _("需关注")
    UNREACHABLE = "unreachable", _("失联")
    AWAY = "away", _("外出")


class FollowUp(Placed):
    """One follow-up (帮教) of a file: date, who, how, what was said, the person's state.
    Placed like its file, so figures per node are one index range scan."""

    person = models.ForeignKey(KeyPerson, models.CASCADE, related_name="follow_ups")
    on = models.DateField(_("日期"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                           verbose_name=_("帮教人"))
    by_names = models.CharField(_("参加人员"), max_length=200, blank=True, default="")
    method = models.CharField(_("方式"), max_length=8, choices=FollowUpMethod.choices, default=FollowUpMethod.VISIT)
    content = models.TextField(_("帮教内容"))
    state = models.CharField(_("人员状态"), max_length=12, choices=PersonState.choices, default=PersonState.STABLE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("帮教记录")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["county", "on"], name="risk_followup_county_on"),
                   models.Index(fields=["street", "on"], name="risk_followup_street_on"),
                   models.Index(fields=["community", "on"], name="risk_followup_comm_on")]


class KeyPersonDocument(models.Model):
    """A document kept with a file (judgment, undertaking, photo of a signed letter)."""

    person = models.ForeignKey(KeyPerson, models.CASCADE, related_name="documents")
    file = models.CharField(max_length=200)
    thumb = models.CharField(max_length=200, blank=True, default="")
    content_type = models.CharField(max_length=40)
    original_name = models.CharField(_("文件名"), max_length=200, blank=True, default="")
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("档案材料")
        ordering = ["id"]


class KeyPersonChange(models.Model):
    """One change of a file: who, when, what (each field's old and new value)."""

    person = models.ForeignKey(KeyPerson, models.CASCADE, related_name="changes")
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=16)  # open / edit / category / review / follow_up / document / close / reopen / link / import
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]


# --- premises ---------------------------------------------------------------------------


class PremisesKind(models.TextChoices):
    HOTEL = "hotel", _("宾馆酒店")
    RENTED_ROOM = "rented_room", _("出租屋")
    VACANT_HOUSE = "vacant_house", _("空置房")
    ABANDONED = "abandoned", _("废弃厂房")
    OFFICE = "office", _("商务楼宇")
    INTERNET_CAFE = "internet_cafe", _("网吧")
    EXPRESS = "express", _("快递网点")
    OTHER = "other", _("其他")


class Finding(models.TextChoices):
    NONE = "none", _("无异常")
    DEN = "den", _("疑似窝点")
    TWO_CARD = "two_card", _("两卡活动")
    UNREGISTERED = "unregistered", _("租客未登记")
    OTHER = "other", _("其他")


class Premises(Placed):
    """A place checked for fraud dens. Office buildings are kept company by company
    (`building` names the building, `name` the company)."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=PremisesKind.choices)
    building = models.CharField(_("所在楼宇"), max_length=100, blank=True, default="")
    address = models.CharField(_("地址"), max_length=200)
    manager_name = models.CharField(_("业主或负责人"), max_length=50, blank=True, default="")
    manager_phone_enc = models.TextField(blank=True, default="", editable=False)
    manager_phone_hash = models.CharField(max_length=32, blank=True, default="", editable=False)
    manager_phone_masked = models.CharField(_("联系电话"), max_length=16, blank=True, default="", editable=False)
    active = models.BooleanField(_("在用"), default=True)
    open_finding = models.CharField(_("未消除的发现"), max_length=16, choices=Finding.choices, blank=True, default="")
    open_finding_since = models.DateField(_("发现日期"), null=True, blank=True)
    last_checked_on = models.DateField(_("最近检查"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("场所")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["grid", "name"], name="risk_premises_grid"),
            models.Index(fields=["community", "kind"], name="risk_premises_comm"),
            models.Index(fields=["county", "kind", "active"], name="risk_premises_county_kind"),
            models.Index(fields=["street", "kind", "active"], name="risk_premises_street_kind"),
            models.Index(fields=["street", "open_finding"], name="risk_premises_street_open"),
            models.Index(fields=["county", "open_finding"], name="risk_premises_county_open"),
        ]
        constraints = [models.UniqueConstraint(fields=["grid", "name", "address"], name="risk_premises_unique")]

    def __str__(self) -> str:
        return self.name

    def set_manager_phone(self, value: str) -> None:
        self.manager_phone_enc = pii.encrypt(value)
        self.manager_phone_hash = pii.lookup_hash("phone", value)
        self.manager_phone_masked = mask_phone(value) if value else ""

    @property
    def manager_phone(self) -> str:
        return pii.decrypt(self.manager_phone_enc)

    @property
    def flagged(self) -> bool:
        return bool(self.open_finding)


class PremisesCheck(Placed):
    """One check of a premises: date, team, what was checked, the finding and what was done."""

    premises = models.ForeignKey(Premises, models.CASCADE, related_name="checks", verbose_name=_("场所"))
    sweep = models.ForeignKey("risk.Sweep", models.SET_NULL, null=True, blank=True, related_name="premises_checks",
                              verbose_name=_("周三打卡"))
    checked_on = models.DateField(_("检查日期"))
    team = models.CharField(_("检查人员"), max_length=200, blank=True, default="")
    items = models.CharField(_("检查内容"), max_length=500, blank=True, default="")
    finding = models.CharField(_("发现"), max_length=16, choices=Finding.choices, default=Finding.NONE)
    finding_note = models.CharField(_("情况说明"), max_length=500, blank=True, default="")
    action_taken = models.CharField(_("处置措施"), max_length=500, blank=True, default="")
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("场所检查")
        ordering = ["-checked_on", "-id"]
        indexes = [
            # Covering the figures (finding, sweep, premises): the year's counts are index-only scans.
            models.Index(fields=["county", "checked_on", "finding", "sweep", "premises"], name="risk_check_county_on"),
            models.Index(fields=["street", "checked_on", "finding", "sweep", "premises"], name="risk_check_street_on"),
            models.Index(fields=["community", "checked_on", "finding", "sweep", "premises"], name="risk_check_comm_on"),
            models.Index(fields=["premises", "checked_on"], name="risk_check_premises_on"),
        ]
        constraints = [models.UniqueConstraint(fields=["sweep", "premises"], condition=Q(sweep__isnull=False),
                                               name="risk_check_once_per_sweep")]


class CheckTally(Placed):
    """Checks of one grid in one month, kept by the check services: the figures of a county's
    year read ~16,000 of these instead of ~200,000 checks."""

    month = models.DateField()
    checks = models.IntegerField(default=0)
    premises = models.IntegerField(default=0)  # distinct premises checked (each belongs to one grid, so sums add up)
    findings = models.IntegerField(default=0)
    dens = models.IntegerField(default=0)
    sweep_checks = models.IntegerField(default=0)
    sweep_findings = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["grid", "month"], name="risk_tally_grid_month")]
        indexes = [models.Index(fields=["county", "month"], name="risk_tally_county"),
                   models.Index(fields=["street", "month"], name="risk_tally_street"),
                   models.Index(fields=["community", "month"], name="risk_tally_comm")]

    @staticmethod
    def values_of(check) -> dict[str, int]:
        found = check.finding != Finding.NONE
        return {"checks": 1, "findings": int(found), "dens": int(check.finding == Finding.DEN),
                "sweep_checks": int(check.sweep_id is not None), "sweep_findings": int(check.sweep_id is not None and found)}


class CheckPhoto(models.Model):
    """A photo or video kept as evidence of a check (same rules as outreach evidence)."""

    check_record = models.ForeignKey(PremisesCheck, models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=8)
    content_type = models.CharField(max_length=40)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True, default="")
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    file = models.CharField(max_length=200)
    thumb = models.CharField(max_length=200, blank=True, default="")
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    had_gps = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("检查照片")
        ordering = ["id"]


# --- monthly screening -----------------------------------------------------------------


class Screening(Placed):
    """A community's monthly risk screening (每月一次风险排查). The record figures are
    pre-filled from the records when the form opens and kept as filed; the worker adds
    what the records do not hold."""

    month = models.DateField(_("月份"))  # first day of the month
    dens_found = models.PositiveIntegerField(_("发现窝点"), default=0)
    offenders = models.PositiveIntegerField(_("涉诈人员"), default=0)
    likely_victims = models.PositiveIntegerField(_("潜在受害人"), default=0)
    causes = models.TextField(_("风险成因"), blank=True, default="")
    measures = models.TextField(_("采取措施"), blank=True, default="")
    record_figures = models.JSONField(_("系统统计"), default=dict)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    filed_at = models.DateTimeField(_("填报时间"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("月度风险排查")
        ordering = ["-month", "community_id"]
        constraints = [models.UniqueConstraint(fields=["community", "month"], name="risk_screening_unique")]
        indexes = [models.Index(fields=["street", "month"], name="risk_screening_street"),
                   models.Index(fields=["county", "month"], name="risk_screening_county")]

    @property
    def on_time(self) -> bool:
        end = month_end(self.month)
        return self.filed_at.date() <= end


def month_end(first: dt.date) -> dt.date:
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


# --- Wednesday sweeps --------------------------------------------------------------------

SWEEP_WEEKDAY = 2  # Wednesday
SWEEP_START = dt.time(19, 0)
SWEEP_END = dt.time(22, 0)


class Sweep(Placed):
    """One joint sweep (周三打卡): the team, the grids covered, the people and premises checked.

    Placed at the deepest node holding all its grids (a grid, a community or the street).
    """

    held_on = models.DateField(_("日期"))
    starts_at = models.TimeField(_("开始时间"), default=SWEEP_START)
    ends_at = models.TimeField(_("结束时间"), default=SWEEP_END)
    off_window = models.BooleanField(_("非周三19–22时"), default=False)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="risk_sweeps", blank=True, verbose_name=_("队员"))
    volunteer_names = models.CharField(_("志愿者姓名"), max_length=300, blank=True, default="")
    volunteer_count = models.PositiveSmallIntegerField(_("志愿者人数"), default=0)
    note = models.CharField(_("备注"), max_length=500, blank=True, default="")
    people_checked = models.PositiveIntegerField(default=0)
    premises_checked = models.PositiveIntegerField(default=0)
    findings = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("周三打卡")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["street", "held_on"], name="risk_sweep_street_on"),
                   models.Index(fields=["county", "held_on"], name="risk_sweep_county_on")]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d}"


class SweepGrid(Placed):
    """A grid covered by a sweep (placed at the grid, so grid workers find the sweeps of their grids)."""

    sweep = models.ForeignKey(Sweep, models.CASCADE, related_name="grid_rows")
    held_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sweep", "grid"], name="risk_sweep_grid_unique")]
        indexes = [models.Index(fields=["grid", "held_on"], name="risk_sweepgrid_grid_on"),
                   models.Index(fields=["community", "held_on"], name="risk_sweepgrid_comm_on")]


class SweepPerson(Placed, PiiMixin):
    """A person checked during a sweep: a resident, or a floating person added on the spot."""

    sweep = models.ForeignKey(Sweep, models.CASCADE, related_name="people")
    held_on = models.DateField()  # the sweep's, for figures per node and period without a join
    resident = models.ForeignKey("org.Resident", models.SET_NULL, null=True, blank=True, related_name="+")
    name = models.CharField(_("姓名"), max_length=50)
    no_regular_job = models.BooleanField(_("无固定职业"), default=False)
    frequent_moves = models.BooleanField(_("频繁更换住处"), default=False)
    hotspot_ties = models.BooleanField(_("与涉诈重点地区有关联"), default=False)
    note = models.CharField(_("情况"), max_length=300, blank=True, default="")
    key_person = models.ForeignKey(KeyPerson, models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("已建档"))
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    checked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("打卡核查人员")
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["county", "held_on"], name="risk_sp_county_on"),
                   models.Index(fields=["street", "held_on"], name="risk_sp_street_on"),
                   models.Index(fields=["community", "held_on"], name="risk_sp_comm_on")]
        constraints = [
            models.UniqueConstraint(fields=["sweep", "resident"], condition=Q(resident__isnull=False),
                                    name="risk_sweep_person_resident_once"),
            models.UniqueConstraint(fields=["sweep", "id_number_hash"], condition=~Q(id_number_hash=""),
                                    name="risk_sweep_person_id_once"),
        ]

    @property
    def flags(self) -> list[str]:
        return [str(f.verbose_name) for f in (self._meta.get_field("no_regular_job"), self._meta.get_field("frequent_moves"),
                                              self._meta.get_field("hotspot_ties")) if getattr(self, f.name)]

    @property
    def is_finding(self) -> bool:
        return self.no_regular_job or self.frequent_moves or self.hotspot_ties


class ReviewReminder(models.Model):
    """One reminder per file and missed review date: the unique row is the claim, so two
    workers never remind twice."""

    person = models.ForeignKey(KeyPerson, models.CASCADE, related_name="+")
    due_on = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "due_on"], name="risk_reminder_once")]
