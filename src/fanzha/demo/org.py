"""Built-in demo data: the demo street and the county-scale data set.

Everything here is fictitious: names are drawn from common surnames and
given-name characters, ID numbers are built with `make_id_number` (valid
GB 11643 check digit, plausible region codes, a realistic age pyramid) and
phone numbers are random mobiles with a valid 1[3-9] prefix.

Two entry points:

- `build_demo_street()` — the street of seed 000: 示范县 (code ``DEMO-K``) →
  西门街道 (code ``DEMO``) with 8 communities, exactly 116 grids, 36 grid
  leaders, 94 grid workers and 980 household groups, ~9,800 households,
  ~26,000 residents, ~40 units with ~1,000 staff and their families, and the
  nine named demo users (password ``demo``). Callers detect an existing demo
  street by ``Node.objects.filter(code="DEMO").exists()``; building it twice
  fails on the unique node codes.
- `build_county()` — the county-scale data set under the county node
  ``BENCH-K`` (10 streets, 150 communities, 1,500 grids, 15,000 groups,
  150,000 households, 450,000 residents, 3,000 units, 60,000 staff by
  default), used by `fanzha demo --scale county` and the benchmarks.

Both write in batches, never one service call per row: nodes level by
level with `bulk_create` (the node's own level column is then set to its id,
as `services.node_create` does); households, residents, staff and family
members as model instances turned into rows for the driver's executemany
(`Rows`, `_insert`: bulk_create's per-value compilation was two thirds of
the county build). Ancestor columns are filled in Python. Encryption, keyed
hashes and masks go through the `PiiMixin` setters, so the stored form is
exactly what the services write. Users and role assignments go through
`services.user_create` / `services.assignment_add` so the role groups apply.
Both end by refreshing the planner statistics (`_analyze`).

ID numbers are unique across both data sets: the demo street draws sequence
numbers 000-399 and the county 400-999, so the two can live in one database.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import operator
import random
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import DateField, DateTimeField, F
from django.db.models.base import ModelState
from django.utils import timezone

from fanzha.core.idnumbers import make_id_number
from fanzha.org import services
from fanzha.org.models import (
    Employment,
    FamilyMember,
    Household,
    Level,
    Node,
    Relation,
    Residency,
    Resident,
    Role,
    StaffMember,
    Unit,
    UnitKind,
    User,
)

DEMO_COUNTY_CODE = "DEMO-K"
DEMO_STREET_CODE = "DEMO"
BENCH_COUNTY_CODE = "BENCH-K"
DEMO_PASSWORD = "demo"

# Rows per bulk_create / executemany call, and the flush size of the row
# buffers, which bounds memory at county scale.
BATCH = 5000

# --- people ------------------------------------------------------------------

# The most common surnames, most frequent first; weights fall off with rank.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_SURNAME_CUM = list(itertools.accumulate(1 / (rank + 8) for rank in range(len(SURNAMES))))

# Given names by era (born before 1970 / 1970-1994 / since 1995) and gender:
# whole two-character names, and first/second characters to combine.
_GIVEN = {
    ("old", "M"): ("建国 国庆 建华 志强 德明 永福 国华 建军 福生 长根 金发 荣华 振华 学文 明德 树林 德胜 洪涛 保国 卫东",
                   "建国志德永福长金荣振学明树保卫文庆根有",
                   "国华强明福生根发华军林胜涛东民山才成"),
    ("old", "F"): ("秀英 桂兰 淑珍 玉兰 凤英 桂英 秀兰 翠花 春梅 美华 素芬 月娥 金凤 丽华 秀珍 桂芳 玉珍 彩霞 菊花 爱华",
                   "秀桂淑玉凤翠春美素月金丽彩菊爱兰",
                   "英兰珍花梅华芬娥凤霞芳琴香莲"),
    ("mid", "M"): ("伟 磊 勇 军 涛 斌 强 鹏 杰 浩 超 刚 辉 波 峰 志伟 俊杰 海涛 晓东 建平 文斌 国强 永刚 小龙 云飞",
                   "志俊海晓建文国永小云立振宏伟明家",
                   "伟杰涛东平斌强刚龙飞峰辉军波鹏华"),
    ("mid", "F"): ("丽 静 敏 燕 艳 娟 霞 芳 红 玲 婷 丽娟 晓燕 海燕 丽萍 雪梅 晓丽 春燕 美玲 晓红 秀梅",
                   "丽晓海雪春美秀红慧玉静文小",
                   "娟燕萍梅丽红玲霞婷琴敏芳洁"),
    ("young", "M"): ("浩然 子轩 宇轩 梓豪 俊熙 浩宇 一鸣 子墨 宇航 皓轩 博文 奕辰 思远 泽宇 睿 航 宸 昊",
                     "浩子宇梓俊一博奕思泽睿皓明嘉",
                     "然轩豪熙宇鸣墨航文辰远泽阳宸"),
    ("young", "F"): ("子涵 梓涵 欣怡 诗涵 雨桐 梓萱 可馨 一诺 语嫣 思琪 佳怡 若曦 依诺 欣 悦 萱 彤",
                     "子梓欣诗雨可一语思佳若依雅紫",
                     "涵怡桐萱馨诺嫣琪曦彤悦琳涵"),
}
_GIVEN = {k: (whole.split(), first, second) for k, (whole, first, second) in _GIVEN.items()}

# Mobile prefixes in use (all match 1[3-9]); the landline area code of the region.
PHONE_PREFIXES = ("130 131 132 133 134 135 136 137 138 139 147 150 151 152 153 155 156 157 158 159 "
                  "166 173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 191 198 199").split()
LANDLINE_AREA = "0579"

# Region codes (first six ID digits). Local people carry the county's code,
# people who married in carry another code of the province, floating and
# temporary residents mostly come from inland provinces.
DEMO_LOCAL_REGIONS = ("330727",)
BENCH_LOCAL_REGIONS = ("330726",)
PROVINCE_REGIONS = ("330102", "330106", "330381", "330424", "330681", "331003", "330782")
INLAND_REGIONS = ("341221", "341623", "411522", "412726", "511321", "522427", "362426", "432524",
                  "452127", "500234", "421127", "130621")
_ALL_REGIONS = DEMO_LOCAL_REGIONS + BENCH_LOCAL_REGIONS + PROVINCE_REGIONS + INLAND_REGIONS
_REGION_INDEX = {code: i for i, code in enumerate(_ALL_REGIONS)}

_ID_EPOCH = dt.date(1900, 1, 1)

JOBS = (("公司职员", 18), ("个体经营", 10), ("务工", 12), ("工人", 8), ("教师", 3), ("医护人员", 3),
        ("公务员", 2), ("自由职业", 5), ("司机", 3), ("销售", 6), ("外卖骑手", 2), ("快递员", 2),
        ("无业", 6), ("会计", 2), ("出纳", 1), ("银行职员", 1))
FINANCE_JOBS = {"会计", "出纳", "银行职员"}
RURAL_JOBS = (("务农", 30), ("务工", 25), ("个体经营", 10), ("工人", 10), ("司机", 4), ("无业", 5),
              ("会计", 1), ("教师", 1))
FLOATING_JOBS = (("务工", 30), ("外卖骑手", 10), ("快递员", 10), ("个体经营", 15), ("销售", 10),
                 ("工人", 15), ("公司职员", 8), ("会计", 1))

# Household sizes of the demo street: mean ≈ 2.7 residents per household.
HOUSEHOLD_SIZES = ((1, 17), (2, 27), (3, 32), (4, 16), (5, 6), (6, 2))


def _cum(pairs):
    values = [v for v, _ in pairs]
    return values, list(itertools.accumulate(w for _, w in pairs))


@dataclass(slots=True)
class Person:
    """One fictitious person while a data set is being built (plain Python, no ORM)."""

    name: str
    gender: str
    birth: dt.date
    id_number: str
    phone: str = ""
    phone2: str = ""
    residency: str = Residency.PERMANENT
    relation: str = ""
    occupation: str = ""
    is_student: bool = False
    is_finance_staff: bool = False
    lives_alone: bool = False
    resident_id: int | None = None
    household: list | None = field(default=None, repr=False)


class People:
    """Seeded source of fictitious people, ID numbers and phone numbers.

    ID numbers are unique per instance: sequence numbers are counted per
    (region, birth date, gender) inside [seq_base, seq_base + seq_span), so two
    instances with disjoint ranges (demo street, county) never collide either.
    """

    def __init__(self, rng: random.Random, *, local_regions: tuple[str, ...], seq_base: int, seq_span: int,
                 today: dt.date | None = None):
        self.rng = rng
        self.today = today or dt.date.today()
        self.local_regions = local_regions
        self.seq_base = seq_base
        self.per_gender = seq_span // 2
        self._days = (self.today - _ID_EPOCH).days + 2
        self._seq = bytearray(len(_ALL_REGIONS) * 2 * self._days)  # counts < 256
        self._phones: set[str] = set()
        self._jobs = {False: _cum(JOBS), True: _cum(RURAL_JOBS), "floating": _cum(FLOATING_JOBS)}
        self._sizes = _cum(HOUSEHOLD_SIZES)

    # -- small draws --

    def pick(self, table):
        values, cum = table
        return values[bisect.bisect(cum, self.rng.random() * cum[-1])]

    def surname(self) -> str:
        return SURNAMES[bisect.bisect(_SURNAME_CUM, self.rng.random() * _SURNAME_CUM[-1])]

    def given_name(self, gender: str, birth_year: int) -> str:
        era = "old" if birth_year < 1970 else "mid" if birth_year < 1995 else "young"
        whole, first, second = _GIVEN[(era, gender)]
        rng = self.rng
        if rng.random() < 0.45:
            return rng.choice(whole)
        return rng.choice(first) + rng.choice(second)

    def birth(self, age: int) -> dt.date:
        """A birth date that makes the person exactly `age` today."""
        lo = int(age * 365.2425) + 1
        hi = max(lo, int((age + 1) * 365.2425) - 1)
        return self.today - dt.timedelta(days=self.rng.randint(lo, hi))

    def id_number(self, region: str, birth: dt.date, gender: str) -> str:
        """A unique ID number; the sequence digit's parity gives the gender (odd: male)."""
        male = 1 if gender == "M" else 0
        r = _REGION_INDEX[region]
        while True:
            slot = (r * 2 + male) * self._days + (birth - _ID_EPOCH).days
            k = self._seq[slot]
            if k < self.per_gender:
                self._seq[slot] = k + 1
                return make_id_number(region, birth, self.seq_base + 2 * k + male)
            birth -= dt.timedelta(days=1)  # this day is full: the neighbouring day is as plausible

    def phone(self) -> str:
        rng = self.rng
        while True:
            p = f"{rng.choice(PHONE_PREFIXES)}{rng.randrange(100_000_000):08d}"
            if p not in self._phones:
                self._phones.add(p)
                return p

    def landline(self) -> str:
        return f"{LANDLINE_AREA}{self.rng.randrange(82_000_000, 89_999_999)}"

    # -- people --

    def person(self, age: int, *, gender: str | None = None, surname: str | None = None, region: str | None = None,
               residency: str = Residency.PERMANENT, rural: bool = False, relation: str = "") -> Person:
        rng = self.rng
        gender = gender or ("M" if rng.random() < 0.5 else "F")
        birth = self.birth(age)
        if region is None:
            if residency != Residency.PERMANENT:
                region = rng.choice(INLAND_REGIONS) if rng.random() < 0.8 else rng.choice(PROVINCE_REGIONS)
            else:
                region = rng.choice(PROVINCE_REGIONS) if rng.random() < 0.08 else rng.choice(self.local_regions)
        p = Person(name=(surname or self.surname()) + self.given_name(gender, birth.year), gender=gender, birth=birth,
                   id_number=self.id_number(region, birth, gender), residency=residency, relation=relation)
        # Who has a mobile: nearly every adult, most teenagers, fewer of the very old.
        if (age >= 18 and (age < 80 or rng.random() < 0.7)) or (14 <= age < 18 and rng.random() < 0.8):
            p.phone = self.phone()
        if age >= 60 and rng.random() < 0.15:
            p.phone2 = self.landline()
        self._occupy(p, age, rural)
        return p

    def _occupy(self, p: Person, age: int, rural: bool) -> None:
        rng = self.rng
        if age < 3:
            return
        if age < 6:
            p.occupation = "学龄前儿童"
        elif age <= 18 or (age <= 22 and rng.random() < 0.55):
            p.occupation, p.is_student = "学生", True
        elif age >= 60:
            p.occupation = "务农" if rural and age < 75 else "退休"
        else:
            table = self._jobs["floating" if p.residency != Residency.PERMANENT else rural]
            p.occupation = self.pick(table)
            p.is_finance_staff = p.occupation in FINANCE_JOBS

    def household_size(self) -> int:
        return self.pick(self._sizes)

    def household(self, size: int, *, residency: str = Residency.PERMANENT, rural: bool = False) -> list[Person]:
        """The members of one household of `size` people, head first.

        1. Single: an elderly person living alone (about half of permanent
           single households) or a working-age adult.
        2. Two: an elderly couple, a couple, or a single parent with a child.
        3. Three: sometimes an older couple with a grown child at home.
        4. Three or more: a couple with children, and in permanent households
           often one or two grandparents living with them.
        Non-permanent households are young: no elderly-only households.
        """
        rng = self.rng
        young = residency != Residency.PERMANENT
        kw = dict(residency=residency, rural=rural)
        region = None
        if young:  # a renting family comes from one place
            region = rng.choice(INLAND_REGIONS) if rng.random() < 0.8 else rng.choice(PROVINCE_REGIONS)
        kw["region"] = region
        if size == 1:
            if not young and rng.random() < 0.55:
                p = self.person(rng.randint(60, 92), relation="户主", **kw)
                p.lives_alone = True
                return [p]
            return [self.person(rng.randint(20, 45) if young else rng.randint(20, 59), relation="户主", **kw)]
        head_gender = "M" if rng.random() < 0.7 else "F"
        family = self.surname()
        r = rng.random()
        if size == 2 and not young and r < 0.5:
            age = rng.randint(60, 88)
            return self._couple(age, head_gender, family, **kw)
        if size == 2 and r >= 0.8:
            age = rng.randint(28, 50)
            child_age = max(0, age - rng.randint(22, 34))
            return [self.person(age, gender=head_gender, surname=family, relation="户主", **kw),
                    self._child(child_age, family, **kw)]
        if size == 3 and not young and r < 0.2:  # an older couple with a grown child still at home
            age = rng.randint(58, 80)
            return self._couple(age, head_gender, family, **kw) + [self._child(age - rng.randint(24, 34), family, **kw)]
        head_age = rng.randint(22, 42) if young else rng.randint(25, 62 if size == 2 else 55)
        members = self._couple(head_age, head_gender, family, **kw)
        children = size - 2
        grandparents = 0
        if children >= 1 and not young and (size >= 5 or rng.random() < 0.5):
            grandparents = min(2, children - 1) if children > 1 else (1 if rng.random() < 0.25 else 0)
        for _ in range(children - grandparents):
            members.append(self._child(max(0, head_age - rng.randint(22, 36)), family, **kw))
        for i in range(grandparents):
            g = "M" if (grandparents == 2 and i == 0) or (grandparents == 1 and rng.random() < 0.4) else "F"
            members.append(self.person(min(95, head_age + rng.randint(24, 32)), gender=g,
                                       surname=members[0].name[0] if g == "M" else None,
                                       relation="父亲" if g == "M" else "母亲", **kw))
        return members

    def _couple(self, age: int, head_gender: str, family: str, **kw) -> list[Person]:
        """Head and spouse; the husband carries the family surname the children will have."""
        other = "F" if head_gender == "M" else "M"
        spouse_age = max(20 if age < 55 else 55, age + self.rng.randint(-4, 4))
        return [self.person(age, gender=head_gender, surname=family if head_gender == "M" else None, relation="户主", **kw),
                self.person(spouse_age, gender=other, surname=family if other == "M" else None, relation="配偶", **kw)]

    def _child(self, age, family, **kw) -> Person:
        g = "M" if self.rng.random() < 0.52 else "F"
        return self.person(age, gender=g, surname=family, relation="子" if g == "M" else "女", **kw)


