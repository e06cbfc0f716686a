"""The org data sets of the demo: the demo street and the county-scale data set.

Everything here is fictitious (people from `fanzha.demo.people`). Two entry points:

- `build_demo_street()` — the street of seed 000: 示范县 (code ``DEMO-K``) →
  西门街道 (code ``DEMO``) with 8 communities, exactly 116 grids, 36 grid
  leaders, 94 grid workers and 980 household groups, ~9,800 households,
  ~26,000 residents, ~40 units with ~1,000 staff and their families, and the
  named demo users (password ``demo``). Callers detect an existing demo
  street by ``Node.objects.filter(code="DEMO").exists()``; building it twice
  fails on the unique node codes.
- `build_county()` — the county-scale data set under the county node
  ``BENCH-K`` (10 streets, 150 communities, 1,500 grids, 15,000 groups,
  150,000 households, 450,000 residents, 3,000 units, 60,000 staff by
  default), used by `fanzha demo --scale county` and the benchmarks.

Both write in batches, never one service call per row: the tree level by
level (`fanzha.demo.tree`), households, residents, staff (`fanzha.demo.staff`)
and family members through `fanzha.demo.rows` into the one raw-insert engine
`fanzha.core.bulk.insert_rows`. Ancestor columns are filled in Python.
Encryption, keyed hashes and masks are what the services write. Users and
role assignments go through the org services (`fanzha.demo.users`). Both end
by refreshing the planner statistics (`analyze`); the head counts and other
derived figures are refreshed by the caller once every app's data is in
(`fanzha.demo.refresh`).
"""

from __future__ import annotations

import random

from django.db import transaction

from fanzha.demo.people import BENCH_LOCAL_REGIONS, DEMO_LOCAL_REGIONS, People, Person, cum
from fanzha.demo.rows import BATCH, Writer, analyze, placed, say
from fanzha.demo.staff import StaffPicker
from fanzha.demo.tree import (
    cn_number,
    create_nodes,
    group_rows,
    grid_rows,
    groups_per_grid,
    household_address,
    short_name,
    split,
)
from fanzha.demo.users import DEMO_PASSWORD, demo_users
from fanzha.org.counts import recount_grids
from fanzha.org.models import Level, Node, Residency, Unit, UnitKind

DEMO_COUNTY_CODE = "DEMO-K"
DEMO_STREET_CODE = "DEMO"
BENCH_COUNTY_CODE = "BENCH-K"

__all__ = ["BENCH_COUNTY_CODE", "DEMO_COUNTY_CODE", "DEMO_PASSWORD", "DEMO_STREET_CODE", "build_county",
           "build_demo_street"]

# --- the demo street -------------------------------------------------------------

# (name, rural, grids, grid leaders, roads). 116 grids, 36 grid leaders in all.
DEMO_COMMUNITIES = (
    ("西门社区", False, 18, 6, ("西门路", "鼓楼巷", "县前街")),
    ("文昌社区", False, 16, 4, ("文昌路", "学前街", "状元巷")),
    ("城西社区", False, 15, 5, ("城西路", "人民西路", "丰收巷")),
    ("学府社区", False, 15, 5, ("学府路", "育才路", "书院街")),
    ("桂花园社区", False, 14, 4, ("桂花路", "金桂街", "丹桂巷")),
    ("河滨社区", False, 14, 4, ("滨河路", "望江路", "河埠街")),
    ("柳塘村", True, 12, 4, ()),
    ("石桥村", True, 12, 4, ()),
)
DEMO_GROUPS = 980
DEMO_GRID_WORKERS = 94

