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


def _audience_households(grid_ids, audience: str, today: dt.date, compound: str = "") -> list[int]:
    from fanzha.analysis.models import Audience
    from fanzha.analysis.selectors import compound_of
    from fanzha.org.models import Household, Resident, elderly_born_before

    hh = dict(Household.objects.filter(grid_id__in=grid_ids).values_list("id", "address"))
    if compound:
        hh = {k: v for k, v in hh.items() if compound_of(v) == compound}
    if audience == Audience.ALL:
        return sorted(hh)
    people = Resident.objects.filter(household_id__in=list(hh))
    cutoff = elderly_born_before(today)
    if audience == Audience.ELDERLY_ALONE:
        people = people.filter(lives_alone=True, birth_date__lte=cutoff)
    elif audience == Audience.ELDERLY:
        people = people.filter(birth_date__lte=cutoff)
    else:
        people = people.filter(is_student=True)
    return sorted(set(people.values_list("household_id", flat=True)))


def targeted_task_create(*, user, kind: str, key: str, audience: str, due_on: dt.date | None,
                         today: dt.date | None = None):
    """A grid task from a hot spot (kind grid: key is the grid id; kind compound: key is the compound name).

    A compound's task goes to the grid holding most of its listed households
    (a compound on two grids makes one task per grid: the caller gets the list).
    """
    from fanzha.alerts.notify import notify_users, users_at
    from fanzha.analysis.models import Audience, TargetedTask
    from fanzha.core.access import GRID_LEADER, GRID_WORKER
    from fanzha.core.scoping import scoped
    from fanzha.org.models import Household, Level, Node
    from django.urls import reverse

    today = today or timezone.localdate()
    errors = {}
    if audience not in Audience.values:
        errors["audience"] = _("请选择走访对象")
    if due_on is None:
        errors["due_on"] = _("请填写完成期限")
    elif due_on < today:
        errors["due_on"] = _("完成期限不能早于今天")
    if errors:
        raise ValidationError(errors)
    grids = scoped(Node.objects.filter(level=Level.GRID), user)
    if kind == "grid":
        grid_list = list(grids.filter(pk=int(key))) if key.isdigit() else []
        compound = ""
    elif kind == "compound":
        from fanzha.analysis.selectors import compound_of

        compound = key
        ids = {g for g, a in scoped(Household.objects.all(), user).values_list("grid_id", "address")
               if compound_of(a) == key}
        grid_list = list(grids.filter(pk__in=ids))
    else:
        grid_list = []
    if not grid_list:
        raise ValidationError(_("找不到该热点所在的网格"))
    label = dict(Audience.choices)[audience]
    made = []
    with transaction.atomic():
        for grid in grid_list:
            households = _audience_households([grid.id], audience, today, compound)
            if not households:
                continue
            where = f"{compound}（{grid.name}）" if compound else grid.name
            t = TargetedTask(grid=grid, audience=audience, household_ids=households, created_on=today, due_on=due_on,
                             created_by=user, source=_("研判热点：%(w)s") % {"w": where},
                             title=_("%(due)s前走访%(where)s的%(who)s（%(n)d户）") % {
                                 "due": due_on.strftime("%m月%d日"), "where": where, "who": label, "n": len(households)})
            t.place_at(grid)
            t.full_clean()
            t.save()
            made.append(t)
    if not made:
        raise ValidationError(_("该热点没有符合条件的住户"))
    now = timezone.now()
    for t in made:
        workers = users_at([t.grid_id], [GRID_LEADER, GRID_WORKER]).get(t.grid_id, [])
        notify_users(workers, kind="task", text=t.title[:300], now=now, url=reverse("analysis:task", args=[t.pk]))
    return made