# --- writing ------------------------------------------------------------------

def _say(stdout, msg: str) -> None:
    if stdout is not None:
        stdout.write(msg + "\n")


def _create_nodes(level: str, rows: list[tuple[Node | None, str, str, int]]) -> list[Node]:
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


def _reserve_ids(model, n: int) -> list[int] | None:
    """`n` fresh primary keys for `model`, or None when the backend is neither SQLite nor PostgreSQL.

    PostgreSQL: drawn from the id column's sequence, safe beside other writers.
    SQLite: the next ids after both MAX(id) and AUTOINCREMENT's high-water
    mark; safe because the build runs in one transaction that holds SQLite's
    single write lock from its first write on.
    """
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk, n])
            return [row[0] for row in cur.fetchall()]
        if connection.vendor == "sqlite":
            qn = connection.ops.quote_name
            cur.execute(f"SELECT MAX({qn(pk)}) FROM {qn(table)}")
            top = cur.fetchone()[0] or 0
            cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cur.fetchone()
            start = max(top, row[0] if row else 0) + 1
            return list(range(start, start + n))
    return None


def _insert(objs: list) -> None:
    """Insert model instances of one model and give them their primary keys.

    Does what bulk_create does, minus its per-value SQL compilation, which
    took about two thirds of the county build's time: the rows are plain
    tuples handed to the driver's executemany. Only what these models use is
    handled (plain values, foreign key ids, dates, auto_now timestamps);
    backends other than SQLite and PostgreSQL fall back to bulk_create.

    1. Reserve primary keys (`_reserve_ids`).
    2. One tuple per instance in column order; dates adapted by the backend,
       auto_now/auto_now_add fields get one timestamp for the batch.
    3. executemany in slices of BATCH rows; mark the instances saved.
    """
    if not objs:
        return
    model = type(objs[0])
    ids = _reserve_ids(model, len(objs))
    if ids is None:
        model.objects.bulk_create(objs, batch_size=BATCH)
        return
    ops, qn = connection.ops, connection.ops.quote_name
    fields = model._meta.concrete_fields
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
    stamp = ops.adapt_datetimefield_value(timezone.now())
    fixes = []  # (column index, function of the raw attribute value)
    for i, f in enumerate(fields):
        if isinstance(f, DateTimeField) and (f.auto_now or f.auto_now_add):
            fixes.append((i, lambda _v: stamp))
        elif isinstance(f, DateTimeField):
            fixes.append((i, ops.adapt_datetimefield_value))
        elif isinstance(f, DateField):
            fixes.append((i, ops.adapt_datefield_value))
    row_of = operator.attrgetter(*(f.attname for f in fields))
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with connection.cursor() as cur:
        for start in range(0, len(objs), BATCH):
            rows = []
            for obj in objs[start:start + BATCH]:
                row = list(row_of(obj))
                for i, fix in fixes:
                    row[i] = fix(row[i])
                rows.append(row)
            cur.executemany(sql, rows)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