# (name, kind, where: None = the street, else community index, staff count).
DEMO_UNITS = (
    ("西门街道党政办公室", UnitKind.STREET_DEPARTMENT, None, 14),
    ("西门街道平安建设办公室（反诈办）", UnitKind.STREET_DEPARTMENT, None, 10),
    ("西门街道社会事务办公室", UnitKind.STREET_DEPARTMENT, None, 14),
    ("西门街道经济发展办公室", UnitKind.STREET_DEPARTMENT, None, 10),
    ("西门街道城市管理办公室", UnitKind.STREET_DEPARTMENT, None, 16),
    ("西门街道党群服务中心", UnitKind.STREET_DEPARTMENT, None, 8),
    ("西门街道退役军人服务站", UnitKind.STREET_DEPARTMENT, None, 5),
    ("西门街道综合行政执法队", UnitKind.STREET_DEPARTMENT, None, 22),
    ("西门街道便民服务中心", UnitKind.STREET_DEPARTMENT, None, 12),
    ("西门街道财政所", UnitKind.STREET_DEPARTMENT, None, 8),
    ("示范县公安局西门派出所", UnitKind.GOVERNMENT, None, 32),
    ("示范县西门小学", UnitKind.SCHOOL, 0, 62),
    ("示范县文昌中学", UnitKind.SCHOOL, 1, 84),
    ("示范县学府路小学", UnitKind.SCHOOL, 3, 56),
    ("西门街道中心幼儿园", UnitKind.SCHOOL, 2, 26),
    ("石桥村小学", UnitKind.SCHOOL, 7, 14),
    ("示范县农村商业银行西门支行", UnitKind.BANK, 0, 22),
    ("中国建设银行示范县城西支行", UnitKind.BANK, 2, 18),
    ("西门宾馆", UnitKind.HOTEL, 0, 16),
    ("文昌大酒店", UnitKind.HOTEL, 1, 34),
    ("如家快捷酒店（示范县西门店）", UnitKind.HOTEL, 4, 12),
    ("河滨民宿", UnitKind.HOTEL, 5, 5),
    ("西门街道社区卫生服务中心", UnitKind.HOSPITAL, 0, 46),
    ("示范县第二人民医院", UnitKind.HOSPITAL, 2, 120),
    ("示范县鑫源纺织有限公司", UnitKind.COMPANY, 6, 64),
    ("示范县宏达建材有限公司", UnitKind.COMPANY, 7, 28),
    ("柳塘竹木制品厂", UnitKind.COMPANY, 6, 36),
    ("示范县天成电子科技有限公司", UnitKind.COMPANY, 3, 52),
    ("西门物业管理有限公司", UnitKind.COMPANY, 0, 24),
    ("桂花园物业服务有限公司", UnitKind.COMPANY, 4, 15),
    ("文昌超市连锁有限公司", UnitKind.COMPANY, 1, 28),
    ("示范县恒通汽车销售服务有限公司", UnitKind.COMPANY, 2, 20),
    ("河滨农贸市场管理有限公司", UnitKind.COMPANY, 5, 10),
    ("石桥茶叶专业合作社", UnitKind.COMPANY, 7, 12),
    ("示范县顺丰速运西门营业部", UnitKind.COMPANY, 2, 12),
    ("示范县新华书店西门店", UnitKind.COMPANY, 0, 8),
    ("中国移动示范县西门营业厅", UnitKind.INDUSTRY, 0, 6),
    ("中国电信示范县文昌营业厅", UnitKind.INDUSTRY, 1, 6),
    ("示范县邮政西门支局", UnitKind.INDUSTRY, 0, 10),
    ("示范县燃气有限公司西门服务站", UnitKind.INDUSTRY, 3, 8),
    # Awkward: a unit just registered, its staff roster not uploaded yet (no staff: rates of nothing).
    ("示范县优品生活超市（新开业）", UnitKind.COMPANY, 4, 0),
)
DEMO_LIAISON_UNIT = "示范县西门小学"
DEMO_DEPARTMENT_UNIT = "西门街道综合行政执法队"  # the `dept` demo user: a department that clues and measures are handed to


