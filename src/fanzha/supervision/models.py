"""Responsibility and supervision (责任分解、督导检查、整改), SPEC §7.

- Leading groups (领导小组) of the street, its communities and departments, with members.
- Contact points (包保/挂帮): a street or police leader takes communities or units.
- Plans (工作方案) of measures (工作措施). A measure's lead units (牵头单位) and
  responsible units (责任单位) are `Responsibility` rows, one per unit or community:
  each holder reports its own progress on its own row and sees only its rows.
- Meetings (调度会/专题会/联席会议) with decisions; a decision becomes a task,
  which is a `Measure` of kind task, so it is tracked exactly like a measure.
- Supervision visits (督导检查) with a checklist the office edits and findings
  with photos; a finding becomes a rectification notice (整改通知), closed only
  with evidence and accepted by the office. Criticism (通报批评) against a unit.
- Reminders: one row per item and due day, so the worker tells people once.

Every record sits in the org tree (`Placed`); records held by a unit carry
`scope_unit_field` so the unit's own accounts (department, liaison) see them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fanzha.org.models import Node, Placed, Unit


class SupervisionSetting(models.Model):
    """Per street: the date by which every community and department must have set up its group."""

    street = models.OneToOneField(Node, models.CASCADE, related_name="+", verbose_name=_("街道"))
    group_deadline = models.DateField(_("领导小组成立期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("督导设置")


class GroupKind(models.TextChoices):
    STREET = "street", _("街道领导小组")
    COMMUNITY = "community", _("社区领导小组")
    DEPARTMENT = "department", _("部门领导小组")


class LeadingGroup(Placed):
    scope_unit_field = "unit_id"

    kind = models.CharField(_("类别"), max_length=12, choices=GroupKind.choices)
    node = models.ForeignKey(Node, models.PROTECT, related_name="+", verbose_name=_("所属节点"))
    unit = models.ForeignKey(Unit, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("部门"))
    name = models.CharField(_("名称"), max_length=100)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    first_responsible = models.CharField(_("第一责任人"), max_length=50, blank=True, default="")
    office_at = models.CharField(_("办公室设在"), max_length=100, blank=True, default="")
    note = models.CharField(_("备注"), max_length=500, blank=True, default="")

    class Meta:
        verbose_name = _("领导小组")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class Post(models.TextChoices):
    HEAD = "head", _("组长")
    DEPUTY = "deputy", _("副组长")
    MEMBER = "member", _("成员")
    OFFICE_DIRECTOR = "office_director", _("办公室主任")
    OFFICE_STAFF = "office_staff", _("办公室工作人员")


POST_ORDER = [p.value for p in Post]


class GroupMember(models.Model):
    group = models.ForeignKey(LeadingGroup, models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=50)
    post = models.CharField(_("组内职务"), max_length=16, choices=Post.choices, default=Post.MEMBER)
    position = models.CharField(_("单位职务"), max_length=100, blank=True, default="")
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("领导小组成员")
        ordering = ["sort", "id"]


class PointKind(models.TextChoices):
    BAOBAO = "baobao", _("包保")
    GUABANG = "guabang", _("挂帮")


class ContactPoint(Placed):
    """A leader's contact point: a community or a unit they take responsibility for."""

    scope_unit_field = "unit_id"

    leader = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="contact_points", verbose_name=_("领导"))
    kind = models.CharField(_("方式"), max_length=8, choices=PointKind.choices, default=PointKind.BAOBAO)
    community = models.ForeignKey(Node, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("社区"))
    unit = models.ForeignKey(Unit, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("单位/部门"))
    since = models.DateField(_("起始日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("包保联系点")
        constraints = [
            models.CheckConstraint(condition=models.Q(community__isnull=False) | models.Q(unit__isnull=False),
                                   name="contact_point_has_target"),
        ]

    @property
    def target(self):
        return self.unit or self.community


class Plan(Placed):
    """A street's work plan (工作方案) for one year."""

    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("方案名称"), max_length=200)
    start_on = models.DateField(_("开始日期"))
    copied_from = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("复制自"))
    is_example = models.BooleanField(_("示例方案"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("工作方案")
        ordering = ["-year", "title"]
        constraints = [models.UniqueConstraint(fields=["street", "year", "title"], name="plan_unique_title_per_year")]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class MeetingKind(models.TextChoices):
    SCHEDULING = "scheduling", _("调度会")
    TOPIC = "topic", _("专题会")
    JOINT = "joint", _("联席会议")


class Meeting(Placed):
    held_on = models.DateField(_("会议日期"))
    kind = models.CharField(_("会议类型"), max_length=12, choices=MeetingKind.choices)
    title = models.CharField(_("会议名称"), max_length=200)
    chair = models.CharField(_("主持人"), max_length=50)
    attendees = models.TextField(_("参会人员"), blank=True, default="")
    place = models.CharField(_("地点"), max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("会议")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["street", "held_on"])]

    def __str__(self) -> str:
        return self.title


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="decisions")
    number = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("议定事项"))

    class Meta:
        verbose_name = _("议定事项")
        ordering = ["number", "id"]


