"""What the org import kinds share: the street's nodes and units looked up
without queries, batch sizes and small helpers."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fanzha.core.imports import ImportContext
from fanzha.org.importers.parsing import short
from fanzha.org.models import ANCESTOR_FIELDS, Level, Node, Unit

BATCH = 1000  # rows per bulk statement (the backend lowers it to its parameter limit)
IN_CHUNK = 5000  # values per IN (...) look-up


def ancestors_of(obj) -> dict[str, int | None]:
    return {f"{f}_id": getattr(obj, f"{f}_id") for f in ANCESTOR_FIELDS}


def chunked(seq, n=IN_CHUNK):
    seq = list(seq)
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


# --- the street's nodes, looked up without queries --------------------------------


class NodeIndex:
    """The nodes of the import's street the user may see, by code and by name."""

    def __init__(self, ctx: ImportContext):
        street: Node = ctx.root
        nodes = list(ctx.scope.filter(Node.objects.filter(street_id=street.id)).order_by("sort", "code"))
        self.street = street
        self.by_id = {n.id: n for n in nodes}
        self.by_code = {n.code: n for n in nodes}
        self.by_name: dict[tuple[str, str], list[Node]] = {}
        for n in nodes:
            self.by_name.setdefault((n.level, n.name), []).append(n)

    def of_level(self, level: str) -> list[Node]:
        return [n for n in self.by_id.values() if n.level == level]

    def find(self, level: str, text: str, within: Node | None = None) -> tuple[Node | None, str]:
        """(node, "") or (None, "unknown" | "ambiguous" | "elsewhere")."""
        n = self.by_code.get(text) or self.by_code.get(text.upper())
        if n is not None and n.level == level:
            if within is not None and getattr(n, f"{within.level}_id") != within.id:
                return None, "elsewhere"
            return n, ""
        named = pool = self.by_name.get((level, text), [])
        if within is not None:
            pool = [n for n in named if getattr(n, f"{within.level}_id") == within.id]
        if len(pool) == 1:
            return pool[0], ""
        if pool:
            return None, "ambiguous"
        return None, ("elsewhere" if named else "unknown")

    def place(self, community: str, grid: str, group: str, *, need_grid: bool) -> tuple[Node | None, Node | None, Node | None, list[tuple[str, str]]]:
        """Resolve 社区 / 网格 / 十联户 cells: (community, grid, group, [(column key, reason)])."""
        errs: list[tuple[str, str]] = []
        c = g = grp = None
        if community:
            c, why = self.find(Level.COMMUNITY, community)
            if c is None:
                errs.append(("community", _("未知社区“%(v)s”") % {"v": short(community)} if why != "ambiguous"
                             else _("社区名称“%(v)s”不唯一，请填写社区编码") % {"v": short(community)}))
                return None, None, None, errs
        if grid:
            g, why = self.find(Level.GRID, grid, c)
            if g is None:
                if why == "ambiguous":
                    errs.append(("grid", _("网格名称“%(v)s”在多个社区中都有，请同时填写社区或填写网格编码") % {"v": short(grid)}))
                elif why == "elsewhere":
                    errs.append(("grid", _("网格“%(v)s”不在社区“%(c)s”下") % {"v": short(grid), "c": c.name}))
                else:
                    errs.append(("grid", _("未知网格“%(v)s”") % {"v": short(grid)}))
                return c, None, None, errs
            c = c or self.by_id.get(g.community_id)
        elif need_grid:
            errs.append(("grid", _("网格为空")))
            return c, None, None, errs
        if group:
            if g is None:
                errs.append(("group", _("填写十联户时必须同时填写网格")))
                return c, None, None, errs
            grp, why = self.find(Level.GROUP, group, g)
            if grp is None:
                errs.append(("group", _("十联户“%(v)s”不在网格“%(g)s”下") % {"v": short(group), "g": g.name} if why == "elsewhere"
                             else _("未知十联户“%(v)s”") % {"v": short(group)}))
                return c, g, None, errs
        return c, g, grp, errs

# --- kind: units --------------------------------------------------------------------------


class UnitIndex:
    """The units of the import's street the user may see, by name."""

    def __init__(self, ctx: ImportContext):
        self.by_name: dict[str, list[Unit]] = {}
        for u in ctx.scope.filter(Unit.objects.filter(street_id=ctx.root.id)).order_by("id"):
            self.by_name.setdefault(u.name, []).append(u)

    def find(self, name: str) -> tuple[Unit | None, str]:
        pool = self.by_name.get(name, [])
        if len(pool) == 1:
            return pool[0], ""
        return None, ("ambiguous" if pool else "unknown")