def build_demo_street(*, seed: int = 2026, stdout=None) -> list[dict]:
    """Build the demo street 西门街道 (code DEMO) in 示范县 (code DEMO-K); return the named demo users.

    1. The tree: county, street, 8 communities, 116 grids, 980 household groups.
    2. About ten households per group with ~2.7 residents each: permanent,
       temporary and floating households, elderly living alone, students,
       finance staff; the last group has nobody registered yet (an empty node).
    3. ~40 units with staff, some of whom are residents of the street, and
       their family members (linked to residents where they live here); one
       new unit has no staff yet.
    4. Planner statistics refreshed (`analyze`); at the end the new tree's head counts
       are counted (`recount_grids`), before the transaction commits.
    5. Users: the 36 grid leaders and 94 grid workers (gl001…, gw001…, no
       usable password) and the named demo users with password "demo";
       `gridleader` is one of the 36 grid leaders, `grid1` and `grid2` two of
       the 94 grid workers.
    Returns [{"username", "role", "role_label", "scope"}] for the named users.
    Run it only when no node with code "DEMO" exists (the codes are unique).
    """
    rng = random.Random(seed)
    people = People(rng, local_regions=DEMO_LOCAL_REGIONS, seq_base=0, seq_span=400)
    with transaction.atomic():
        county = create_nodes(Level.COUNTY, [(None, DEMO_COUNTY_CODE, "示范县", 0)])[0]
        street = create_nodes(Level.STREET, [(county, DEMO_STREET_CODE, "西门街道", 0)])[0]
        communities = create_nodes(Level.COMMUNITY, [
            (street, f"{DEMO_STREET_CODE}-C{i:02d}", name, i) for i, (name, *_rest) in enumerate(DEMO_COMMUNITIES, 1)])
        grid_specs, spec_of = [], []
        for c, spec in zip(communities, DEMO_COMMUNITIES, strict=True):
            grid_specs += grid_rows(c, spec[2])
            spec_of += [spec] * spec[2]
        grids = create_nodes(Level.GRID, grid_specs)
        group_counts = groups_per_grid(rng, len(grids), DEMO_GROUPS)
        group_specs = []
        for grid, spec, n in zip(grids, spec_of, group_counts, strict=True):
            group_specs += group_rows(grid, n, spec[0], grid.sort)
        groups = create_nodes(Level.GROUP, group_specs)
        say(stdout, f"  tree: {len(communities)} communities, {len(grids)} grids, {len(groups)} household groups")

        grid_by_id = {g.pk: (g, spec) for g, spec in zip(grids, spec_of, strict=True)}
        writer = Writer()
        residents: list[Person] = []
        flat_index: dict[int, int] = {}
        for group in groups:
            grid, (cname, rural, _n, _l, roads) = grid_by_id[group.grid_id]
            if group is groups[-1]:
                continue  # awkward: a household group just drawn, nobody registered in it yet
            for _ in range(rng.randint(8, 12)):
                r = rng.random()
                renters = (0.10, 0.18) if not rural else (0.04, 0.08)
                residency = (Residency.TEMPORARY if r < renters[0] else Residency.FLOATING if r < renters[1]
                             else Residency.PERMANENT)
                members = people.household(people.household_size(), residency=residency, rural=rural)
                i = flat_index.get(grid.pk, 0)
                flat_index[grid.pk] = i + 1
                writer.add_household(group, household_address(community=cname, rural=rural, roads=roads,
                                                              grid_no=grid.sort, index=i), members)
                residents += members
        writer.flush()
        say(stdout, f"  {writer.counts['households']} households, {writer.counts['residents']} residents")

        units, staff_rows = [], []
        picker = StaffPicker(people, residents, resident_share=0.45)
        for name, kind, where, count in DEMO_UNITS:
            node = street if where is None else communities[where]
            unit = Unit(node=node, name=name, kind=kind, address=_unit_address(rng, node, DEMO_COMMUNITIES, communities),
                        **placed(node))
            rows = picker.staff_for(unit, count)
            if rows:
                unit.contact_name = rows[-1][1].name  # an ordinary staff member acts as liaison, not the head
            units.append(unit)
            staff_rows += rows
        Unit.objects.bulk_create(units, batch_size=BATCH)
        writer.staff(staff_rows)
        say(stdout, f"  {len(units)} units, {writer.counts['staff']} staff, {writer.counts['family_members']} family members")

        analyze()
        by_name = {u.name: u for u in units}
        named = demo_users(people, street, communities, grids, groups, grid_leaders=[c[3] for c in DEMO_COMMUNITIES],
                           grid_workers=DEMO_GRID_WORKERS, liaison_unit=by_name[DEMO_LIAISON_UNIT],
                           department_unit=by_name[DEMO_DEPARTMENT_UNIT])
        say(stdout, f"  users: 36 grid leaders, {DEMO_GRID_WORKERS} grid workers, {len(named)} named demo users")
        recount_grids([county.id])  # a bulk write: the head counts of the new tree, before it commits
    return named