class Rows:
    """Fast construction of unsaved instances of one model, for `_insert`.

    Model.__init__ with keyword arguments costs ~30 µs per Resident on this
    machine, ~20 s over the county build's 730,000 rows. Here each instance is a copy of
    one default instance's attributes updated with the given values (by
    attname, e.g. household_id), with a fresh ModelState: ~1 µs. It is only
    valid for models whose defaults are constants, which these are; unknown
    names raise, so a renamed field cannot be silently dropped.
    """

    def __init__(self, model):
        self.model = model
        self.defaults = {k: v for k, v in model().__dict__.items() if k != "_state"}
        self.names = frozenset(self.defaults)

    def __call__(self, **values):
        if not self.names.issuperset(values):
            raise TypeError(f"{self.model.__name__} has no field(s) {sorted(set(values) - self.names)}")
        obj = self.model.__new__(self.model)
        attrs = self.defaults.copy()
        attrs.update(values)
        obj.__dict__ = attrs
        obj._state = ModelState()
        return obj


def _analyze() -> None:
    """Refresh the query planner's statistics for the tables just filled.

    Without them SQLite takes every equality as selective and may answer an
    exact phone look-up scoped to a county by walking the county_id index
    (all 450,000 rows, ~400 ms) instead of the phone hash index (~1 ms).
    """
    tables = [m._meta.db_table for m in (Node, Household, Resident, Unit, StaffMember, FamilyMember)]
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            for table in tables:
                cur.execute(f"ANALYZE {connection.ops.quote_name(table)}")
        elif connection.vendor == "postgresql":
            cur.execute(f"ANALYZE {', '.join(connection.ops.quote_name(t) for t in tables)}")


