"""Who a measure, visit or rectification is for (责任主体): a community, a unit or a department."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fanzha.org.models import Level, Node, Unit


@dataclass(frozen=True)
class Holder:
    """A unit or a community that holds a responsibility, a rectification or a contact point."""

    unit: Unit | None = None
    community: Node | None = None

    @property
    def key(self) -> str:
        return f"u{self.unit.pk}" if self.unit else f"c{self.community.pk}"

    @property
    def name(self) -> str:
        return (self.unit or self.community).name

    def place(self, record) -> None:
        if self.unit:
            record.place_like(self.unit)
            if hasattr(record, "unit_id"):
                record.unit = self.unit
        else:
            record.place_at(self.community)
            if hasattr(record, "community_id"):
                record.community = self.community


def holder_of(record) -> Holder:
    return Holder(unit=record.unit, community=None if record.unit_id else record.community)


def holders_from_keys(street: Node, keys) -> list[Holder]:
    """'u12' / 'c7' keys (the forms' values) to holders of this street; unknown keys are an error."""
    unit_ids, node_ids, bad = [], [], []
    for k in dict.fromkeys(k.strip() for k in keys if k and k.strip()):
        if k[:1] in "uc" and k[1:].isdigit():
            (unit_ids if k[0] == "u" else node_ids).append(int(k[1:]))
        else:
            bad.append(k)
    units = Unit.objects.in_bulk(unit_ids)
    nodes = Node.objects.in_bulk(node_ids)
    out = []
    for k in dict.fromkeys(k.strip() for k in keys if k and k.strip()):
        if k[:1] not in "uc" or not k[1:].isdigit():
            continue
        if k[0] == "u":
            u = units.get(int(k[1:]))
            if u is None or u.street_id != street.pk:
                bad.append(k)
            else:
                out.append(Holder(unit=u))
        else:
            n = nodes.get(int(k[1:]))
            if n is None or n.level != Level.COMMUNITY or n.street_id != street.pk:
                bad.append(k)
            else:
                out.append(Holder(community=n))
    if bad:
        raise ValidationError(_("所选单位不在本街道：%(keys)s") % {"keys": "、".join(bad)})
    return out
