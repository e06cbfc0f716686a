"""Outreach (宣传): activities, home visits, app installation, targets, WeChat
pushes, school letters and the periodic reports built from them.

Every record sits in the org tree like the people it concerns (ancestor
columns, `org.models.Placed`), so scoping is the usual one-column filter and
roll-ups are one grouped query on the column of the level below.

Install state is one row per person (`InstallStatus`), not a history: the
date each of the three things was first seen done (anti-fraud app installed,
call warning on, jinzhongzhao registered) and who verified it. Rates as of a
past day are counts of dates on or before that day, so the reports of past
periods come out the same whenever they are made.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fanzha.org.models import Placed


class ActivityKind(models.TextChoices):
    CONCENTRATED = "concentrated", _("集中宣传")
    DOOR_TO_DOOR = "door_to_door", _("入户宣传")
    LECTURE = "lecture", _("法治讲座")
    POLICE_MEETING = "police_meeting", _("警民议事会")
    RESIDENT_MEETING = "resident_meeting", _("居民坝坝会")
    PERFORMANCE = "performance", _("情景剧/文艺演出")
    QUIZ = "quiz", _("知识竞赛")
    FILM = "film", _("反诈影片放映")
    PLEDGE = "pledge", _("万人签名")
    TRAINING = "training", _("业务培训")
    SMS = "sms", _("短信推送")
    ONLINE = "online", _("公众号/短视频推送")
    LED = "led", _("LED屏滚动播放")
    LOUDSPEAKER = "loudspeaker", _("小喇叭")
    BANNER = "banner", _("悬挂横幅/张贴海报")
    LEAFLET = "leaflet", _("发放宣传资料")
    OTHER = "other", _("其他")


class Venue(models.TextChoices):
    """The "six entries" (六进) plus 进机关 and online."""

    RESIDENTIAL = "residential", _("进小区")
    COMMUNITY = "community", _("进社区")
    ENTERPRISE = "enterprise", _("进企业")
    SCHOOL = "school", _("进学校/校园")
    FAMILY = "family", _("进家庭")
    PUBLIC_PLACE = "public_place", _("进公共场所")
    GOVERNMENT = "government", _("进机关")
    ONLINE = "online", _("线上")


class Audience(models.TextChoices):
    GENERAL = "general", _("社会公众")
    ELDERLY = "elderly", _("老年人")
    STUDENTS = "students", _("学生")
    PARENTS = "parents", _("学生家长")
    TEACHERS = "teachers", _("教职员工")
    WOMEN = "women", _("妇女")
    FLOATING = "floating", _("流动人口")
    UNIT_STAFF = "unit_staff", _("单位职工")
    FINANCE_STAFF = "finance_staff", _("财务人员")
    SERVICE_USERS = "service_users", _("办事群众/服务对象")


class VisitAction(models.TextChoices):
    EXPLAINED = "explained", _("讲解反诈知识")
    MATERIALS = "materials", _("发放宣传资料")
    POSTER = "poster", _("张贴提示单")
    APP_HELP = "app_help", _("指导安装反诈APP")
    CALL_WARNING = "call_warning", _("开通来电预警")
    JINZHONGZHAO = "jinzhongzhao", _("注册金钟罩")
    PLEDGE = "pledge", _("签订承诺书")
    RISK_CHECK = "risk_check", _("了解涉诈风险")


class LiveActivities(models.Manager):
    """Activities not deleted: what every ledger, figure and report counts."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class Activity(Placed):
    """One outreach activity (宣传活动) with its evidence.

    Deleting one from the page keeps the row (deleted_at/by) and its photos and
    videos; `Activity.objects` leaves deleted ones out, `Activity.everything`
    holds them all (for the audit trail).
    """

    scope_unit_field = "unit_id"
    objects = LiveActivities()
    everything = models.Manager()

    node = models.ForeignKey("org.Node", models.PROTECT, related_name="+", verbose_name=_("组织节点"))
    unit = models.ForeignKey("org.Unit", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("单位"))
    held_on = models.DateField(_("日期"), db_index=True)
    place = models.CharField(_("地点"), max_length=200)
    organiser = models.CharField(_("组织者"), max_length=100)
    kind = models.CharField(_("形式"), max_length=20, choices=ActivityKind.choices)
    venue = models.CharField(_("六进类别"), max_length=16, choices=Venue.choices)
    audiences = models.JSONField(_("宣传对象"), default=list, blank=True)
    participants = models.PositiveIntegerField(_("参与人数"), default=0)
    materials = models.PositiveIntegerField(_("发放资料（份）"), default=0)
    fraud_types = models.JSONField(_("宣传的诈骗类型"), default=list, blank=True)
    summary = models.TextField(_("活动情况"), blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(_("删除时间"), null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("宣传活动")
        base_manager_name = "everything"
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["county", "held_on"]),
            models.Index(fields=["street", "held_on"]),
            models.Index(fields=["community", "held_on"]),
            models.Index(fields=["grid", "held_on"]),
            models.Index(fields=["unit", "held_on"]),
            models.Index(fields=["created_by", "-id"]),
        ]
        permissions = [
            ("record_outreach", "录入宣传活动、入户走访和安装情况"),
            ("manage_install_targets", "设置反诈APP安装目标"),
            ("manage_outreach_settings", "设置影像资料是否保留位置信息"),
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.get_kind_display()} · {self.place}"