def _placed(node_or_row) -> dict:
    return {"county_id": node_or_row.county_id, "street_id": node_or_row.street_id,
            "community_id": node_or_row.community_id, "grid_id": node_or_row.grid_id,
            "group_id": node_or_row.group_id}


def _pii(obj, p: Person) -> None:
    if p.id_number:
        obj.set_id_number(p.id_number)
    if p.phone:
        obj.set_phone(p.phone)


class Writer:
    """Buffers households and their residents and writes them in batches."""

    def __init__(self):
        self.new_household, self.new_resident = Rows(Household), Rows(Resident)
        self.new_staff, self.new_family = Rows(StaffMember), Rows(FamilyMember)
        self.households: list[tuple[Household, list[Person]]] = []
        self.counts = {"households": 0, "residents": 0, "staff": 0, "family_members": 0}

    def add_household(self, node: Node, address: str, members: list[Person]) -> None:
        h = self.new_household(address=address, head_name=members[0].name, **_placed(node))
        for p in members:
            p.household = members
        self.households.append((h, members))
        if len(self.households) >= BATCH // 3:
            self.flush()

    def flush(self) -> None:
        """Insert the buffered households, then their residents (who need the household ids)."""
        if not self.households:
            return
        _insert([h for h, _ in self.households])
        residents, people = [], []
        for h, members in self.households:
            placed = _placed(h)
            for p in members:
                r = self.new_resident(household_id=h.pk, name=p.name, gender=p.gender, birth_date=p.birth,
                                      residency=p.residency, relation=p.relation, occupation=p.occupation,
                                      is_student=p.is_student, is_finance_staff=p.is_finance_staff,
                                      lives_alone=p.lives_alone, **placed)
                _pii(r, p)
                if p.phone2:
                    r.set_phone2(p.phone2)
                residents.append(r)
                people.append(p)
        _insert(residents)
        for r, p in zip(residents, people, strict=True):
            p.resident_id = r.pk
        self.counts["households"] += len(self.households)
        self.counts["residents"] += len(residents)
        self.households = []

    def staff(self, rows: list[tuple[Unit, Person, str, str, list[tuple[str, Person]]]]) -> None:
        """Insert staff members and their family: rows of (unit, person, position, employment, family).

        A person with a `resident_id` is linked to that resident (same ID number).
        """
        for start in range(0, len(rows), BATCH):
            chunk = rows[start:start + BATCH]
            staff = []
            for unit, p, position, employment, _family in chunk:
                s = self.new_staff(unit_id=unit.pk, resident_id=p.resident_id, name=p.name, gender=p.gender,
                                   birth_date=p.birth, position=position, employment=employment, **_placed(unit))
                _pii(s, p)
                staff.append(s)
            _insert(staff)
            family = []
            for s, (_unit, _p, _pos, _emp, relatives) in zip(staff, chunk, strict=True):
                placed = _placed(s)
                for relation, q in relatives:
                    f = self.new_family(staff_id=s.pk, resident_id=q.resident_id, relation=relation, name=q.name,
                                        birth_date=q.birth, **placed)
                    _pii(f, q)
                    family.append(f)
            _insert(family)
            self.counts["staff"] += len(staff)
            self.counts["family_members"] += len(family)


