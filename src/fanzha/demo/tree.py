"""The org tree of the demo data: nodes level by level, their names and codes, household addresses."""

from __future__ import annotations

import random

from django.db.models import F

from fanzha.demo.rows import BATCH
from fanzha.org.models import Node

def create_nodes(level: str, rows: list[tuple[Node | None, str, str, int]]) -> list[Node]:
    """Insert one level of the tree: rows of (parent, code, name, sort).

    1. Build the nodes with their parent's ancestor columns (`place_at`).
    2. bulk_create them; ids come back on SQLite ≥ 3.35 and PostgreSQL.
    3. Point each node's own level column at itself, in one UPDATE.
    """
    nodes = []
    for parent, code, name, sort in rows:
        n = Node(level=level, code=code, name=name, parent=parent, sort=sort)
        n.place_at(parent)
        nodes.append(n)
    Node.objects.bulk_create(nodes, batch_size=BATCH)
    if nodes and nodes[0].pk is None:
        raise RuntimeError("bulk_create returned no ids: SQLite ≥ 3.35 or PostgreSQL is required")
    ids = [n.pk for n in nodes]
    Node.objects.filter(pk__gte=min(ids), pk__lte=max(ids), level=level).update(**{level: F("id")})
    for n in nodes:
        setattr(n, f"{level}_id", n.pk)
    return nodes


_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 35 → 三十五 (up to 99)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def short_name(community_name: str) -> str:
    for suffix in ("社区", "村"):
        if community_name.endswith(suffix) and len(community_name) > len(suffix):
            return community_name[: -len(suffix)]
    return community_name


def household_address(*, community: str, rural: bool, roads: tuple[str, ...], grid_no: int, index: int) -> str:
    """An address unique within its grid: flats in numbered buildings, or house numbers in a village group."""
    if rural:
        return f"{community}{grid_no}组{index + 1}号"
    # Each grid has its own house number on its road (odd numbers), so
    # addresses do not repeat across the grids of a community either.
    road = roads[(grid_no - 1) % len(roads)]
    building, rest = divmod(index, 24)
    unit, rest = divmod(rest, 12)
    floor, room = divmod(rest, 2)
    return f"{road}{2 * grid_no - 1}号{building + 1}幢{unit + 1}单元{floor + 1}0{room + 1}室"


def grid_rows(community: Node, count: int) -> list[tuple[Node, str, str, int]]:
    return [(community, f"{community.code}-G{g:02d}", f"{community.name}第{cn_number(g)}网格", g) for g in range(1, count + 1)]


def group_rows(grid: Node, count: int, community_name: str, grid_no: int) -> list[tuple[Node, str, str, int]]:
    short = short_name(community_name)
    return [(grid, f"{grid.code}-{k:02d}", f"{short}{grid_no}-{k}联户", k) for k in range(1, count + 1)]


def split(items: list, parts: int) -> list[list]:
    """`items` in `parts` consecutive runs of near-equal length (longer runs first)."""
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return out


def groups_per_grid(rng: random.Random, grids: int, total: int) -> list[int]:
    """Near-equal group counts (7-10) per grid that add up to exactly `total`."""
    counts = [total // grids] * grids
    for i in rng.sample(range(grids), total - sum(counts)):
        counts[i] += 1
    for _ in range(grids // 5):  # some spread, keeping the sum
        a, b = rng.sample(range(grids), 2)
        if counts[a] > 7 and counts[b] < 10:
            counts[a] -= 1
            counts[b] += 1
    return counts
