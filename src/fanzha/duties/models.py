"""Duties with a rhythm (职责): who must do what, how often and how many times.

One mechanism for every "who does what how often" rule of the seeds: a
`Duty` names who (a role, a unit type or sector, a node level, a kind of
WeChat group), what counts as doing it (a kind of record, narrowed by
activity kind / venue / audience), the rhythm (daily, weekly, monthly,
quarterly, per school semester) and how many. Done vs due is computed from
the records themselves (outreach activities, home visits, WeChat pushes, risk
sweeps, and the ledger entries kept here) by `duties.selectors`; nothing is
copied. The seeds' figures are loaded as defaults (`duties.seeds`) and the
office edits them.

Records of their own kept here: WeChat groups (with owner and node, and a
link from an outreach push to its group), volunteers without a login (and
their part in activities and sweeps), ledger entries (sector ledgers, daily
ticks, monthly self-checks), reminders sent (one per person per period) and
concentrated campaigns (phases, tagged activities).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fanzha.org.models import Placed


class Who(models.TextChoices):
    ROLE = "role", _("角色")
    UNIT = "unit", _("单位类型")
    LEVEL = "level", _("节点层级")
    GROUP = "group", _("微信群")


class RecordKind(models.TextChoices):
    ACTIVITY = "activity", _("宣传活动")
    HOME_VISIT = "home_visit", _("入户走访")
    PUSH = "push", _("微信群推送")
    SWEEP = "sweep", _("周三打卡")
    ENTRY = "entry", _("台账登记")  # sector ledger, daily tick, self-check: a DutyEntry of this duty


class Rhythm(models.TextChoices):
    DAILY = "daily", _("每天")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    SEMESTER = "semester", _("每学期")


class Sector(models.TextChoices):
    """Unit sectors the seeds give duties to that the org unit kinds do not tell apart."""

    HIGH_SCHOOL = "high_school", _("高中")
    CINEMA = "cinema", _("影院")
    BANK = "bank", _("银行网点")
    PROPERTY = "property", _("物业公司")


class Duty(models.Model):
    name = models.CharField(_("职责"), max_length=100)
    seed_key = models.CharField(max_length=40, blank=True, default="", help_text="the seed default it was loaded from")
    basis = models.CharField(_("依据"), max_length=200, blank=True, default="")
    who = models.CharField(_("对象类型"), max_length=8, choices=Who.choices)
    who_value = models.CharField(_("对象"), max_length=20, blank=True, default="",
                                 help_text=_("角色、单位类型/行业、层级或微信群类型；空为全部"))
    record = models.CharField(_("计数记录"), max_length=12, choices=RecordKind.choices)
    kinds = models.JSONField(_("活动形式"), default=list, blank=True)
    venues = models.JSONField(_("六进类别"), default=list, blank=True)
    audiences = models.JSONField(_("宣传对象（须含其一）"), default=list, blank=True)
    rhythm = models.CharField(_("周期"), max_length=10, choices=Rhythm.choices)
    count = models.PositiveSmallIntegerField(_("每期至少（次）"), default=1)
    count_max = models.PositiveSmallIntegerField(_("每期建议至多（次）"), null=True, blank=True)
    remind_days = models.PositiveSmallIntegerField(_("期末前几天提醒"), default=2)
    active = models.BooleanField(_("启用"), default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("工作职责")
        ordering = ["id"]
        permissions = [("manage_duties", "设置工作职责")]

    def __str__(self) -> str:
        return self.name


class UnitSector(models.Model):
    """A unit's sector for the duties (a high school, a cinema, a bank branch, a property company)."""

    unit = models.OneToOneField("org.Unit", models.CASCADE, related_name="duty_sector")
    sector = models.CharField(_("行业"), max_length=12, choices=Sector.choices)


class GroupKind(models.TextChoices):
    SUNSHINE = "sunshine", _("阳光村务群")
    GRID = "grid", _("网格群")
    UNIT = "unit", _("单位群")
    PARENTS = "parents", _("家长群")


