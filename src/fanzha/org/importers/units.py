"""Import kind "units": street departments, schools, banks, hotels, companies.

Units are matched by name within the street; a unit with only a community
hangs under the community, with neither under the street.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fanzha.core.imports import Column, Importer, Row
from fanzha.org.counts import recount_grids
from fanzha.org.importers.common import BATCH, NodeIndex, UnitIndex, ancestors_of
from fanzha.org.importers.parsing import UNIT_KINDS, short
from fanzha.org.models import ANCESTOR_FIELDS, FamilyMember, Level, StaffMember, Unit, UnitKind


class UnitImporter(Importer):
    kind = "units"
    label = gettext_lazy("单位")
    description = gettext_lazy("街道部门、学校、银行、酒店、企业等单位。单位按名称识别；只填社区时挂在社区下，都不填时挂在街道下。")
    entities = [gettext_lazy("单位")]
    columns = [
        Column("name", "单位名称", aliases=("单位", "名称", "单位全称"), required=True, max_length=100,
               help=gettext_lazy("必填；在本街道内唯一"), example="西门小学", width=22),
        Column("kind", "单位类型", aliases=("类型", "单位类别", "类别"), choices=tuple(str(lb) for _v, lb in UnitKind.choices),
               help=gettext_lazy("空表示“其他”"), example="学校", width=14),
        Column("community", "所属社区", aliases=("社区", "社区名称", "村", "所属村(社区)"),
               help=gettext_lazy("可空：单位所在的社区（村）"), example="东关社区", width=14),
        Column("grid", "所属网格", aliases=("网格", "网格名称"), help=gettext_lazy("可空：单位所在的网格"), example="", width=14),
        Column("address", "地址", aliases=("单位地址", "地点", "住所"), max_length=200, help=gettext_lazy("可空"),
               example="西门路8号", width=22),
        Column("contact_name", "联系人", aliases=("联络员", "负责人", "单位联系人"), max_length=50, help=gettext_lazy("可空"),
               example="赵老师", width=10),
    ]

    def choice_lists(self) -> dict[str, list[str]]:
        idx = NodeIndex(self.ctx)
        return {"community": [n.name for n in idx.of_level(Level.COMMUNITY)], "grid": [n.name for n in idx.of_level(Level.GRID)]}

    def validate(self, rows: list[Row]) -> None:
        idx = NodeIndex(self.ctx)
        units = UnitIndex(self.ctx)
        present = self.present
        seen: dict[str, int] = {}
        self.new: list[Unit] = []
        self.changed: list[tuple[Unit, set[str]]] = []
        self.nodes: set[int] = set()  # the nodes whose head counts the write changes
        counts = self.counts[str(self.entities[0])]
        for row in rows:
            name = row["name"]
            if not name:
                self.error(row, "name", _("单位名称为空"))
            elif name in seen:
                self.error(row, "name", _("与第%(n)d行的单位名称重复") % {"n": seen[name]})
            else:
                seen[name] = row.n
            kind = UnitKind.OTHER
            if row["kind"]:
                kind = UNIT_KINDS.get(row["kind"])
                if kind is None:
                    self.error(row, "kind", _("未知单位类型“%(v)s”，应为：%(all)s") % {
                        "v": short(row["kind"]), "all": "、".join(str(lb) for _v, lb in UnitKind.choices)})
            c, g, _grp, errs = idx.place(row["community"], row["grid"], "", need_grid=False)
            for k, reason in errs:
                self.error(row, k, reason)
            if row.bad:
                continue
            node = g or c or idx.street
            placed = "community" in present or "grid" in present
            existing, why = units.find(name)
            if existing is None and why == "ambiguous":
                same = [u for u in units.by_name[name] if u.node_id == node.id]
                if len(same) != 1:
                    self.error(row, "name", _("本街道有多个名为“%(v)s”的单位，请填写所属社区/网格以区分") % {"v": short(name)})
                    continue
                existing = same[0]
            values = {"kind": kind, "address": row["address"], "contact_name": row["contact_name"]}
            if existing is None:
                u = Unit(node=node, name=name, **values)
                u.place_at(node)
                self.new.append(u)
                self.nodes.add(node.id)
                counts["created"] += 1
                continue
            changed = {f for f, val in values.items() if f in present and getattr(existing, f) != val}
            if placed and existing.node_id != node.id:
                changed.add("node")
            for f in changed - {"node"}:
                setattr(existing, f, values[f])
            if "node" in changed:
                self.nodes.update((existing.node_id, node.id))  # its staff move with it
                existing.node = node
                existing.place_at(node)
            if changed:
                self.changed.append((existing, changed))
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1

    def apply(self) -> None:
        """Create new units, update changed ones (their staff follow a move), then count the
        nodes written under again in the same transaction."""
        Unit.objects.bulk_create(self.new, batch_size=BATCH)
        self._update()
        recount_grids(self.nodes)

    def _update(self) -> None:
        if not self.changed:
            return
        Unit.objects.bulk_update([u for u, _c in self.changed], ["node", "kind", "address", "contact_name", *ANCESTOR_FIELDS],
                                 batch_size=BATCH)
        for u, changed in self.changed:
            if "node" in changed:  # staff and their families carry the unit's place in the tree
                StaffMember.objects.filter(unit_id=u.id).update(**ancestors_of(u))
                FamilyMember.objects.filter(staff__unit_id=u.id).update(**ancestors_of(u))
