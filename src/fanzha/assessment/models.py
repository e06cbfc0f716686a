"""Fraud-free community / unit assessment (无诈社区 / 无诈单位 创建考核, SPEC §8).

An `Assessment` is one run for one street and one period (a year, or the
seeds' first period 2021H2 against 2021H1). It holds one `Verdict` per
community and per unit of the street. Each verdict keeps the criteria as
computed from the records (with their evidence) in `criteria`; while the run
is a draft they are recomputed on demand, once published they are frozen:
later changes to cases, files or findings never alter a published verdict.
A re-assessment is a new run (`supersedes` points at the old one, which stays).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fanzha.org.models import Placed


class Status(models.TextChoices):
    DRAFT = "draft", _("考核中")
    PUBLISHED = "published", _("已公布")


class SubjectKind(models.TextChoices):
    COMMUNITY = "community", _("社区")
    UNIT = "unit", _("单位")


class Outcome(models.TextChoices):
    PASS = "pass", _("达标")
    FAIL = "fail", _("未达标")
    PENDING = "pending", _("待认定")


class Assessment(Placed):
    """One assessment run of a street (placed at the street)."""

    period = models.CharField(_("考核期"), max_length=8)  # 2024 or 2021H2
    base_period = models.CharField(_("对比期"), max_length=8)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    supersedes = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("重新考核自"))
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("创建考核")
        ordering = ["-period", "-id"]
        indexes = [models.Index(fields=["street", "period"])]

    def __str__(self) -> str:
        return f"{self.period}"

    @property
    def published(self) -> bool:
        return self.status == Status.PUBLISHED


class Verdict(Placed):
    """One community's or unit's standing in a run.

    `criteria` is a list of {key, label, ok (true/false/null), manual, summary, evidence{...},
    attested{by, at, note, ok} or null}; `computed` sums them up. `override`, when set,
    replaces the computed outcome and always carries `override_reason`.
    """

    scope_unit_field = "unit_id"

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="verdicts")
    kind = models.CharField(_("类别"), max_length=10, choices=SubjectKind.choices)
    subject = models.ForeignKey("org.Node", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("社区"))
    unit = models.ForeignKey("org.Unit", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("单位"))
    name = models.CharField(_("名称"), max_length=100)
    sort = models.PositiveIntegerField(default=0)
    criteria = models.JSONField(default=list)
    computed = models.CharField(_("系统结论"), max_length=8, choices=Outcome.choices, default=Outcome.PENDING)
    override = models.CharField(_("复核结论"), max_length=8, choices=Outcome.choices, blank=True, default="")
    override_reason = models.TextField(_("复核理由"), blank=True, default="")
    override_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    override_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("考核结论")
        ordering = ["assessment", "kind", "sort", "id"]
        indexes = [models.Index(fields=["assessment", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def outcome(self) -> str:
        return self.override or self.computed

    def get_outcome_display(self) -> str:
        return Outcome(self.outcome).label

    def failed_reasons(self) -> list[str]:
        return [c["summary"] for c in self.criteria if (c.get("attested") or {}).get("ok", c["ok"]) is False]

    def missing(self) -> list[str]:
        return [c["label"] for c in self.criteria if c["manual"] and not c.get("attested")]

    def reason_text(self) -> str:
        """Why not passed (for the year-end list): the failed criteria, or the override's reason."""
        if self.outcome == Outcome.PASS:
            return self.override_reason if self.override else ""
        if self.override:
            return self.override_reason
        if self.outcome == Outcome.PENDING:
            return "；".join(str(m) for m in self.missing())
        return "；".join(self.failed_reasons())