class WechatGroup(Placed):
    """A WeChat group the street pushes anti-fraud messages into: its own record, owner and node."""

    scope_unit_field = "unit_id"

    name = models.CharField(_("群名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=GroupKind.choices)
    node = models.ForeignKey("org.Node", models.PROTECT, related_name="+", verbose_name=_("所属节点"))
    unit = models.ForeignKey("org.Unit", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("单位"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("群主/负责人"))
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("微信群")
        ordering = ["node__sort", "name"]
        constraints = [models.UniqueConstraint(fields=["node", "name"], name="duties_group_unique_name")]
        indexes = [models.Index(fields=["community", "kind"], name="duties_group_comm")]

    def __str__(self) -> str:
        return self.name


class PushGroup(models.Model):
    """Which group an outreach WeChat push went to (the push model itself names it only as text)."""

    push = models.OneToOneField("outreach.WeChatPush", models.CASCADE, related_name="duty_group")
    group = models.ForeignKey(WechatGroup, models.CASCADE, related_name="pushes")
    pushed_on = models.DateField()  # the push's, so counts per group and week need no join

    class Meta:
        indexes = [models.Index(fields=["group", "pushed_on"], name="duties_pushgroup_on")]


class Volunteer(Placed):
    """A volunteer (志愿者) without a login, so the outreach and sweeps they take part in count to them."""

    name = models.CharField(_("姓名"), max_length=50)
    node = models.ForeignKey("org.Node", models.PROTECT, related_name="+", verbose_name=_("所属节点"))
    note = models.CharField(_("备注"), max_length=200, blank=True, default="")
    active = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("志愿者")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class VolunteerPart(models.Model):
    """A volunteer's part in an outreach activity or a sweep."""

    volunteer = models.ForeignKey(Volunteer, models.CASCADE, related_name="parts")
    activity = models.ForeignKey("outreach.Activity", models.CASCADE, null=True, blank=True, related_name="+")
    sweep = models.ForeignKey("risk.Sweep", models.CASCADE, null=True, blank=True, related_name="+")
    on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "activity"], name="duties_vol_activity_once"),
            models.UniqueConstraint(fields=["volunteer", "sweep"], name="duties_vol_sweep_once"),
            models.CheckConstraint(condition=models.Q(activity__isnull=False) | models.Q(sweep__isnull=False),
                                   name="duties_vol_part_has_record"),
        ]
        indexes = [models.Index(fields=["on", "volunteer"], name="duties_volpart_on")]


class DutyEntry(Placed):
    """One ledger entry of a duty done: a sector ledger line, a daily tick, a monthly self-check."""

    scope_unit_field = "unit_id"

    duty = models.ForeignKey(Duty, models.CASCADE, related_name="entries")
    node = models.ForeignKey("org.Node", models.PROTECT, related_name="+", verbose_name=_("节点"))
    unit = models.ForeignKey("org.Unit", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("单位"))
    on = models.DateField(_("日期"))
    note = models.CharField(_("情况"), max_length=300, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("职责台账")
        ordering = ["-on", "-id"]
        indexes = [models.Index(fields=["duty", "on"], name="duties_entry_duty_on")]


class Reminder(models.Model):
    """One reminder per duty, subject and period: the unique row is the claim (two workers never remind twice)."""

    duty = models.ForeignKey(Duty, models.CASCADE, related_name="+")
    subject = models.CharField(max_length=24)  # "user:12", "unit:3", "node:9", "group:4", "vol:5"
    period_start = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["duty", "subject", "period_start"], name="duties_reminder_once")]


class Campaign(Placed):
    """A concentrated campaign (集中宣传月): dates, phases and the day its summary is due."""

    name = models.CharField(_("名称"), max_length=100)
    node = models.ForeignKey("org.Node", models.PROTECT, related_name="+", verbose_name=_("组织单位"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    summary_due_on = models.DateField(_("总结报送日期"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("集中宣传活动")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.name


class CampaignPhase(models.Model):
    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="phases")
    name = models.CharField(_("阶段"), max_length=50)
    starts_on = models.DateField(_("开始"))
    ends_on = models.DateField(_("结束"))

    class Meta:
        ordering = ["starts_on", "id"]


class CampaignActivity(models.Model):
    """An outreach activity tagged with a campaign."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="tags")
    activity = models.ForeignKey("outreach.Activity", models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "activity"], name="duties_campaign_activity_once")]
