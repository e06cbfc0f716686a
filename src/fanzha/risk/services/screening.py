"""The monthly risk screening (每月一次风险排查) a community files.

The record figures are computed when it is filed and kept with it (`record_figures`), so a
filed screening shows what the records said then; the worker adds dens, offenders and likely
victims as judged on the ground (pre-filled from the records), causes and measures.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.org.models import Level, Node
from fanzha.risk.models import Screening
from fanzha.risk.selectors import screening_prefill


def screening_file(*, user, community: Node, month: dt.date, dens_found: int, offenders: int, likely_victims: int,
                   causes: str = "", measures: str = "", now: dt.datetime | None = None) -> Screening:
    """File (or correct) a community's screening for a month; one per community and month."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    month = month.replace(day=1)
    errors: dict[str, list[str]] = {}
    if community.level != Level.COMMUNITY:
        errors["community"] = [_("月度排查按社区填报")]
    if month > today.replace(day=1):
        errors["month"] = [_("不能填报未来月份")]
    for key, value in (("dens_found", dens_found), ("offenders", offenders), ("likely_victims", likely_victims)):
        if value is None or int(value) < 0 or int(value) > 100000:
            errors[key] = [_("请填写0或正整数")]
    if not (measures or "").strip():
        errors["measures"] = [_("请填写采取的措施")]
    if errors:
        raise ValidationError(errors)
    figures = screening_prefill(community, month)
    with transaction.atomic():
        s = Screening.objects.select_for_update().filter(community=community, month=month).first()
        if s is None:
            s = Screening(month=month, filed_at=now)
            s.place_at(community)
        s.dens_found, s.offenders, s.likely_victims = int(dens_found), int(offenders), int(likely_victims)
        s.causes, s.measures = (causes or "").strip(), measures.strip()
        s.record_figures = figures
        s.filed_by = user if getattr(user, "pk", None) else None
        try:
            with transaction.atomic():
                s.save()
        except IntegrityError:
            raise ValidationError({"month": [_("该社区本月的排查刚由他人填报，请刷新后修改")]}) from None
    return s
