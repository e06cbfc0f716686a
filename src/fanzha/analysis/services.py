"""Writes of the analysis app: briefings generated, edited and published."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.analysis.briefing import briefing_numbers, briefing_text, has_data
from fanzha.analysis.models import Briefing, BriefingStatus
from fanzha.cases.periods import Period
from fanzha.org.models import Node


def briefing_generate(*, user, node: Node, period: Period, today: dt.date | None = None,
                      scheduled: bool = False) -> Briefing:
    """A draft briefing with its numbers frozen; a period in the future or without any records is refused."""
    today = today or timezone.localdate()
    if period.start > today:
        raise ValidationError(_("期间尚未开始，不能生成简报"))
    numbers = briefing_numbers(user, node=node, period=period, today=today)
    if not has_data(numbers):
        raise ValidationError(_("%(node)s%(period)s没有任何台账或案件记录，无法生成简报") %
                              {"node": node.name, "period": period.label})
    b = Briefing(node=node, period=str(period), numbers=numbers, text=briefing_text(numbers), scheduled=scheduled,
                 title=_("%(node)s防范电信网络诈骗工作简报") % {"node": node.name},
                 created_by=user if getattr(user, "pk", None) else None)
    b.place_at(node)
    b.full_clean()
    with transaction.atomic():
        b.save()
    return b


def briefing_edit(*, briefing: Briefing, text: str, title: str) -> Briefing:
    if briefing.status == BriefingStatus.PUBLISHED:
        raise ValidationError(_("简报已发布，不能再修改"))
    if not text.strip():
        raise ValidationError({"text": _("正文不能为空")})
    with transaction.atomic():
        updated = Briefing.objects.filter(pk=briefing.pk, status=BriefingStatus.DRAFT).update(
            text=text.strip(), title=(title.strip() or briefing.title)[:120])
        if not updated:
            raise ValidationError(_("简报已发布，不能再修改"))
    briefing.refresh_from_db()
    return briefing


def briefing_publish(*, briefing: Briefing, user) -> Briefing:
    with transaction.atomic():
        updated = Briefing.objects.filter(pk=briefing.pk, status=BriefingStatus.DRAFT).update(
            status=BriefingStatus.PUBLISHED, published_by=user, published_at=timezone.now())
        if not updated:
            raise ValidationError(_("简报已发布"))
    briefing.refresh_from_db()
    return briefing
