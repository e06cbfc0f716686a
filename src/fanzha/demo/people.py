"""Fictitious people for the demo data: names, ID numbers, phones, households.

Names are drawn from common surnames and given-name characters by era and
gender; ID numbers are built with `make_id_number` (valid GB 11643 check
digit, plausible region codes, a realistic age pyramid); phone numbers are
random mobiles with a valid 1[3-9] prefix. Plain Python, no ORM: the
builders in `fanzha.demo.org` turn these people into rows.

ID numbers are unique across both data sets: the demo street draws sequence
numbers 000-399 and the county 400-999, so the two can live in one database.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import random
from dataclasses import dataclass, field

from fanzha.org.models import Residency

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


def cum(pairs):
    """(values, running totals of their weights) for `People.pick`."""
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


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643, as in fanzha.core.idnumbers
_ID_CHECK = "10X98765432"
_SEQ_PART = [(f"{n:03d}", sum(int(c) * w for c, w in zip(f"{n:03d}", _ID_WEIGHTS[14:17]))) for n in range(1000)]


@functools.lru_cache(maxsize=64)
def _region_part(region: str) -> tuple[str, int]:
    return region[:6], sum(int(c) * w for c, w in zip(region[:6], _ID_WEIGHTS[:6]))


@functools.lru_cache(maxsize=65536)
def _birth_part(birth: dt.date) -> tuple[str, int]:
    text = f"{birth:%Y%m%d}"
    return text, sum(int(c) * w for c, w in zip(text, _ID_WEIGHTS[6:14]))


def _id_number(region: str, birth: dt.date, seq: int) -> str:
    """`make_id_number(region, birth, seq)` from memoised parts: the check digit's weighted sum of 17 digits
    was a tenth of a county build's client time, and regions and birth dates repeat."""
    r, rs = _region_part(region)
    b, bs = _birth_part(birth)
    q, qs = _SEQ_PART[seq % 1000]
    return f"{r}{b}{q}{_ID_CHECK[(rs + bs + qs) % 11]}"


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
        self._jobs = {False: cum(JOBS), True: cum(RURAL_JOBS), "floating": cum(FLOATING_JOBS)}
        self._sizes = cum(HOUSEHOLD_SIZES)

    # -- small draws --

    def pick(self, table):
        values, totals = table
        return values[bisect.bisect(totals, self.rng.random() * totals[-1])]

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
                return _id_number(region, birth, self.seq_base + 2 * k + male)
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