# --- places -------------------------------------------------------------------

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


def _grid_rows(community: Node, count: int) -> list[tuple[Node, str, str, int]]:
    return [(community, f"{community.code}-G{g:02d}", f"{community.name}第{cn_number(g)}网格", g) for g in range(1, count + 1)]


def _group_rows(grid: Node, count: int, community_name: str, grid_no: int) -> list[tuple[Node, str, str, int]]:
    short = short_name(community_name)
    return [(grid, f"{grid.code}-{k:02d}", f"{short}{grid_no}-{k}联户", k) for k in range(1, count + 1)]


POSITIONS = {
    UnitKind.STREET_DEPARTMENT: (("主任", 1), ("副主任", 2), ("科员", 6), ("办事员", 4), ("工作人员", 6)),
    UnitKind.GOVERNMENT: (("所长", 1), ("副所长", 2), ("民警", 10), ("辅警", 10), ("内勤", 2)),
    UnitKind.SCHOOL: (("校长", 1), ("副校长", 2), ("教师", 30), ("班主任", 10), ("会计", 1), ("保安", 2), ("后勤", 3)),
    UnitKind.BANK: (("行长", 1), ("副行长", 1), ("柜员", 8), ("客户经理", 6), ("理财经理", 3), ("会计", 2)),
    UnitKind.HOTEL: (("总经理", 1), ("前台", 4), ("客房服务员", 6), ("保安", 2), ("厨师", 3)),
    UnitKind.HOSPITAL: (("院长", 1), ("医生", 20), ("护士", 25), ("药剂师", 3), ("会计", 1), ("收费员", 3)),
    UnitKind.COMPANY: (("总经理", 1), ("副总经理", 1), ("会计", 1), ("出纳", 1), ("销售", 6), ("技术员", 5),
                       ("工人", 20), ("司机", 2), ("保安", 2)),
    UnitKind.INDUSTRY: (("负责人", 1), ("营业员", 6), ("客户经理", 2), ("会计", 1)),
    UnitKind.OTHER: (("负责人", 1), ("工作人员", 5)),
}
_POSITIONS_CUM = {k: _cum(v) for k, v in POSITIONS.items()}
# The head position (first listed) is held by exactly one person, the first staff member.
_HEAD_POSITIONS = {v[0][0] for v in POSITIONS.values()}
_EMPLOYMENT = {
    "public": _cum(((Employment.FORMAL, 70), (Employment.CONTRACT, 25), (Employment.TEMPORARY, 5))),
    "private": _cum(((Employment.FORMAL, 20), (Employment.CONTRACT, 65), (Employment.TEMPORARY, 15))),
}
_PUBLIC_KINDS = {UnitKind.STREET_DEPARTMENT, UnitKind.GOVERNMENT, UnitKind.SCHOOL, UnitKind.HOSPITAL}
_FINANCE_POSITIONS = {"会计", "出纳", "柜员", "客户经理", "理财经理", "行长", "副行长"}


