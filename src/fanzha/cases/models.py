"""Fraud cases (发案) and reduction targets (压降目标).

A case sits in the tree like every other record (ancestor columns), taken
from the victim's household when the victim is a registered resident, else
from the community the officer picks. The victim's group (age, gender,
student, floating, unit staff or family) is kept on the case as it was at
registration, so statistics never need to join people's data and do not
change when a resident later moves or has a birthday.
"""

from __future__ import annotations
from fanzha.core.versioning import version_field

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fanzha.cases.fraud_types import FraudType
from fanzha.org.models import Gender, Placed

MAJOR_LOSS = Decimal("500000")


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    SMS = "sms", _("短信")
    WECHAT = "wechat", _("微信")
    QQ = "qq", _("QQ")
    APP = "app", _("App")
    WEBSITE = "website", _("网站")
    IN_PERSON = "in_person", _("当面")
    OTHER = "other", _("其他")


class StaffLink(models.TextChoices):
    NONE = "", _("否")
    STAFF = "staff", _("单位职工")
    FAMILY = "family", _("职工家属")


class Outcome(models.TextChoices):
    """既遂 (money lost) or 未遂 (attempted, stopped before any loss); reduction targets judge completed cases."""

    COMPLETED = "completed", _("既遂")
    ATTEMPTED = "attempted", _("未遂")


class DateBasis(models.TextChoices):
    """Which date a case is counted by: the day the fraud happened (发案, default) or the day it was reported."""

    OCCURRED = "occurred", _("按发案日期统计")
    REPORTED = "reported", _("按报案日期统计")


DATE_FIELD = {DateBasis.OCCURRED: "loss_on", DateBasis.REPORTED: "reported_on"}


def date_field(basis: str | None) -> str:
    """The Case field a basis counts by (unknown or empty: 发案日期)."""
    return DATE_FIELD.get(basis or DateBasis.OCCURRED, "loss_on")


class Case(Placed):
    version = version_field()  # optimistic lock (fanzha.core.versioning)
    number = models.CharField(_("案件编号"), max_length=40, blank=True, default="", db_index=True)
    reported_on = models.DateField(_("报案日期"), db_index=True)
    loss_on = models.DateField(_("发案日期"))
    outcome = models.CharField(_("既遂/未遂"), max_length=10, choices=Outcome.choices, default=Outcome.COMPLETED,
                               db_index=True)
    victim = models.ForeignKey("org.Resident", models.SET_NULL, null=True, blank=True, related_name="cases", verbose_name=_("受害人"))
    victim_name = models.CharField(_("受害人姓名"), max_length=50, blank=True, default="")
    victim_age = models.PositiveSmallIntegerField(_("受害人年龄"), null=True, blank=True)
    victim_gender = models.CharField(_("受害人性别"), max_length=1, choices=Gender.choices, blank=True, default="")
    victim_occupation = models.CharField(_("受害人职业"), max_length=50, blank=True, default="")
    victim_student = models.BooleanField(_("学生"), default=False)
    victim_floating = models.BooleanField(_("流动人口"), default=False)
    staff_link = models.CharField(_("职工或家属"), max_length=8, choices=StaffLink.choices, blank=True, default="")
    unit = models.ForeignKey("org.Unit", models.SET_NULL, null=True, blank=True, related_name="cases", verbose_name=_("所在单位"))
    loss = models.DecimalField(_("损失金额（元）"), max_digits=14, decimal_places=2)
    stopped = models.DecimalField(_("止付冻结返还（元）"), max_digits=14, decimal_places=2, default=Decimal("0"))
    fraud_type = models.CharField(_("诈骗类型"), max_length=32, choices=FraudType.choices, db_index=True)
    suggested_type = models.CharField(_("系统建议类型"), max_length=32, choices=FraudType.choices, blank=True, default="")
    suggested_confidence = models.FloatField(_("建议置信度"), null=True, blank=True)
    channel = models.CharField(_("接触渠道"), max_length=10, choices=Channel.choices, default=Channel.PHONE)
    narrative = models.TextField(_("简要案情"), blank=True, default="")
    is_major = models.BooleanField(_("重大案件"), default=False, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("案件")
        ordering = ["-reported_on", "-id"]
        indexes = [
            models.Index(fields=["street", "reported_on"]),
            models.Index(fields=["community", "reported_on"]),
            models.Index(fields=["county", "reported_on"]),
            models.Index(fields=["street", "loss_on"]),
            models.Index(fields=["community", "loss_on"]),
            models.Index(fields=["county", "loss_on"]),
        ]
        permissions = [("manage_cases", "登记和修改案件"), ("manage_targets", "设置压降目标")]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def victim_elderly(self) -> bool:
        return self.victim_age is not None and self.victim_age >= 60


class CaseChange(models.Model):
    """One edit of a case: who, when, and each field's old and new value."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="changes")
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    source = models.CharField(max_length=10, default="form")  # form / import / api
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]


class TargetKind(models.TextChoices):
    ALL = "all", _("全部案件")
    STAFF = "staff", _("职工被骗案件")


class ReductionTarget(models.Model):
    """Cases in `period` must change by `change_pct` against `base_period`.

    Periods are written like 2021, 2021H1, 2021Q3 or 2021-07.
    """

    node = models.ForeignKey("org.Node", models.CASCADE, related_name="reduction_targets", verbose_name=_("节点"))
    kind = models.CharField(_("口径"), max_length=8, choices=TargetKind.choices, default=TargetKind.ALL)
    period = models.CharField(_("考核期"), max_length=8)
    base_period = models.CharField(_("对比期"), max_length=8)
    change_pct = models.DecimalField(_("目标变化（%）"), max_digits=6, decimal_places=1)
    note = models.CharField(_("说明"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("压降目标")
        ordering = ["node", "kind", "period"]
        constraints = [models.UniqueConstraint(fields=["node", "kind", "period"], name="reduction_target_unique")]