class MeasureKind(models.TextChoices):
    MEASURE = "measure", _("工作措施")
    TASK = "task", _("交办任务")


class Measure(Placed):
    """A measure of a plan, or a task from a meeting's decision: both tracked the same way."""

    kind = models.CharField(_("类别"), max_length=8, choices=MeasureKind.choices, default=MeasureKind.MEASURE)
    plan = models.ForeignKey(Plan, models.CASCADE, null=True, blank=True, related_name="measures", verbose_name=_("方案"))
    decision = models.OneToOneField(Decision, models.CASCADE, null=True, blank=True, related_name="task", verbose_name=_("议定事项"))
    number = models.PositiveSmallIntegerField(_("序号"), default=0)
    title = models.CharField(_("措施"), max_length=200)
    content = models.TextField(_("内容"), blank=True, default="")
    start_on = models.DateField(_("开始日期"))
    deadline = models.DateField(_("完成期限"))
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("工作措施")
        ordering = ["number", "id"]
        indexes = [models.Index(fields=["street", "completed_on", "deadline"])]

    def __str__(self) -> str:
        return self.title


class Responsibility(Placed):
    """One unit's (or community's) part in a measure: lead or responsible, with its own progress.

    The holder is `unit` when set, else `community`; `community` doubles as the ancestor column
    (a unit inside a community has both), as on visits, rectifications and contact points."""

    scope_unit_field = "unit_id"

    measure = models.ForeignKey(Measure, models.CASCADE, related_name="responsibilities")
    is_lead = models.BooleanField(_("牵头单位"), default=False)
    unit = models.ForeignKey(Unit, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("单位"))
    community = models.ForeignKey(Node, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("社区"))
    percent = models.PositiveSmallIntegerField(_("完成进度%"), default=0)
    last_reported_on = models.DateField(_("最近报送"), null=True, blank=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("责任分工")
        ordering = ["-is_lead", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(community__isnull=False) | models.Q(unit__isnull=False),
                                   name="responsibility_has_holder"),
            models.UniqueConstraint(fields=["measure", "unit"], name="responsibility_unique_unit"),
            # `community` is also the ancestor column of a unit's row: unique only for a community's own row
            models.UniqueConstraint(fields=["measure", "community"], condition=models.Q(unit__isnull=True),
                                    name="responsibility_unique_community"),
        ]

    @property
    def holder(self):
        return self.unit if self.unit_id else self.community

    @property
    def holder_name(self) -> str:
        h = self.holder
        return h.name if h else ""


class ProgressReport(Placed):
    scope_unit_field = "responsibility__unit_id"

    responsibility = models.ForeignKey(Responsibility, models.CASCADE, related_name="reports")
    reported_on = models.DateField(_("报送日期"))
    percent = models.PositiveSmallIntegerField(_("完成进度%"))
    text = models.TextField(_("工作开展情况"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("进度报送")
        ordering = ["-reported_on", "-id"]


class ChecklistItem(models.Model):
    """One line of the street office's supervision checklist (ledgers present, app rates, ...)."""

    street = models.ForeignKey(Node, models.CASCADE, related_name="+")
    text = models.CharField(_("检查内容"), max_length=200)
    sort = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("督导检查项目")
        ordering = ["sort", "id"]


class Visit(Placed):
    """A supervision visit (督导检查) to a community or a unit."""

    scope_unit_field = "unit_id"

    visited_on = models.DateField(_("检查日期"))
    visitors = models.CharField(_("督导人员"), max_length=200)
    community = models.ForeignKey(Node, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("被检查社区"))
    unit = models.ForeignKey(Unit, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("被检查单位"))
    summary = models.TextField(_("总体情况"), blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("督导检查")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["street", "visited_on"])]

    @property
    def target(self):
        return self.unit or self.community


class CheckResult(models.TextChoices):
    OK = "ok", _("符合")
    PROBLEM = "problem", _("存在问题")
    NA = "na", _("不适用")


class VisitCheck(models.Model):
    visit = models.ForeignKey(Visit, models.CASCADE, related_name="checks")
    item = models.CharField(_("检查内容"), max_length=200)  # copied: editing the checklist never rewrites history
    result = models.CharField(_("结果"), max_length=8, choices=CheckResult.choices, default=CheckResult.OK)
    note = models.CharField(_("说明"), max_length=300, blank=True, default="")
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "id"]


