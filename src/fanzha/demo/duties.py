"""Demo duties: WeChat groups, volunteers, sector units, ledger ticks and a campaign, with people behind and on track."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from fanzha.duties import services
from fanzha.duties.models import (
    CampaignActivity,
    Duty,
    GroupKind,
    PushGroup,
    UnitSector,
    Volunteer,
    WechatGroup,
)
from fanzha.duties.seeds import load_defaults
from fanzha.duties.selectors import period_of
from fanzha.org.models import Level, Node, Unit, User


def _push_rows(groups, start: dt.date, today: dt.date, rng: random.Random, *, per_week=(0, 1, 2, 3)):
    """Outreach pushes for each group this week (some groups 0 or 1: behind) linked to the group."""
    from fanzha.outreach.models import WeChatPush

    pushes, links = [], []
    for g in groups:
        n = rng.choice(per_week)
        for i in range(n):
            day = min(today, start + dt.timedelta(days=i))
            p = WeChatPush(node_id=g.node_id, group_name=g.name, pushed_on=day, title="反诈提醒：谨防刷单返利诈骗")
            p.county_id, p.street_id, p.community_id, p.grid_id, p.group_id = (g.county_id, g.street_id, g.community_id,
                                                                                g.grid_id, g.group_id)
            pushes.append((p, g))
    WeChatPush.objects.bulk_create([p for p, _g in pushes], batch_size=1000)
    links = [PushGroup(push_id=p.id, group_id=g.id, pushed_on=p.pushed_on) for p, g in pushes]
    PushGroup.objects.bulk_create(links, batch_size=1000)
    return len(links)


def _groups_for(street: Node) -> list[WechatGroup]:
    rows = []
    for n in Node.objects.filter(street=street, level__in=[Level.COMMUNITY, Level.GRID]).order_by("sort", "code"):
        kind = GroupKind.SUNSHINE if n.level == Level.COMMUNITY else GroupKind.GRID
        g = WechatGroup(node=n, name=f"{n.name}{kind.label}", kind=kind)
        g.place_at(n)
        rows.append(g)
    for u in Unit.objects.filter(street=street).exclude(kind="street_department"):
        kind = GroupKind.PARENTS if u.kind == "school" else GroupKind.UNIT
        g = WechatGroup(node=u.node, unit=u, name=f"{u.name}{kind.label}", kind=kind)
        g.place_like(u)
        rows.append(g)
    WechatGroup.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return list(WechatGroup.objects.filter(street=street))


def load_demo(street: Node, stdout=None, *, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    load_defaults()
    if WechatGroup.objects.filter(street=street).exists():
        return  # loaded once
    rng = random.Random(15)
    groups = _groups_for(street)
    owner = User.objects.filter(username="community").first()
    if owner:
        WechatGroup.objects.filter(id__in=[g.id for g in groups if g.kind == GroupKind.SUNSHINE]).update(owner=owner)
    start, _end = period_of("weekly", today)
    n_pushes = _push_rows(groups, start, today, rng)
    # sectors: the first units become a bank, a cinema, a property company, a high school
    units = list(Unit.objects.filter(street=street).exclude(kind="street_department").order_by("id"))
    for u, sector in zip(units, ["bank", "cinema", "property", "high_school"]):
        UnitSector.objects.get_or_create(unit=u, defaults={"sector": sector})
    liaison = User.objects.filter(username="liaison").first()
    bank = Duty.objects.filter(seed_key="bank_prompts").first()
    for u in units[:1]:
        if bank:  # the bank ticked today (on track); the cinema and property company did not (behind)
            services.entry_record(user=liaison, duty=bank, on=today, unit=u, note="LED屏滚动播放、柜台提醒", today=today)
    check = Duty.objects.filter(seed_key="community_self_check").first()
    communities = list(Node.objects.filter(street=street, level=Level.COMMUNITY).order_by("sort", "code"))
    for c in communities[::2]:  # every other community did this month's self-check
        if check:
            services.entry_record(user=owner, duty=check, on=today.replace(day=1), node=c, note="自查自纠", today=today)
    # volunteers, counted for the activities they joined
    from fanzha.outreach.models import Activity

    acts = list(Activity.objects.filter(street=street, held_on__gte=today - dt.timedelta(days=60)).order_by("-held_on")[:20])
    for i, c in enumerate(communities[:3]):
        v = services.volunteer_create(user=owner, node=c, name=["陈丽", "王志强", "刘芳"][i], note="反诈志愿者")
        for a in acts[i::4][: 2 - (i % 2)]:
            services.volunteer_part_add(volunteer=v, activity=a)
    # a concentrated campaign of the last month with tagged activities
    office = User.objects.filter(username="office").first()
    c_start, c_end = today - dt.timedelta(days=40), today - dt.timedelta(days=5)
    camp = services.campaign_create(user=office, node=street, name=f"{today.year}年反诈集中宣传月", starts_on=c_start,
                                    ends_on=c_end, summary_due_on=c_end + dt.timedelta(days=7),
                                    phases=[("动员部署", c_start, c_start + dt.timedelta(days=6)),
                                            ("集中宣传", c_start + dt.timedelta(days=7), c_end - dt.timedelta(days=5)),
                                            ("总结提升", c_end - dt.timedelta(days=4), c_end)])
    for a in Activity.objects.filter(street=street, held_on__range=(c_start, c_end))[:30]:
        CampaignActivity.objects.get_or_create(campaign=camp, activity=a)
    if stdout:
        stdout.write(f"duties: {len(groups)} WeChat groups, {n_pushes} pushes this week, "
                     f"{Volunteer.objects.filter(street=street).count()} volunteers, 1 campaign\n")


def load_county(county: Node, stdout=None, *, today: dt.date | None = None) -> None:
    """The county's WeChat groups as records (one per group name pushes were sent to, at that node, plus one per
    unit), the pushes linked to them, and unit sectors. Adds no outreach records, so other figures stay as they are."""
    from fanzha.outreach.models import WeChatPush

    load_defaults()
    if WechatGroup.objects.filter(county=county).exists():
        return
    nodes = Node.objects.in_bulk(set(WeChatPush.objects.filter(county=county).values_list("node_id", flat=True)))
    rows = []
    for node_id, name in WeChatPush.objects.filter(county=county).values_list("node_id", "group_name").distinct():
        n = nodes[node_id]
        kind = GroupKind.GRID if "网格" in name else GroupKind.SUNSHINE
        g = WechatGroup(node=n, name=name, kind=kind)
        g.place_at(n)
        rows.append(g)
    units = list(Unit.objects.filter(county=county).exclude(kind="street_department").order_by("id"))
    for u in units:
        kind = GroupKind.PARENTS if u.kind == "school" else GroupKind.UNIT
        g = WechatGroup(node_id=u.node_id, unit=u, name=f"{u.name}{kind.label}", kind=kind)
        g.place_like(u)
        rows.append(g)
    WechatGroup.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    linked = services.link_pushes_by_name()
    UnitSector.objects.bulk_create([UnitSector(unit=u, sector=["bank", "cinema", "property", "high_school"][i % 4])
                                    for i, u in enumerate(units[::7])], ignore_conflicts=True)
    if stdout:
        stdout.write(f"duties: {WechatGroup.objects.filter(county=county).count()} groups, {linked} pushes linked\n")
