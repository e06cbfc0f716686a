"""Writes of the duties app (keyword-only, atomic, validated, Chinese messages)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.core.audit import audit
from fanzha.duties.models import (
    Campaign,
    CampaignActivity,
    CampaignPhase,
    Duty,
    DutyEntry,
    PushGroup,
    RecordKind,
    Rhythm,
    UnitSector,
    Volunteer,
    VolunteerPart,
    WechatGroup,
    Who,
)
from fanzha.duties.seeds import load_defaults


def _today(today):
    return today or timezone.localdate()


def defaults_load(*, user) -> int:
    with transaction.atomic():
        n = load_defaults()
        audit(user=user, action="duty.defaults", target="duties", detail=f"created {n}")
    return n


def duty_update(*, user, duty: Duty, count: int, rhythm: str, remind_days: int, active: bool,
                count_max: int | None = None) -> Duty:
    errors: dict[str, list[str]] = {}
    if rhythm not in Rhythm.values:
        errors["rhythm"] = [_("请选择周期")]
    if count is None or count < 1 or count > 400:
        errors["count"] = [_("次数须在1到400之间")]
    if count_max is not None and count is not None and count_max < count:
        errors["count_max"] = [_("建议至多次数不能少于至少次数")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = {"count": duty.count, "rhythm": duty.rhythm, "active": duty.active}
        duty.count, duty.rhythm, duty.remind_days, duty.active, duty.count_max = count, rhythm, remind_days, active, count_max
        duty.updated_by = user
        duty.full_clean()
        duty.save()
        audit(user=user, action="duty.update", target=f"duty:{duty.id}",
              detail=f"{before} -> count={count} rhythm={rhythm} active={active}")
    return duty


def entry_record(*, user, duty: Duty, on: dt.date | None, node=None, unit=None, note: str = "",
                 today: dt.date | None = None) -> DutyEntry:
    """A ledger line of a duty kept here (sector ledger, daily tick, self-check)."""
    today = _today(today)
    errors: dict[str, list[str]] = {}
    if duty.record != RecordKind.ENTRY:
        errors["duty"] = [_("该职责由业务记录自动计数，无需登记")]
    if on is None:
        errors["on"] = [_("请填写日期")]
    elif on > today:
        errors["on"] = [_("日期不能晚于今天")]
    if duty.who == Who.UNIT and unit is None:
        errors["unit"] = [_("请选择单位")]
    if duty.who == Who.LEVEL and (node is None or node.level != duty.who_value):
        errors["node"] = [_("请选择节点")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        e = DutyEntry(duty=duty, on=on, note=(note or "").strip()[:300], recorded_by=user, unit=unit,
                      node=unit.node if unit is not None else node)
        e.place_like(unit) if unit is not None else e.place_at(node)
        e.full_clean()
        e.save()
    return e


def group_create(*, user, node, name: str, kind: str, owner=None, unit=None) -> WechatGroup:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("请填写群名称")]})
    if WechatGroup.objects.filter(node=node, name=name).exists():
        raise ValidationError({"name": [_("该节点已有同名微信群")]})
    with transaction.atomic():
        g = WechatGroup(node=node, name=name, kind=kind, owner=owner, unit=unit)
        g.place_at(node)
        g.full_clean()
        g.save()
        audit(user=user, action="duty.group", target=f"group:{g.id}", detail=name)
    return g


def push_link(*, push, group: WechatGroup) -> PushGroup:
    """Name the group an outreach push went to (replaces an earlier link)."""
    with transaction.atomic():
        link, _created = PushGroup.objects.update_or_create(push=push, defaults={"group": group, "pushed_on": push.pushed_on})
    return link


def push_record(*, user, group: WechatGroup, pushed_on, title: str, content_kind: str = "text", today=None):
    """Record a push through the outreach service and link it to its group."""
    from fanzha.outreach.services import wechat_push_record

    with transaction.atomic():
        push = wechat_push_record(user=user, node=group.node, group_name=group.name, pushed_on=pushed_on, title=title,
                                  content_kind=content_kind, today=today)
        push_link(push=push, group=group)
    return push


def link_pushes_by_name() -> int:
    """Link unlinked outreach pushes to the group of the same name at the same node (one pass, bulk)."""
    from fanzha.outreach.models import WeChatPush

    groups = {(g.node_id, g.name): g.id for g in WechatGroup.objects.only("id", "node_id", "name")}
    if not groups:
        return 0
    rows = []
    for pid, node_id, name, on in (WeChatPush.objects.filter(duty_group__isnull=True)
                                   .values_list("id", "node_id", "group_name", "pushed_on")):
        gid = groups.get((node_id, name))
        if gid:
            rows.append(PushGroup(push_id=pid, group_id=gid, pushed_on=on))
    PushGroup.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def unit_sector_set(*, unit, sector: str | None) -> None:
    if sector:
        UnitSector.objects.update_or_create(unit=unit, defaults={"sector": sector})
    else:
        UnitSector.objects.filter(unit=unit).delete()


def volunteer_create(*, user, node, name: str, note: str = "") -> Volunteer:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("请填写姓名")]})
    with transaction.atomic():
        v = Volunteer(node=node, name=name, note=note)
        v.place_at(node)
        v.full_clean()
        v.save()
        audit(user=user, action="duty.volunteer", target=f"volunteer:{v.id}")
    return v


def volunteer_part_add(*, volunteer: Volunteer, activity=None, sweep=None) -> VolunteerPart:
    if (activity is None) == (sweep is None):
        raise ValidationError(_("请选择一项活动或一次打卡"))
    on = activity.held_on if activity is not None else sweep.held_on
    with transaction.atomic():
        part, _created = VolunteerPart.objects.get_or_create(volunteer=volunteer, activity=activity, sweep=sweep,
                                                             defaults={"on": on})
    return part


def campaign_create(*, user, node, name: str, starts_on, ends_on, summary_due_on,
                    phases: list[tuple[str, dt.date, dt.date]] = ()) -> Campaign:
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = [_("请填写名称")]
    if not starts_on or not ends_on or ends_on < starts_on:
        errors["ends_on"] = [_("结束日期不能早于开始日期")]
    if not summary_due_on:
        errors["summary_due_on"] = [_("请填写总结报送日期")]
    for label, s, e in phases:
        if not s or not e or e < s or (starts_on and s < starts_on) or (ends_on and e > ends_on):
            errors.setdefault("phases", []).append(_("阶段“%(p)s”的日期须在活动期间内") % {"p": label})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        c = Campaign(node=node, name=name.strip(), starts_on=starts_on, ends_on=ends_on, summary_due_on=summary_due_on,
                     created_by=user)
        c.place_at(node)
        c.full_clean()
        c.save()
        CampaignPhase.objects.bulk_create([CampaignPhase(campaign=c, name=p, starts_on=s, ends_on=e) for p, s, e in phases])
        audit(user=user, action="duty.campaign", target=f"campaign:{c.id}", detail=c.name)
    return c


def campaign_tag(*, campaign: Campaign, activity) -> CampaignActivity:
    if not (campaign.starts_on <= activity.held_on <= campaign.ends_on):
        raise ValidationError(_("活动日期不在集中宣传期间内"))
    tag, _created = CampaignActivity.objects.get_or_create(campaign=campaign, activity=activity)
    return tag