def _unit_address(rng: random.Random, node: Node, specs, communities) -> str:
    if node.level == Level.STREET:
        return f"西门路{rng.randint(1, 60)}号"
    name, rural, _n, _l, roads = specs[[c.pk for c in communities].index(node.pk)]
    if rural:
        return f"{name}{rng.randint(1, 12)}组{rng.randint(1, 80)}号"
    return f"{rng.choice(roads)}{rng.randint(1, 200)}号"


# --- the county ---------------------------------------------------------------

BENCH_STREETS = ("城关街道", "东城街道", "西城街道", "南湖街道", "北山街道", "新港镇", "白沙镇", "清溪镇", "龙泉镇", "桃源乡")
BENCH_PLACES = ("东风 红星 幸福 和平 光明 新华 胜利 朝阳 建设 向阳 人民 解放 文化 团结 长安 永安 金桥 玉泉 青山 "
                "绿水 兴隆 太平 安康 华兴 富民 河西 河东 桥头 岭下 枫林 竹园 杏花 梅溪 松涛 莲塘 双塘").split()
BENCH_ROADS = ("中山路 解放路 人民路 建设路 新华路 文化路 胜利路 和平路 环城路 体育路 公园路 江滨路 "
               "工业路 车站路 长安街 学院路 府前街 青年路 振兴路 迎宾路").split()
BENCH_UNIT_NAMES = {
    UnitKind.COMPANY: ("贸易有限公司", "建材有限公司", "机械制造有限公司", "电子科技有限公司", "纺织有限公司",
                       "物业管理有限公司", "食品有限公司", "汽车销售服务有限公司", "超市", "餐饮管理有限公司"),
    UnitKind.SCHOOL: ("小学", "中学", "幼儿园"),
    UnitKind.HOTEL: ("宾馆", "大酒店", "快捷酒店"),
    UnitKind.BANK: ("农商银行支行", "建设银行支行", "邮储银行营业所"),
    UnitKind.HOSPITAL: ("卫生院", "社区卫生服务站"),
    UnitKind.INDUSTRY: ("移动营业厅", "电信营业厅", "邮政支局"),
    UnitKind.OTHER: ("老年活动中心", "农贸市场"),
}
_BENCH_KINDS = cum(((UnitKind.COMPANY, 62), (UnitKind.SCHOOL, 8), (UnitKind.HOTEL, 8), (UnitKind.BANK, 5),
                     (UnitKind.HOSPITAL, 4), (UnitKind.INDUSTRY, 7), (UnitKind.OTHER, 6)))
BENCH_DEPARTMENTS = ("党政办公室", "平安建设办公室（反诈办）", "社会事务办公室", "经济发展办公室", "城市管理办公室",
                     "党群服务中心", "综合行政执法队", "便民服务中心")


_PLACE_PREFIXES = ("", "新", "前", "后", "上", "下", "大", "小")