class HomeVisit(Placed):
    """One home visit (入户走访): who visited which household, when, and what was done."""

    household = models.ForeignKey("org.Household", models.PROTECT, related_name="visits", verbose_name=_("户"))
    visited_on = models.DateField(_("走访日期"))
    visitors = models.CharField(_("走访人"), max_length=100)
    actions = models.JSONField(_("走访内容"), default=list, blank=True)
    materials = models.PositiveIntegerField(_("发放资料（份）"), default=0)
    note = models.TextField(_("备注"), blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("入户走访")
        ordering = ["-visited_on", "-id"]
        indexes = [
            # coverage per grid: distinct households in a date range, from the index alone
            models.Index(fields=["grid", "visited_on", "household"]),
            models.Index(fields=["community", "visited_on"]),
            models.Index(fields=["street", "visited_on"]),
            models.Index(fields=["county", "visited_on"]),
            models.Index(fields=["household", "visited_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.household_id}"


class VisitYear(Placed):
    """A household's first and last home visit in a calendar year.

    Kept by `home_visit_record` beside the visits themselves, so coverage
    since 1 January (households visited this year / households) is a count
    of rows with `first_visited_on` up to the day, read from an index,
    instead of a distinct count over every visit of the year.
    """

    household = models.ForeignKey("org.Household", models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    first_visited_on = models.DateField()
    last_visited_on = models.DateField()
    visits = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("年度走访")
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="visit_year_unique")]
        indexes = [
            models.Index(fields=["grid", "year", "first_visited_on"], name="visit_year_grid"),
            models.Index(fields=["group", "year", "first_visited_on"], name="visit_year_group"),
        ]


class Evidence(Placed):
    """A photo or video kept with an activity or a home visit (影像资料).

    Files live under MEDIA_ROOT/outreach/ with random names and are served
    only through the scoped evidence view, never as public static files.
    """

    scope_unit_field = "activity__unit_id"

    class Kind(models.TextChoices):
        IMAGE = "image", _("照片")
        VIDEO = "video", _("视频")

    activity = models.ForeignKey(Activity, models.CASCADE, null=True, blank=True, related_name="evidence")
    visit = models.ForeignKey(HomeVisit, models.CASCADE, null=True, blank=True, related_name="evidence")
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    content_type = models.CharField(max_length=40)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True, default="")
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    file = models.CharField(max_length=200)
    thumb = models.CharField(max_length=200, blank=True, default="")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.FloatField(_("时长（秒）"), null=True, blank=True)  # videos, from the file's movie header
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    had_gps = models.BooleanField(_("原件含位置信息"), default=False)
    gps_kept = models.BooleanField(_("保留了位置信息"), default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("影像资料")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(activity__isnull=False) & Q(visit__isnull=True)) | (Q(activity__isnull=True) & Q(visit__isnull=False)),
                name="evidence_belongs_to_activity_or_visit",
            )
        ]