class StaffPicker:
    """Chooses staff for units: some are residents of the street, the rest come from elsewhere.

    Residents are taken at most once; bank and finance positions prefer
    residents who are finance staff.
    """

    def __init__(self, people: People, residents: list[Person], *, resident_share: float):
        rng = people.rng
        self.people = people
        self.resident_share = resident_share
        workers = [p for p in residents if 22 <= (people.today.year - p.birth.year) <= 58 and not p.is_student]
        rng.shuffle(workers)
        self.finance = [p for p in workers if p.is_finance_staff]
        self.others = [p for p in workers if not p.is_finance_staff]

    def staff_for(self, unit: Unit, count: int) -> list[tuple[Unit, Person, str, str, list[tuple[str, Person]]]]:
        people, rng = self.people, self.people.rng
        positions = _POSITIONS_CUM[unit.kind]
        employment = _EMPLOYMENT["public" if unit.kind in _PUBLIC_KINDS else "private"]
        rows = []
        for i in range(count):
            position = positions[0][0] if i == 0 else self._non_head(positions)
            finance = unit.kind == UnitKind.BANK or position in _FINANCE_POSITIONS
            p = None
            if rng.random() < self.resident_share:
                pool = self.finance if finance and self.finance else self.others
                p = pool.pop() if pool else None
            if p is not None:
                relatives = self._resident_family(p)
            else:
                p = people.person(rng.randint(22, 58))
                relatives = self._made_up_family(p)
            rows.append((unit, p, position, people.pick(employment), relatives))
        return rows

    def _non_head(self, positions) -> str:
        while True:
            pos = self.people.pick(positions)
            if pos not in _HEAD_POSITIONS:
                return pos

    def _resident_family(self, p: Person) -> list[tuple[str, Person]]:
        """The other members of the staff member's household, linked to their residents."""
        out = []
        for q in p.household or ():
            if q is p:
                continue
            gap = q.birth.year - p.birth.year
            relation = Relation.PARENT if gap <= -18 else Relation.CHILD if gap >= 18 else Relation.SPOUSE
            if relation == Relation.SPOUSE and (q.gender == p.gender or any(r == Relation.SPOUSE for r, _ in out)):
                continue  # a sibling or a second adult of the same generation is not family in the roster's sense
            out.append((relation, q))
        return out

    def _made_up_family(self, p: Person) -> list[tuple[str, Person]]:
        """Family of a staff member who lives elsewhere: spouse, children, sometimes a parent (not residents here)."""
        people, rng = self.people, self.people.rng
        age = people.today.year - p.birth.year
        out = []
        if age >= 25 and rng.random() < 0.35:
            out.append((Relation.SPOUSE, people.person(max(22, age + rng.randint(-4, 4)), gender="F" if p.gender == "M" else "M")))
        if age >= 28 and rng.random() < 0.25:
            out.append((Relation.CHILD, people.person(max(0, age - rng.randint(23, 34)), surname=p.name[0])))
        if rng.random() < 0.1:
            out.append((Relation.PARENT, people.person(min(95, age + rng.randint(24, 32)), surname=p.name[0], gender="M")))
        return out


# --- the demo street ------------------------------------------------------------

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
)
DEMO_LIAISON_UNIT = "示范县西门小学"
DEMO_DEPARTMENT_UNIT = "西门街道综合行政执法队"  # the `dept` demo user: a department that clues and measures are handed to


def _split(items: list, parts: int) -> list[list]:
    """`items` in `parts` consecutive runs of near-equal length (longer runs first)."""
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(items[start:end])
        start = end
    return out


def _groups_per_grid(rng: random.Random, grids: int, total: int) -> list[int]:
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