def _place_name(i: int, suffix: str) -> str:
    """Distinct community names: 东风社区 … 新东风社区 … 前东风村 …"""
    prefix, base = divmod(i, len(BENCH_PLACES))
    head = _PLACE_PREFIXES[prefix] if prefix < len(_PLACE_PREFIXES) else cn_number(prefix % 100)
    return f"{head}{BENCH_PLACES[base]}{suffix}"


def _exact_sizes(people: People, households: int, total: int) -> list[int]:
    """Household sizes drawn like the demo street's, nudged to add up to exactly `total`."""
    if not households <= total:
        raise ValueError("every household needs at least one resident")
    rng = people.rng
    largest = max(6, -(-total // households))
    sizes = [people.household_size() for _ in range(households)]
    diff = total - sum(sizes)
    while diff:
        i = rng.randrange(households)
        if diff > 0 and sizes[i] < largest:
            sizes[i] += 1
            diff -= 1
        elif diff < 0 and sizes[i] > 1:
            sizes[i] -= 1
            diff += 1
    return sizes


def build_county(*, seed: int = 2026, stdout=None, streets: int = 10, communities_per_street: int = 15,
                 grids_per_community: int = 10, groups_per_grid: int = 10, households_per_group: int = 10,
                 residents_per_household: int = 3, units: int = 3000, staff_per_unit: int = 20,
                 code: str = BENCH_COUNTY_CODE, name: str = "东江县", people: People | None = None) -> dict:
    """Build the county-scale data set under county node `code` (BENCH-K); return the row counts.

    `people` (with its random generator) is passed when several counties are built into one database
    (`build_city`): one People hands out distinct ID numbers across all of them.

    1. The whole tree, level by level (a few bulk inserts per level).
    2. Street by street: households group by group (sizes vary like the demo
       street's but add up to exactly households_per_group ×
       residents_per_household per group), written in batches as they fill,
       so memory holds one street's people at most.
    3. The street's share of the units: street departments at the street,
       the rest at its communities; each with exactly staff_per_unit staff,
       about a third of them residents of the street, and some family members.
    4. Refresh the planner statistics (`analyze`) and count the new tree's
       head counts (`recount_grids`).
    All in one transaction: a failed build leaves nothing behind.
    """
    if people is None:
        people = People(random.Random(seed), local_regions=BENCH_LOCAL_REGIONS, seq_base=400, seq_span=600)
    rng = people.rng
    writer = Writer()
    counts = {"streets": 0, "communities": 0, "grids": 0, "groups": 0, "units": 0}
    with transaction.atomic():
        county = create_nodes(Level.COUNTY, [(None, code, name, 0)])[0]
        street_nodes = create_nodes(Level.STREET, [
            (county, f"{code}-S{s:02d}",
             BENCH_STREETS[s - 1] if s <= len(BENCH_STREETS) else f"第{cn_number(s)}街道", s)
            for s in range(1, streets + 1)])
        rows = []
        for s, street in enumerate(street_nodes):
            for c in range(1, communities_per_street + 1):
                rural = street.name.endswith(("镇", "乡")) and c > communities_per_street // 3
                name = _place_name(s * communities_per_street + c - 1, "村" if rural else "社区")
                rows.append((street, f"{street.code}-C{c:03d}", name, c))
        community_nodes = create_nodes(Level.COMMUNITY, rows)
        rural_of = {c.pk: c.name.endswith("村") for c in community_nodes}
        rows = []
        for c in community_nodes:
            rows += grid_rows(c, grids_per_community)
        grid_nodes = create_nodes(Level.GRID, rows)
        community_name = {c.pk: c.name for c in community_nodes}
        rows = []
        for g in grid_nodes:
            rows += group_rows(g, groups_per_grid, community_name[g.community_id], g.sort)
        group_nodes = create_nodes(Level.GROUP, rows)
        counts.update(streets=len(street_nodes), communities=len(community_nodes), grids=len(grid_nodes),
                      groups=len(group_nodes))
        say(stdout, f"  tree: {len(street_nodes)} streets, {len(community_nodes)} communities, "
                     f"{len(grid_nodes)} grids, {len(group_nodes)} household groups")

        groups_by_street: dict[int, list[Node]] = {}
        for g in group_nodes:
            groups_by_street.setdefault(g.street_id, []).append(g)
        communities_by_street: dict[int, list[Node]] = {}
        for c in community_nodes:
            communities_by_street.setdefault(c.street_id, []).append(c)
        grid_sort = {g.pk: g.sort for g in grid_nodes}
        del grid_nodes, group_nodes

        unit_shares = split(list(range(units)), max(1, len(street_nodes)))
        per_group = households_per_group * residents_per_household
        for s, street in enumerate(street_nodes):
            street_people: list[Person] = []
            flat_index: dict[int, int] = {}
            for group in groups_by_street.get(street.pk, ()):
                rural = rural_of[group.community_id]
                roads = tuple(BENCH_ROADS[(group.community_id + k) % len(BENCH_ROADS)] for k in range(3))
                for size in _exact_sizes(people, households_per_group, per_group):
                    r = rng.random()
                    residency = (Residency.TEMPORARY if r < 0.08 else Residency.FLOATING if r < 0.15
                                 else Residency.PERMANENT)
                    members = people.household(size, residency=residency, rural=rural)
                    i = flat_index.get(group.grid_id, 0)
                    flat_index[group.grid_id] = i + 1
                    address = household_address(community=community_name[group.community_id], rural=rural,
                                                roads=roads, grid_no=grid_sort[group.grid_id], index=i)
                    writer.add_household(group, address, members)
                    street_people += members
            writer.flush()

            n_units = len(unit_shares[s]) if s < len(unit_shares) else 0
            if n_units:
                counts["units"] += _county_units(people, street, communities_by_street.get(street.pk, []), n_units,
                                                 staff_per_unit, street_people, writer)
            say(stdout, f"  {street.name}: {writer.counts['households']} households, {writer.counts['residents']} "
                         f"residents, {counts['units']} units, {writer.counts['staff']} staff so far")
            del street_people
        analyze()
        recount_grids([county.id])  # a bulk write: the head counts of the new tree, before it commits
    counts.update(writer.counts)
    return counts


def _county_units(people: People, street: Node, communities: list[Node], n_units: int, staff_per_unit: int,
                  street_people: list[Person], writer: Writer) -> int:
    """Units of one street with their staff and family; returns the number of units."""
    rng = people.rng
    picker = StaffPicker(people, street_people, resident_share=0.3)
    units, taken = [], set()
    for i in range(n_units):
        if i < len(BENCH_DEPARTMENTS) or not communities:
            node, kind = street, UnitKind.STREET_DEPARTMENT
            base = f"{street.name}{BENCH_DEPARTMENTS[i % len(BENCH_DEPARTMENTS)]}"
        else:
            node = communities[i % len(communities)]
            kind = people.pick(_BENCH_KINDS)
            base = f"{short_name(node.name)}{rng.choice(BENCH_UNIT_NAMES[kind])}"
        name, k = base, 1
        while (node.pk, name) in taken:  # unique per node, as the model requires
            k += 1
            name = f"{base}（{cn_number(k) if k < 100 else k}）"
        taken.add((node.pk, name))
        units.append(Unit(node=node, name=name, kind=kind, address=f"{rng.choice(BENCH_ROADS)}{rng.randint(1, 300)}号",
                          **placed(node)))
    # Staff are drawn first so each unit's liaison (contact) is known when it is inserted.
    per_unit = []
    for unit in units:
        unit_rows = picker.staff_for(unit, staff_per_unit)
        if unit_rows:
            unit.contact_name = unit_rows[-1][1].name
        per_unit.append(unit_rows)
    Unit.objects.bulk_create(units, batch_size=BATCH)
    rows = []
    for unit_rows in per_unit:
        rows += unit_rows
        if len(rows) >= BATCH:
            writer.staff(rows)
            rows = []
    writer.staff(rows)
    return len(units)