class Finding(models.Model):
    visit = models.ForeignKey(Visit, models.CASCADE, related_name="findings")
    text = models.TextField(_("发现问题"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("发现问题")
        ordering = ["id"]


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("整改中")
    SUBMITTED = "submitted", _("待验收")
    ACCEPTED = "accepted", _("已验收")


class Rectification(Placed):
    """A rectification notice (整改通知) to a unit or community, with a deadline."""

    scope_unit_field = "unit_id"

    number = models.CharField(_("文号"), max_length=40, blank=True, default="")
    visit = models.ForeignKey(Visit, models.SET_NULL, null=True, blank=True, related_name="rectifications")
    finding = models.ForeignKey(Finding, models.SET_NULL, null=True, blank=True, related_name="rectifications")
    community = models.ForeignKey(Node, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("整改社区"))
    unit = models.ForeignKey(Unit, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("整改单位"))
    problem = models.TextField(_("存在问题"))
    requirement = models.TextField(_("整改要求"))
    issued_on = models.DateField(_("下发日期"))
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=10, choices=RectificationStatus.choices, default=RectificationStatus.OPEN)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    fix_note = models.TextField(_("整改情况"), blank=True, default="")
    submitted_on = models.DateField(_("报送日期"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    return_note = models.CharField(_("退回意见"), max_length=300, blank=True, default="")
    accepted_on = models.DateField(_("验收日期"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("整改通知")
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["street", "status", "deadline"])]

    @property
    def target(self):
        return self.unit or self.community


class CriticismKind(models.TextChoices):
    CRITICISM = "criticism", _("通报批评")
    SUMMONS = "summons", _("约谈")
    ORDER = "order", _("责令整改")


class IssuerLevel(models.TextChoices):
    COUNTY = "county", _("县（区）创建工作领导小组")
    STREET = "street", _("街道领导小组")


class Criticism(Placed):
    """Criticism, summons or an order to rectify recorded against a unit (read by the unit assessment)."""

    scope_unit_field = "unit_id"

    kind = models.CharField(_("类别"), max_length=10, choices=CriticismKind.choices, default=CriticismKind.CRITICISM)
    issuer = models.CharField(_("作出机关"), max_length=10, choices=IssuerLevel.choices, default=IssuerLevel.STREET)
    community = models.ForeignKey(Node, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("社区"))
    unit = models.ForeignKey(Unit, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("单位"))
    issued_on = models.DateField(_("日期"))
    reason = models.TextField(_("事由"))
    rectification = models.ForeignKey(Rectification, models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("通报批评")
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["unit", "issued_on"])]

    @property
    def target(self):
        return self.unit or self.community


class Photo(Placed):
    """A photo of a finding, a rectification's fix, or a progress report (via fanzha.outreach.evidence)."""

    scope_unit_field = "unit_id"

    unit = models.ForeignKey(Unit, models.SET_NULL, null=True, blank=True, related_name="+")  # holder, for scoping
    finding = models.ForeignKey(Finding, models.CASCADE, null=True, blank=True, related_name="photos")
    rectification = models.ForeignKey(Rectification, models.CASCADE, null=True, blank=True, related_name="photos")
    report = models.ForeignKey(ProgressReport, models.CASCADE, null=True, blank=True, related_name="photos")
    kind = models.CharField(max_length=8)
    content_type = models.CharField(max_length=40)
    original_name = models.CharField(max_length=200, blank=True, default="")
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    file = models.CharField(max_length=200)
    thumb = models.CharField(max_length=200, blank=True, default="")
    taken_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("影像资料")
        ordering = ["id"]


class ReminderKind(models.TextChoices):
    MEASURE = "measure", _("措施/任务")
    RECTIFICATION = "rect", _("整改")


class Reminder(models.Model):
    """One per item and due day: the row is the claim, so two workers never tell people twice."""

    kind = models.CharField(max_length=8, choices=ReminderKind.choices)
    object_id = models.PositiveIntegerField()
    due_day = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id", "due_day"], name="reminder_once_per_due_day")]
