"""Leading groups (领导小组), the street's group deadline, and leaders' contact points (联系点)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fanzha.org.models import Level, Node, Unit
from fanzha.supervision.models import ContactPoint, GroupKind, GroupMember, LeadingGroup, Post, SupervisionSetting
from fanzha.supervision.services._common import _raise, _today
from fanzha.supervision.services.holders import Holder


def setting_set(*, user, street: Node, group_deadline: dt.date | None) -> SupervisionSetting:
    with transaction.atomic():
        s, _created = SupervisionSetting.objects.update_or_create(street=street, defaults={"group_deadline": group_deadline})
        return s


def group_save(*, user, kind: str, node: Node, unit: Unit | None = None, name: str, established_on: dt.date | None,
               first_responsible: str = "", office_at: str = "", note: str = "",
               members: list[tuple[str, str, str]] = (), group: LeadingGroup | None = None,
               today: dt.date | None = None) -> LeadingGroup:
    """Create or update a leading group with its members [(name, post, position)] (all replaced)."""
    today = _today(today)
    errors: dict = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写领导小组名称")]
    if kind not in GroupKind.values:
        errors["kind"] = [_("类别无效")]
    if kind == GroupKind.DEPARTMENT and unit is None:
        errors["unit"] = [_("部门领导小组要选择部门")]
    if kind == GroupKind.COMMUNITY and node.level != Level.COMMUNITY:
        errors["node"] = [_("社区领导小组要选择社区")]
    if established_on and established_on > today:
        errors["established_on"] = [_("成立日期不能晚于今天")]
    rows = []
    for i, (mname, post, position) in enumerate(members):
        mname = (mname or "").strip()
        if not mname:
            continue
        if post not in Post.values:
            errors.setdefault("members", []).append(_("第%(n)d行的组内职务无效") % {"n": i + 1})
            continue
        rows.append(GroupMember(name=mname[:50], post=post, position=(position or "").strip()[:100], sort=i))
    _raise(errors)
    with transaction.atomic():
        g = group or LeadingGroup()
        g.kind, g.node, g.unit, g.name = kind, node, unit, name
        g.established_on, g.first_responsible, g.office_at, g.note = established_on, first_responsible.strip(), office_at.strip(), note.strip()
        if unit:
            g.place_like(unit)
        else:
            g.place_at(node)
        g.full_clean()
        g.save()
        g.members.all().delete()
        for r in rows:
            r.group = g
        GroupMember.objects.bulk_create(rows)
    return g


def contact_point_add(*, user, leader, holder: Holder, kind: str, since: dt.date | None = None) -> ContactPoint:
    from fanzha.core.access import LEADER, OFFICER
    from fanzha.core.scoping import scope_of

    roles = scope_of(leader).roles
    if not roles & {LEADER, OFFICER}:
        raise ValidationError(_("只有领导或派出所民警可以包保联系点"))
    with transaction.atomic():
        mine = ContactPoint.objects.filter(leader=leader)
        mine = mine.filter(unit=holder.unit) if holder.unit else mine.filter(community=holder.community, unit__isnull=True)
        if mine.exists():
            raise ValidationError(_("%(who)s已包保%(what)s") % {"who": leader, "what": holder.name})
        p = ContactPoint(leader=leader, kind=kind, since=since)
        holder.place(p)
        p.full_clean()
        p.save()
    return p


def contact_point_delete(*, user, point: ContactPoint) -> None:
    with transaction.atomic():
        point.delete()