class PersonKind(models.TextChoices):
    RESIDENT = "resident", _("居民")
    STAFF = "staff", _("单位职工")


class InstallStatus(Placed):
    """Anti-fraud app / call warning / jinzhongzhao of one resident or staff member.

    A date is set when the thing was verified done and cleared when it is
    undone (app removed); each carries the name of who verified it.
    """

    scope_unit_field = "staff__unit_id"

    kind = models.CharField(max_length=8, choices=PersonKind.choices)
    resident = models.OneToOneField("org.Resident", models.CASCADE, null=True, blank=True, related_name="install")
    staff = models.OneToOneField("org.StaffMember", models.CASCADE, null=True, blank=True, related_name="install")
    app_installed_on = models.DateField(_("国家反诈中心APP安装日期"), null=True, blank=True)
    app_verifier = models.CharField(_("APP核验人"), max_length=50, blank=True, default="")
    call_warning_on = models.DateField(_("来电预警开通日期"), null=True, blank=True)
    call_warning_verifier = models.CharField(_("来电预警核验人"), max_length=50, blank=True, default="")
    jinzhongzhao_on = models.DateField(_("金钟罩注册日期"), null=True, blank=True)
    jinzhongzhao_verifier = models.CharField(_("金钟罩核验人"), max_length=50, blank=True, default="")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("反诈APP安装情况")
        indexes = [
            # rates per grid as of a day, counted from the index alone
            models.Index(fields=["grid", "kind", "app_installed_on", "call_warning_on", "jinzhongzhao_on"],
                         name="install_grid_rollup"),
            models.Index(fields=["group", "kind", "app_installed_on"], name="install_group_rollup"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="resident") & Q(resident__isnull=False) & Q(staff__isnull=True))
                | (Q(kind="staff") & Q(staff__isnull=False) & Q(resident__isnull=True)),
                name="install_status_one_person",
            )
        ]


FLAGS = ("app", "call_warning", "jinzhongzhao")
FLAG_DATE = {"app": "app_installed_on", "call_warning": "call_warning_on", "jinzhongzhao": "jinzhongzhao_on"}
FLAG_VERIFIER = {"app": "app_verifier", "call_warning": "call_warning_verifier", "jinzhongzhao": "jinzhongzhao_verifier"}


class TargetGroup(models.TextChoices):
    RESIDENTS = "residents", _("辖区群众")
    STREET_STAFF = "street_staff", _("街道干部职工（含机关、派出所）")
    INDUSTRY_STAFF = "industry_staff", _("行业单位人员")
    ALL = "all", _("全部人员")
    DEPARTMENTS = "departments", _("各部门（逐个部门）")


