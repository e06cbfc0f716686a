"""Import kind "org": the street's communities, grids and ten-household groups.

Nodes are matched by code, else by name under their parent; new nodes without
a code get their parent's code + '-' + a sequence number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fanzha.core.imports import Column, Importer, Row
from fanzha.org import services
from fanzha.org.importers.common import NodeIndex
from fanzha.org.models import Level, Node


@dataclass
class PlannedNode:
    level: str
    name: str
    code: str  # given, generated, or the existing node's
    parent: "PlannedNode | Node"
    row: int
    existing: Node | None = None
    rename: bool = False
    node: Node | None = None  # after apply

    @property
    def parent_code(self) -> str:
        return self.parent.code


ORG_LEVELS = [
    (Level.COMMUNITY, "community", "community_code", gettext_lazy("社区")),
    (Level.GRID, "grid", "grid_code", gettext_lazy("网格")),
    (Level.GROUP, "group", "group_code", gettext_lazy("十联户")),
]


class OrgImporter(Importer):
    kind = "org"
    label = gettext_lazy("组织架构")
    description = gettext_lazy("本街道的社区（村）、网格和十联户。每行一个十联户（或只填到网格、社区），上级重复填写即可。")
    entities = [gettext_lazy("社区"), gettext_lazy("网格"), gettext_lazy("十联户")]
    columns = [
        Column("community_code", "社区编码", aliases=("社区代码", "村编码", "村(社区)编码"), max_length=40,
               help=gettext_lazy("可空；为空时按名称识别，新社区自动编码"), example="XM-C01"),
        Column("community", "社区", aliases=("社区名称", "村", "村名称", "社区/村", "村/社区", "村(社区)", "社区(村)"),
               required=True, max_length=100, help=gettext_lazy("必填：社区或村的名称"), example="东关社区", width=18),
        Column("grid_code", "网格编码", aliases=("网格代码",), max_length=40, help=gettext_lazy("可空"), example="XM-C01-G01"),
        Column("grid", "网格", aliases=("网格名称",), max_length=100, help=gettext_lazy("网格名称；只建社区时可空"),
               example="东关第一网格", width=18),
        Column("group_code", "十联户编码", aliases=("联户编码", "十联户代码"), max_length=40, help=gettext_lazy("可空"),
               example="XM-C01-G01-01"),
        Column("group", "十联户", aliases=("十联户名称", "联户", "联户组", "联户名称"), max_length=100,
               help=gettext_lazy("十联户名称；只建到网格时可空"), example="东关1-1联户", width=18),
    ]

    def validate(self, rows: list[Row]) -> None:
        """1. Resolve or plan each level of each row, parent first.
        2. Check codes and names agree across rows and with the database.
        3. Give codes to new nodes that have none: parent code + '-' + sequence."""
        idx = NodeIndex(self.ctx)
        street = idx.street
        planned: dict[tuple, PlannedNode] = {}  # (level, parent key, name) -> plan
        by_code: dict[str, PlannedNode] = {}
        all_codes = set(Node.objects.values_list("code", flat=True))  # codes are unique in the whole tree
        self._by_existing: dict[int, PlannedNode] = {}
        for row in rows:
            if (row["group"] or row["group_code"]) and not (row["grid"] or row["grid_code"]):
                self.error(row, "group", _("填写十联户时必须同时填写网格"))
                continue
            parent: PlannedNode | Node = street
            parent_key: Any = ("node", street.id)
            for level, key, code_key, label in ORG_LEVELS:
                name, code = row[key], row[code_key]
                if not name and not code:
                    if level == Level.COMMUNITY:
                        self.error(row, key, _("社区为空"))
                    break
                if not name:
                    self.error(row, key, _("填写了编码但名称为空"))
                    break
                plan = self._plan(row, level, key, code_key, label, name, code, parent, parent_key, planned, by_code, idx, all_codes)
                if plan is None:
                    break
                parent, parent_key = plan, ("plan", id(plan))
        if self.errors:
            return
        self.plans = list(planned.values())
        self._give_codes(idx, all_codes)
        labels = {level: str(label) for level, _k, _c, label in ORG_LEVELS}
        for p in self.plans:
            self.counts[labels[p.level]]["created" if p.existing is None else ("updated" if p.rename else "unchanged")] += 1

    def _plan(self, row, level, key, code_key, label, name, code, parent, parent_key, planned, by_code, idx, all_codes):
        pk = (level, parent_key, name)
        if code:
            prior = by_code.get(code)
            if prior is not None and (prior.level != level or prior.name != name or prior.parent is not parent):
                self.error(row, code_key, _("编码“%(c)s”在第%(n)d行已用于“%(name)s”") % {"c": code, "n": prior.row, "name": prior.name})
                return None
        plan = planned.get(pk)
        if plan is not None:
            if code and plan.code and plan.code != code:
                self.error(row, code_key, _("“%(name)s”在第%(n)d行的编码是“%(c)s”，与本行不一致") % {"name": name, "n": plan.row, "c": plan.code})
                return None
            return plan
        parent_node = parent if isinstance(parent, Node) else parent.existing
        existing = None
        rename = False
        if code:
            hit = idx.by_code.get(code)
            if hit is not None:
                if hit.level != level or (parent_node is None or hit.parent_id != parent_node.id):
                    self.error(row, code_key, _("编码“%(c)s”已被其他节点使用") % {"c": code})
                    return None
                existing, rename = hit, hit.name != name
            elif code in all_codes:
                self.error(row, code_key, _("编码“%(c)s”已被其他节点使用") % {"c": code})
                return None
            elif parent_node is not None:
                same = [n for n in idx.by_name.get((level, name), []) if n.parent_id == parent_node.id]
                if same:
                    self.error(row, code_key, _("“%(name)s”已存在，编码为“%(c)s”，与填写的编码不一致") % {"name": name, "c": same[0].code})
                    return None
        elif parent_node is not None:
            same = [n for n in idx.by_name.get((level, name), []) if n.parent_id == parent_node.id]
            if same:
                existing = same[0]
        if existing is not None and existing.id in self._by_existing:
            other = self._by_existing[existing.id]
            self.error(row, key, _("与第%(n)d行是同一节点（编码“%(c)s”），名称却不同") % {"n": other.row, "c": existing.code})
            return None
        plan = PlannedNode(level=level, name=name, code=code or (existing.code if existing else ""), parent=parent,
                           row=row.n, existing=existing, rename=rename)
        planned[pk] = plan
        if existing is not None:
            self._by_existing[existing.id] = plan
        if plan.code:
            by_code[plan.code] = plan
        return plan

    def _give_codes(self, idx: NodeIndex, all_codes: set[str]) -> None:
        taken = set(all_codes) | {p.code for p in self.plans if p.code}
        counters: dict[str, int] = {}
        for p in self.plans:  # parents come before their children (planned in row order, parent first)
            if p.code:
                continue
            base = p.parent_code
            k = counters.get(base, 0)
            while True:
                k += 1
                candidate = f"{base}-{k:02d}"
                if candidate not in taken:
                    break
            counters[base] = k
            p.code = candidate
            taken.add(candidate)

    def apply(self) -> None:
        for p in self.plans:
            if p.existing is not None:
                p.node = p.existing
                if p.rename:
                    services.node_rename(node=p.existing, name=p.name)
                continue
            parent = p.parent if isinstance(p.parent, Node) else p.parent.node
            p.node = services.node_create(parent=parent, level=p.level, code=p.code, name=p.name)