def build_demo_street(*, seed: int = 2026, stdout=None) -> list[dict]:
    """Build the demo street 西门街道 (code DEMO) in 示范县 (code DEMO-K); return the named demo users.

    1. The tree: county, street, 8 communities, 116 grids, 980 household groups.
    2. About ten households per group with ~2.7 residents each: permanent,
       temporary and floating households, elderly living alone, students,
       finance staff.
    3. ~40 units with staff, some of whom are residents of the street, and
       their family members (linked to residents where they live here).
    4. Planner statistics refreshed (`_analyze`).
    5. Users: the 36 grid leaders and 94 grid workers (gl001…, gw001…, no
       usable password) and the nine named demo users with password "demo";
       `gridleader` is one of the 36 grid leaders, `grid1` and `grid2` two of
       the 94 grid workers.
    Returns [{"username", "role", "role_label", "scope"}] for the nine named users.
    Run it only when no node with code "DEMO" exists (the codes are unique).
    """
    rng = random.Random(seed)
    people = People(rng, local_regions=DEMO_LOCAL_REGIONS, seq_base=0, seq_span=400)
    with transaction.atomic():
        county = _create_nodes(Level.COUNTY, [(None, DEMO_COUNTY_CODE, "示范县", 0)])[0]
        street = _create_nodes(Level.STREET, [(county, DEMO_STREET_CODE, "西门街道", 0)])[0]
        communities = _create_nodes(Level.COMMUNITY, [
            (street, f"{DEMO_STREET_CODE}-C{i:02d}", name, i) for i, (name, *_rest) in enumerate(DEMO_COMMUNITIES, 1)])
        grid_rows, spec_of = [], []
        for c, spec in zip(communities, DEMO_COMMUNITIES, strict=True):
            grid_rows += _grid_rows(c, spec[2])
            spec_of += [spec] * spec[2]
        grids = _create_nodes(Level.GRID, grid_rows)
        group_counts = _groups_per_grid(rng, len(grids), DEMO_GROUPS)
        group_rows = []
        for grid, spec, n in zip(grids, spec_of, group_counts, strict=True):
            group_rows += _group_rows(grid, n, spec[0], grid.sort)
        groups = _create_nodes(Level.GROUP, group_rows)
        _say(stdout, f"  tree: {len(communities)} communities, {len(grids)} grids, {len(groups)} household groups")

        grid_by_id = {g.pk: (g, spec) for g, spec in zip(grids, spec_of, strict=True)}
        writer = Writer()
        residents: list[Person] = []
        flat_index: dict[int, int] = {}
        for group in groups:
            grid, (cname, rural, _n, _l, roads) = grid_by_id[group.grid_id]
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
        _say(stdout, f"  {writer.counts['households']} households, {writer.counts['residents']} residents")

        units, staff_rows = [], []
        picker = StaffPicker(people, residents, resident_share=0.45)
        for name, kind, where, count in DEMO_UNITS:
            node = street if where is None else communities[where]
            unit = Unit(node=node, name=name, kind=kind, address=_unit_address(rng, node, DEMO_COMMUNITIES, communities),
                        **_placed(node))
            rows = picker.staff_for(unit, count)
            unit.contact_name = rows[-1][1].name  # an ordinary staff member acts as liaison, not the head
            units.append(unit)
            staff_rows += rows
        Unit.objects.bulk_create(units, batch_size=BATCH)
        writer.staff(staff_rows)
        _say(stdout, f"  {len(units)} units, {writer.counts['staff']} staff, {writer.counts['family_members']} family members")

        _analyze()
        named = _demo_users(people, street, communities, grids, groups, {u.name: u for u in units})
        _say(stdout, f"  users: 36 grid leaders, {DEMO_GRID_WORKERS} grid workers, {len(named)} named demo users")
    return named


def _unit_address(rng: random.Random, node: Node, specs, communities) -> str:
    if node.level == Level.STREET:
        return f"西门路{rng.randint(1, 60)}号"
    name, rural, _n, _l, roads = specs[[c.pk for c in communities].index(node.pk)]
    if rural:
        return f"{name}{rng.randint(1, 12)}组{rng.randint(1, 80)}号"
    return f"{rng.choice(roads)}{rng.randint(1, 200)}号"