class InstallTarget(models.Model):
    """Anti-fraud app installation rate a node's group must reach by a deadline.

    Targets hold for the node and everything under it; a node's own target
    for the same group and deadline takes precedence over an ancestor's.
    The "departments" group is judged on every street department (and
    government unit) under the node one by one, as communities are for
    residents (seed 002: 各部门、各社区 7月底30%、8月底60%、9月底100%).
    A target entered after its deadline (a past year's plan, for history and
    the assessment) is kept and flagged `historical`.
    """

    node = models.ForeignKey("org.Node", models.CASCADE, related_name="install_targets", verbose_name=_("节点"))
    group = models.CharField(_("对象"), max_length=16, choices=TargetGroup.choices)
    rate = models.DecimalField(_("目标安装率（%）"), max_digits=4, decimal_places=1)
    deadline = models.DateField(_("完成期限"))
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")
    historical = models.BooleanField(_("历史计划（录入时期限已过）"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("安装目标")
        ordering = ["deadline", "group"]
        constraints = [models.UniqueConstraint(fields=["node", "group", "deadline"], name="install_target_unique")]

    def __str__(self) -> str:
        return f"{self.node} {self.get_group_display()} {self.rate}% @ {self.deadline}"


class PushContent(models.TextChoices):
    TEXT = "text", _("文字")
    IMAGE = "image", _("图片")
    VIDEO = "video", _("视频")
    LINK = "link", _("链接/文章")


class WeChatPush(Placed):
    """One anti-fraud message pushed to a WeChat group (每周至少两次)."""

    node = models.ForeignKey("org.Node", models.PROTECT, related_name="+", verbose_name=_("节点"))
    group_name = models.CharField(_("微信群"), max_length=100)
    pushed_on = models.DateField(_("推送日期"))
    title = models.CharField(_("内容"), max_length=200)
    content_kind = models.CharField(_("形式"), max_length=8, choices=PushContent.choices, default=PushContent.TEXT)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("微信群推送")
        ordering = ["-pushed_on", "-id"]
        indexes = [
            models.Index(fields=["community", "pushed_on"]),
            models.Index(fields=["street", "pushed_on"]),
            models.Index(fields=["county", "pushed_on"]),
        ]


class SchoolLetter(Placed):
    """A letter to parents sent home by a school (致家长的一封信); receipts per class."""

    scope_unit_field = "unit_id"

    unit = models.ForeignKey("org.Unit", models.PROTECT, related_name="+", verbose_name=_("学校"))
    title = models.CharField(_("标题"), max_length=200)
    sent_on = models.DateField(_("发放日期"))
    note = models.CharField(_("备注"), max_length=500, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("致家长的一封信")
        ordering = ["-sent_on", "-id"]
        indexes = [models.Index(fields=["street", "sent_on"]), models.Index(fields=["community", "sent_on"])]

    def __str__(self) -> str:
        return self.title


class LetterReceipt(models.Model):
    """Letters handed out and signed receipts (回执) returned in one class."""

    letter = models.ForeignKey(SchoolLetter, models.CASCADE, related_name="receipts")
    class_name = models.CharField(_("班级"), max_length=50)
    letters_sent = models.PositiveIntegerField(_("发放份数"), default=0)
    receipts_returned = models.PositiveIntegerField(_("回收回执"), default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("回执")
        ordering = ["class_name"]
        constraints = [
            models.UniqueConstraint(fields=["letter", "class_name"], name="letter_receipt_unique_class"),
            models.CheckConstraint(condition=Q(receipts_returned__lte=models.F("letters_sent")), name="receipts_not_above_sent"),
        ]


class OutreachSetting(models.Model):
    """Per-street choices of the anti-fraud office."""

    street = models.OneToOneField("org.Node", models.CASCADE, related_name="outreach_setting")
    keep_gps = models.BooleanField(_("影像资料保留位置信息（GPS）"), default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("宣传设置")


class ReportKind(models.TextChoices):
    SEMIMONTHLY = "semimonthly", _("半月报（每月13日、28日）")
    UNIT_MONTHLY = "unit_monthly", _("单位防范工作月报（每月25日前）")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("待生成")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已生成")
    FAILED = "failed", _("失败")


class PeriodicReport(Placed):
    """A periodic report (情况报送) made by the worker on its day and kept for download."""

    kind = models.CharField(_("报表"), max_length=16, choices=ReportKind.choices)
    node = models.ForeignKey("org.Node", models.CASCADE, related_name="+", verbose_name=_("报送单位"))
    report_date = models.DateField(_("报送日期"))
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    status = models.CharField(max_length=8, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True, default="")
    xlsx_file = models.CharField(max_length=200, blank=True, default="")
    docx_file = models.CharField(max_length=200, blank=True, default="")
    figures = models.JSONField(default=dict, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("定期报表")
        ordering = ["-report_date", "node__sort", "node__code"]
        constraints = [models.UniqueConstraint(fields=["kind", "node", "report_date"], name="periodic_report_unique")]
        indexes = [models.Index(fields=["status", "report_date"])]
