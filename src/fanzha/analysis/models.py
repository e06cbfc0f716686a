from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fanzha.org.models import Placed


class BriefingStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class Briefing(Placed):
    """A period briefing (工作简报/通报) for a node: the numbers it was generated from and its (edited) text.

    The numbers are frozen at generation; the office edits only the text; once
    published neither changes again (a new draft is generated for corrections).
    """

    node = models.ForeignKey("org.Node", models.PROTECT, related_name="+", verbose_name=_("范围"))
    period = models.CharField(_("期间"), max_length=8)
    title = models.CharField(_("标题"), max_length=120)
    numbers = models.JSONField(_("生成所依据的数字"), default=dict)
    text = models.TextField(_("正文"))
    status = models.CharField(_("状态"), max_length=10, choices=BriefingStatus.choices, default=BriefingStatus.DRAFT)
    scheduled = models.BooleanField(_("系统按月生成"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("工作简报")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["node", "period"], condition=models.Q(scheduled=True),
                                               name="briefing_one_scheduled_per_node_period")]

    def __str__(self) -> str:
        return self.title


class Audience(models.TextChoices):
    ALL = "all", _("全部住户")
    ELDERLY_ALONE = "elderly_alone", _("独居老人住户")
    ELDERLY = "elderly", _("有60岁以上老人的住户")
    STUDENTS = "students", _("有学生的住户")


class TargetedTask(Placed):
    """A grid's task made from a hot spot: visit the listed households by the due date.

    The households are fixed when the task is made; a household counts as done
    when a home visit (outreach) is recorded for it on or after that day.
    """

    grid = models.ForeignKey("org.Node", models.PROTECT, related_name="+", verbose_name=_("网格"))
    title = models.CharField(_("任务"), max_length=200)
    source = models.CharField(_("来源"), max_length=120, blank=True, default="")
    audience = models.CharField(_("对象"), max_length=16, choices=Audience.choices, default=Audience.ALL)
    household_ids = models.JSONField(_("住户"), default=list)
    created_on = models.DateField(_("下发日期"))
    due_on = models.DateField(_("完成期限"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("定向走访任务")
        ordering = ["due_on", "-id"]

    def __str__(self) -> str:
        return self.title