def _demo_users(people: People, street: Node, communities: list[Node], grids: list[Node], groups: list[Node],
                units: dict[str, Unit]) -> list[dict]:
    """The grid leaders, grid workers and the nine named demo users.

    1. Grid leaders: each community's grids split into runs of 3-4, one leader
       per run (36 in all); the first of community #1 is `gridleader`.
    2. Grid workers: one per grid, except that 22 workers in the last
       communities cover two neighbouring grids (94 in all); grids 1 and 2 of
       community #1 are `grid1` and `grid2`.
    3. The named users at the street, community #1, a group of grid 1 and the
       school; grid leaders and workers without a name get no usable password.
    """
    from django.contrib.auth.hashers import make_password

    by_community: dict[int, list[Node]] = {}
    for g in grids:
        by_community.setdefault(g.community_id, []).append(g)
    c1 = communities[0]

    leader_runs = []
    for c, spec in zip(communities, DEMO_COMMUNITIES, strict=True):
        leader_runs += _split(by_community[c.pk], spec[3])
    pairs_needed = len(grids) - DEMO_GRID_WORKERS
    worker_runs_by_c: dict[int, list[list[Node]]] = {}
    for c in reversed(communities):
        cgrids, runs, i = by_community[c.pk], [], 0
        while i < len(cgrids):
            if pairs_needed and i + 1 < len(cgrids) and c.pk != c1.pk:
                runs.append(cgrids[i:i + 2])
                pairs_needed -= 1
                i += 2
            else:
                runs.append([cgrids[i]])
                i += 1
        worker_runs_by_c[c.pk] = runs
    worker_runs = [run for c in communities for run in worker_runs_by_c[c.pk]]

    def grid_users(prefix: str, runs: list[list[Node]], role: str, named: dict[int, str]) -> list[User]:
        """One user per run of grids; `named` maps a run's index to the username of a named demo user."""
        users = []
        for i, run in enumerate(runs):
            name = people.person(people.rng.randint(26, 55))
            if i in named:
                u = services.user_create(username=named[i], password=DEMO_PASSWORD, display_name=name.name,
                                         role=role, node=run[0])
            else:
                u = User(username=f"{prefix}{i + 1:03d}", display_name=name.name, password=make_password(None))
                u.save()
                services.assignment_add(user=u, role=role, node=run[0])
            for g in run[1:]:
                services.assignment_add(user=u, role=role, node=g)
            users.append(u)
        return users

    grid_users("gl", leader_runs, Role.GRID_LEADER, {0: "gridleader"})
    g1, g2 = by_community[c1.pk][0], by_community[c1.pk][1]
    grid_users("gw", worker_runs, Role.GRID_WORKER, {worker_runs.index([g1]): "grid1", worker_runs.index([g2]): "grid2"})

    group1 = next(g for g in groups if g.grid_id == g1.pk)
    school = units[DEMO_LIAISON_UNIT]
    singles = [
        ("office", Role.OFFICE, street, None),
        ("leader", Role.LEADER, street, None),
        ("police", Role.OFFICER, street, None),
        ("community", Role.COMMUNITY, c1, None),
        ("grouphead", Role.GROUP_HEAD, group1, None),
        ("liaison", Role.LIAISON, None, school),
        ("dept", Role.DEPARTMENT, None, units[DEMO_DEPARTMENT_UNIT]),
        ("safety", Role.SAFETY_STAFF, c1, None),
    ]
    for username, role, node, unit in singles:
        display = unit.contact_name if unit and unit.contact_name else people.person(people.rng.randint(28, 55)).name
        services.user_create(username=username, password=DEMO_PASSWORD, display_name=display, role=role, node=node, unit=unit)

    order = ["office", "leader", "police", "community", "gridleader", "grid1", "grid2", "grouphead", "liaison",
             "dept", "safety"]
    out = []
    for username in order:
        user = User.objects.get(username=username)
        assignments = list(user.assignments.select_related("node", "unit").order_by("id"))
        out.append({
            "username": username,
            "role": assignments[0].role,
            "role_label": str(Role(assignments[0].role).label),
            "scope": "、".join(str(a.node or a.unit) for a in assignments),
        })
    return out


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
_BENCH_KINDS = _cum(((UnitKind.COMPANY, 62), (UnitKind.SCHOOL, 8), (UnitKind.HOTEL, 8), (UnitKind.BANK, 5),
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
                 residents_per_household: int = 3, units: int = 3000, staff_per_unit: int = 20) -> dict:
    """Build the county-scale data set under county node BENCH-K; return the row counts.

    1. The whole tree, level by level (a few bulk inserts per level).
    2. Street by street: households group by group (sizes vary like the demo
       street's but add up to exactly households_per_group ×
       residents_per_household per group), written in batches as they fill,
       so memory holds one street's people at most.
    3. The street's share of the units: street departments at the street,
       the rest at its communities; each with exactly staff_per_unit staff,
       about a third of them residents of the street, and some family members.
    4. Refresh the planner statistics (`_analyze`).
    All in one transaction: a failed build leaves nothing behind.
    """
    rng = random.Random(seed)
    people = People(rng, local_regions=BENCH_LOCAL_REGIONS, seq_base=400, seq_span=600)
    writer = Writer()
    counts = {"streets": 0, "communities": 0, "grids": 0, "groups": 0, "units": 0}
    with transaction.atomic():
        county = _create_nodes(Level.COUNTY, [(None, BENCH_COUNTY_CODE, "东江县", 0)])[0]
        street_nodes = _create_nodes(Level.STREET, [
            (county, f"{BENCH_COUNTY_CODE}-S{s:02d}",
             BENCH_STREETS[s - 1] if s <= len(BENCH_STREETS) else f"第{cn_number(s)}街道", s)
            for s in range(1, streets + 1)])
        rows = []
        for s, street in enumerate(street_nodes):
            for c in range(1, communities_per_street + 1):
                rural = street.name.endswith(("镇", "乡")) and c > communities_per_street // 3
                name = _place_name(s * communities_per_street + c - 1, "村" if rural else "社区")
                rows.append((street, f"{street.code}-C{c:03d}", name, c))
        community_nodes = _create_nodes(Level.COMMUNITY, rows)
        rural_of = {c.pk: c.name.endswith("村") for c in community_nodes}
        rows = []
        for c in community_nodes:
            rows += _grid_rows(c, grids_per_community)
        grid_nodes = _create_nodes(Level.GRID, rows)
        community_name = {c.pk: c.name for c in community_nodes}
        rows = []
        for g in grid_nodes:
            rows += _group_rows(g, groups_per_grid, community_name[g.community_id], g.sort)
        group_nodes = _create_nodes(Level.GROUP, rows)
        counts.update(streets=len(street_nodes), communities=len(community_nodes), grids=len(grid_nodes),
                      groups=len(group_nodes))
        _say(stdout, f"  tree: {len(street_nodes)} streets, {len(community_nodes)} communities, "
                     f"{len(grid_nodes)} grids, {len(group_nodes)} household groups")

        groups_by_street: dict[int, list[Node]] = {}
        for g in group_nodes:
            groups_by_street.setdefault(g.street_id, []).append(g)
        communities_by_street: dict[int, list[Node]] = {}
        for c in community_nodes:
            communities_by_street.setdefault(c.street_id, []).append(c)
        grid_sort = {g.pk: g.sort for g in grid_nodes}
        del grid_nodes, group_nodes

        unit_shares = _split(list(range(units)), max(1, len(street_nodes)))
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
            _say(stdout, f"  {street.name}: {writer.counts['households']} households, {writer.counts['residents']} "
                         f"residents, {counts['units']} units, {writer.counts['staff']} staff so far")
            del street_people
        _analyze()
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
                          **_placed(node)))
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
