"""The org app's spreadsheet imports: the tree, residents with their households,
units, and unit staff with their families.

Every kind works inside one street (`ctx.root`) and only sees the nodes, units
and people of that street that the importing user may see: a row naming a
community, grid or unit outside it is reported exactly like one that does not
exist. Nothing is written while validating; `apply()` writes in bulk inside the
framework's transaction (see `fanzha.core.imports`).

Matching, so that importing the same file twice changes nothing:
- nodes by code, else by name under their parent;
- households by (grid, address);
- residents, staff and family members by the keyed hash of their ID number,
  else (no ID number) by name within their household / unit / staff member;
- units by name within the street.
A cell left empty in a column the file has means "empty" (or the column's
default); a column the file does not have leaves that field as it is.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fanzha.core import pii
from fanzha.core.idnumbers import id_birth_date, id_gender, mask_id_number, mask_phone, parse_id_number, parse_phone
from fanzha.core.imports import Column, ImportContext, Importer, Row, RowError, fetch_rows, insert_rows, looks_scientific, values_present
from fanzha.core.scoping import Scope, scope_of
from fanzha.org import services
from fanzha.org.models import (
    ANCESTOR_FIELDS,
    Employment,
    FamilyMember,
    Household,
    Level,
    Node,
    Relation,
    Residency,
    Resident,
    StaffMember,
    Unit,
    UnitKind,
    phone_tail_hasher,
)

BATCH = 1000  # rows per bulk statement (the backend lowers it to its parameter limit)
IN_CHUNK = 5000  # values per IN (...) look-up


def short(text: str, n: int = 24) -> str:
    return text if len(text) <= n else text[:n] + "…"


# --- cell parsers -------------------------------------------------------------------

YES = {"是", "y", "yes", "true", "t", "1", "√", "✓", "✔", "有", "对"}
NO = {"否", "n", "no", "false", "f", "0", "无", "×", "x", "不是", ""}


BOOLS = {"是": True, "否": False, "": False}  # the common cells, looked up before parse_bool


def parse_bool(text: str) -> bool:
    t = text.strip().lower()
    if t in YES:
        return True
    if t in NO:
        return False
    raise ValueError(_("应填“是”或“否”，不能是“%(v)s”") % {"v": short(text)})


GENDERS = {"男": "M", "m": "M", "male": "M", "男性": "M", "女": "F", "f": "F", "female": "F", "女性": "F"}

RESIDENCIES = {str(label): value for value, label in Residency.choices} | {
    "常住": Residency.PERMANENT, "常住人口": Residency.PERMANENT, "户籍": Residency.PERMANENT, "户籍人口": Residency.PERMANENT,
    "本地": Residency.PERMANENT, "permanent": Residency.PERMANENT,
    "暂住": Residency.TEMPORARY, "暂住人口": Residency.TEMPORARY, "寄住": Residency.TEMPORARY, "temporary": Residency.TEMPORARY,
    "流动": Residency.FLOATING, "流动人口": Residency.FLOATING, "外来": Residency.FLOATING, "floating": Residency.FLOATING,
}

UNIT_KINDS = {str(label): value for value, label in UnitKind.choices} | {v: v for v in UnitKind.values} | {
    "部门": UnitKind.STREET_DEPARTMENT, "街道": UnitKind.STREET_DEPARTMENT, "机关": UnitKind.GOVERNMENT,
    "事业单位": UnitKind.GOVERNMENT, "机关单位": UnitKind.GOVERNMENT, "学校": UnitKind.SCHOOL, "幼儿园": UnitKind.SCHOOL,
    "中学": UnitKind.SCHOOL, "小学": UnitKind.SCHOOL, "银行": UnitKind.BANK, "金融机构": UnitKind.BANK,
    "酒店": UnitKind.HOTEL, "宾馆": UnitKind.HOTEL, "旅馆": UnitKind.HOTEL, "医院": UnitKind.HOSPITAL,
    "卫生院": UnitKind.HOSPITAL, "企业": UnitKind.COMPANY, "公司": UnitKind.COMPANY, "行业": UnitKind.INDUSTRY,
    "其他": UnitKind.OTHER, "其它": UnitKind.OTHER,
}

EMPLOYMENTS = {str(label): value for value, label in Employment.choices} | {v: v for v in Employment.values} | {
    "正式": Employment.FORMAL, "编内": Employment.FORMAL, "在编人员": Employment.FORMAL, "正式工": Employment.FORMAL,
    "合同工": Employment.CONTRACT, "劳务派遣": Employment.CONTRACT, "派遣": Employment.CONTRACT, "编外": Employment.CONTRACT,
    "聘用": Employment.CONTRACT, "劳务": Employment.CONTRACT,
    "临时工": Employment.TEMPORARY, "临聘": Employment.TEMPORARY, "实习": Employment.TEMPORARY, "兼职": Employment.TEMPORARY,
}

STAFF_SELF = {"", "本人", "职工", "员工", "自己", "self"}
FAMILY_RELATIONS = {str(label): value for value, label in Relation.choices} | {v: v for v in Relation.values} | {
    "父亲": Relation.PARENT, "母亲": Relation.PARENT, "父": Relation.PARENT, "母": Relation.PARENT,
    "岳父": Relation.PARENT, "岳母": Relation.PARENT, "公公": Relation.PARENT, "婆婆": Relation.PARENT,
    "丈夫": Relation.SPOUSE, "妻子": Relation.SPOUSE, "夫": Relation.SPOUSE, "妻": Relation.SPOUSE, "爱人": Relation.SPOUSE,
    "儿子": Relation.CHILD, "女儿": Relation.CHILD, "子": Relation.CHILD, "女": Relation.CHILD, "长子": Relation.CHILD,
    "长女": Relation.CHILD, "次子": Relation.CHILD, "次女": Relation.CHILD,
}

HEAD_RELATIONS = {"户主", "本人"}

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(text: str, today: dt.date) -> dt.date:
    """2024-01-31, 2024/1/31, 2024.1.31, 2024年1月31日, 20240131 or an Excel day number; not in the future."""
    t = text.strip()
    m = _DATE.match(t)
    try:
        if m:
            d = dt.date(int(m[1]), int(m[2]), int(m[3]))
        elif len(t) == 8 and t.isdigit():
            d = dt.date(int(t[:4]), int(t[4:6]), int(t[6:]))
        elif t.isdigit() and 1 <= int(t) <= 80000:
            d = _EXCEL_EPOCH + dt.timedelta(days=int(t))
        else:
            raise ValueError
    except ValueError:
        raise ValueError(_("日期“%(v)s”无法识别，请写成 2024-01-31 的形式") % {"v": short(t)}) from None
    if d > today:
        raise ValueError(_("日期%(d)s在未来") % {"d": d.isoformat()})
    if d.year < 1880:
        raise ValueError(_("日期%(d)s过早，请检查") % {"d": d.isoformat()})
    return d


def parse_id(text: str, today: dt.date) -> str:
    if looks_scientific(text):
        raise ValueError(_("身份证号被Excel当成了数字（%(v)s），后几位已丢失；请把该列设为“文本”格式后重新填写") % {"v": text})
    return parse_id_number(text, today=today)


_ID_CANONICAL = re.compile(r"[0-9]{17}[0-9X]\Z")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_DIGIT_BIAS = 48 * sum(_ID_WEIGHTS)  # the weighted sum of the ASCII codes of '0'
_ID_CHECK = "10X98765432"


def _birth(digits: str, _cache: dict[str, dt.date | None] = {}) -> dt.date | None:  # noqa: B006 - a deliberate memo
    """The date of 'YYYYMMDD' (None if there is no such day); residents share birthdays, so remembered."""
    try:
        return _cache[digits]
    except KeyError:
        pass
    try:
        d = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        d = None
    if len(_cache) < 100_000:
        _cache[digits] = d
    return d


def parse_id_fast(text: str, today: dt.date) -> tuple[str, dt.date]:
    """(canonical ID number, birth date): an already canonical number is checked here in a
    fraction of the general parser's time; anything else (or anything wrong) goes through
    `parse_id_number`, which says what is wrong."""
    if _ID_CANONICAL.match(text):
        birth = _birth(text[6:14])
        if (birth is not None and 1880 <= birth.year and birth <= today
                and _ID_CHECK[(sum(map(operator.mul, text[:17].encode(), _ID_WEIGHTS)) - _ID_DIGIT_BIAS) % 11] == text[17]):
            return text, birth
    idn = parse_id(text, today)
    return idn, id_birth_date(idn)


_MOBILE_CANONICAL = re.compile(r"1[3-9][0-9]{9}\Z")


def parse_phone_cell(text: str) -> str:
    if _MOBILE_CANONICAL.match(text):
        return text  # already what parse_phone would return
    if looks_scientific(text):
        raise ValueError(_("电话号码被Excel当成了数字（%(v)s），请把该列设为“文本”格式后重新填写") % {"v": text})
    return parse_phone(text)


def pii_columns(prefix: str, value: str, kind: str, hashed: str | None = None) -> dict[str, str]:
    """The three stored forms of an ID or phone number (`<prefix>_enc/_hash/_masked`)."""
    if not value:
        return {f"{prefix}_enc": "", f"{prefix}_hash": "", f"{prefix}_masked": ""}
    mask = mask_id_number if kind == "id" else mask_phone
    return {
        f"{prefix}_enc": pii.encrypt(value),
        f"{prefix}_hash": hashed if hashed is not None else pii.lookup_hash(kind, value),
        f"{prefix}_masked": mask(value),
    }


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


# --- kind: the org tree -----------------------------------------------------------------


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


# --- kind: households and residents --------------------------------------------------------


@dataclass
class HouseholdPlan:
    node: Node  # the group (or the grid when no group was given)
    address: str
    head: str
    row: int
    group_given: bool
    existing: tuple | None = None  # (id, group_id, head_name, county, street, community, grid, group)
    change: dict = field(default_factory=dict)
    id: int | None = None
    updated: Household | None = None


RESIDENT_TEXT = ("relation", "occupation", "note")
RESIDENT_BOOLS = ("is_student", "is_finance_staff", "lives_alone")
NEW_RESIDENT_COLUMNS = ["household_id", *[f"{f}_id" for f in ANCESTOR_FIELDS], "name", "gender", "birth_date",
                        "id_number_enc", "id_number_hash", "id_number_masked", "phone_enc", "phone_hash", "phone_masked",
                        "phone2_enc", "phone2_hash", "phone2_masked", "residency", "relation", "occupation", "is_student",
                        "is_finance_staff", "lives_alone", "note", "phone_tail_hash", "phone2_tail_hash"]
_EXISTING_RESIDENT = ("id", "id_number_hash", "household_id", "name", "gender", "birth_date", "phone_hash", "phone2_hash",
                      "residency", "relation", "occupation", "is_student", "is_finance_staff", "lives_alone", "note")


class ResidentImporter(Importer):
    kind = "residents"
    label = gettext_lazy("户和居民")
    description = gettext_lazy("每行一位居民；同一地址的居民归为一户。已登记的居民按身份证号识别，修改过的行会更新该居民。")
    entities = [gettext_lazy("户"), gettext_lazy("居民")]
    columns = [
        Column("community", "社区", aliases=("社区名称", "所属社区", "村", "社区/村", "村/社区", "村(社区)", "社区(村)"),
               help=gettext_lazy("社区（村）名称或编码；网格名称在本街道唯一时可空"), example="东关社区", width=14),
        Column("grid", "网格", aliases=("网格名称", "所属网格", "网格编码"), required=True,
               help=gettext_lazy("必填：网格名称或编码"), example="东关第一网格", width=16),
        Column("group", "十联户", aliases=("联户", "十联户名称", "所属十联户", "联户组"),
               help=gettext_lazy("可空：该户所属的十联户名称或编码"), example="东关1-1联户", width=14),
        Column("address", "地址", aliases=("住址", "家庭住址", "户地址", "居住地址", "现住址", "门牌号", "房号"), required=True,
               max_length=200, help=gettext_lazy("必填：户的地址；同一网格中地址相同的居民为同一户"), example="东关路1号1栋101", width=22),
        Column("head_name", "户主", aliases=("户主姓名",), max_length=50,
               help=gettext_lazy("可空：户主姓名；与户主关系填“户主”的居民自动作为户主"), example="王建国", width=10),
        Column("name", "姓名", aliases=("居民姓名", "人员姓名"), required=True, max_length=50,
               help=gettext_lazy("必填"), example="王建国", width=10),
        Column("gender", "性别", choices=("男", "女"),
               help=gettext_lazy("男/女；填写身份证号时可空（按身份证号确定）"), example="男", width=6),
        Column("birth_date", "出生日期", aliases=("生日", "出生年月日"),
               help=gettext_lazy("如 1950-03-07；填写身份证号时可空（按身份证号确定）"), example="", width=12),
        Column("id_number", "身份证号", aliases=("身份证号码", "公民身份号码", "身份证", "证件号码", "身份证件号码"),
               help=gettext_lazy("18位，校验位须正确；请把该列设为文本格式，以免被Excel改成科学计数法"),
               example="110101195003071234", width=21),
        Column("phone", "手机号", aliases=("手机号码", "联系电话", "电话", "手机", "联系方式", "电话号码"),
               help=gettext_lazy("11位手机号或带区号的固定电话；可带+86、空格或横线"), example="13800138001", width=14),
        Column("phone2", "备用电话", aliases=("其他电话", "备用手机", "固定电话", "第二联系电话", "备用号码"),
               help=gettext_lazy("可空"), example="", width=14),
        Column("residency", "居住类型", aliases=("人口类型", "居住性质", "居住状态", "人员类型"), choices=("常住", "暂住", "流动"),
               help=gettext_lazy("常住/暂住/流动；空表示常住"), example="常住", width=10),
        Column("relation", "与户主关系", aliases=("关系", "与户主的关系"), max_length=20,
               help=gettext_lazy("如 户主、配偶、子女"), example="户主", width=10),
        Column("occupation", "职业", aliases=("工作", "工作单位/职业"), max_length=50, help=gettext_lazy("可空"),
               example="退休", width=10),
        Column("is_student", "学生", aliases=("是否学生",), choices=("是", "否"), help=gettext_lazy("是/否；空表示否"),
               example="否", width=6),
        Column("is_finance_staff", "财务人员", aliases=("是否财务人员", "财会人员"), choices=("是", "否"),
               help=gettext_lazy("是/否；空表示否"), example="否", width=8),
        Column("lives_alone", "独居", aliases=("是否独居", "独居老人"), choices=("是", "否"),
               help=gettext_lazy("是/否；空表示否"), example="是", width=6),
        Column("note", "备注", max_length=500, help=gettext_lazy("可空"), example="", width=20),
    ]

    def choice_lists(self) -> dict[str, list[str]]:
        idx = NodeIndex(self.ctx)
        return {
            "community": [n.name for n in idx.of_level(Level.COMMUNITY)],
            "grid": [n.name for n in idx.of_level(Level.GRID)],
        }

    def validate(self, rows: list[Row]) -> None:
        """1. Check each row on its own (place, name, ID, phones, values) with no queries.
        2. Gather households by (grid, address); rows of one household must agree.
        3. Load the street's households and residents once; find each row's match.
        4. Plan creates and updates; count them."""
        ctx = self.ctx
        today = ctx.today
        present = self.present
        idx = NodeIndex(ctx)
        place_cache: dict[tuple[str, str, str], tuple] = {}
        households: dict[tuple[int, str], HouseholdPlan] = {}
        seen_ids: dict[str, int] = {}
        seen_noid: dict[tuple, int] = {}
        plans: list[tuple] = []
        error = self.error
        id_hash_of, phone_hash_of = pii.lookup_hasher("id"), pii.lookup_hasher("phone")
        bools = BOOLS
        for row in rows:
            (community, grid_text, group_text, address, head_name, name, gender_text, birth_text, idn, phone, phone2,
             residency_text, relation, occupation, student_text, finance_text, alone_text, note) = row.values
            key = (community, grid_text, group_text)
            place = place_cache.get(key)
            if place is None:
                place = place_cache[key] = idx.place(*key, need_grid=True)
            _c, grid, group, place_errors = place
            for k, reason in place_errors:
                error(row, k, reason)
            if not address:
                error(row, "address", _("地址为空"))
            if not name:
                error(row, "name", _("姓名为空"))
            id_hash = ""
            birth = None
            gender = ""
            if idn:
                try:
                    idn, birth = parse_id_fast(idn, today)
                except ValueError as e:
                    error(row, "id_number", str(e))
                    idn = ""
                else:
                    id_hash = id_hash_of(idn)
                    first = seen_ids.get(id_hash)
                    if first is not None:
                        error(row, "id_number", _("与第%(n)d行的身份证号重复") % {"n": first})
                    else:
                        seen_ids[id_hash] = row.n
                    gender = "M" if ord(idn[16]) & 1 else "F"
            if gender_text:
                g = GENDERS.get(gender_text.lower())
                if g is None:
                    error(row, "gender", _("性别应为“男”或“女”，不能是“%(v)s”") % {"v": short(gender_text)})
                elif gender and g != gender:
                    error(row, "gender", _("性别与身份证号不一致"))
                else:
                    gender = g
            if birth_text:
                try:
                    b = parse_date(birth_text, today)
                except ValueError as e:
                    error(row, "birth_date", str(e))
                else:
                    if birth and b != birth:
                        error(row, "birth_date", _("出生日期与身份证号不一致"))
                    birth = birth or b
            if phone:
                try:
                    phone = parse_phone_cell(phone)
                except ValueError as e:
                    error(row, "phone", str(e))
            if phone2:
                try:
                    phone2 = parse_phone_cell(phone2)
                except ValueError as e:
                    error(row, "phone2", str(e))
            residency = Residency.PERMANENT
            if residency_text:
                residency = RESIDENCIES.get(residency_text) or RESIDENCIES.get(residency_text.lower())
                if residency is None:
                    error(row, "residency", _("未知居住类型“%(v)s”，应为 常住、暂住 或 流动") % {"v": short(residency_text)})
            flags = []
            for k, text in (("is_student", student_text), ("is_finance_staff", finance_text), ("lives_alone", alone_text)):
                flag = bools.get(text)
                if flag is None:
                    try:
                        flag = parse_bool(text)
                    except ValueError as e:
                        error(row, k, str(e))
                        flag = False
                flags.append(flag)
            if row.bad:
                continue
            head = head_name or (name if relation in HEAD_RELATIONS else "")
            hkey = (grid.id, address)
            hp = households.get(hkey)
            if hp is None:
                households[hkey] = hp = HouseholdPlan(node=group or grid, address=address, head=head, row=row.n,
                                                      group_given=group is not None)
            else:
                if group is not None and (not hp.group_given or hp.node.id != group.id):
                    if hp.group_given:
                        error(row, "group", _("与同一户（第%(n)d行）的十联户不一致") % {"n": hp.row})
                    else:
                        hp.node, hp.group_given = group, True
                if head and hp.head and head != hp.head and head_name:
                    error(row, "head_name", _("与同一户（第%(n)d行）的户主“%(h)s”不一致") % {"n": hp.row, "h": hp.head})
                elif head and not hp.head:
                    hp.head = head
            if not id_hash:
                nk = (hkey, name)
                if nk in seen_noid:
                    error(row, "name", _("同一户第%(n)d行已有同名居民；没有身份证号时按“地址+姓名”识别，请补填身份证号") % {"n": seen_noid[nk]})
                seen_noid[nk] = row.n
            plans.append((row.n, hkey, id_hash, idn, name, gender, birth, phone, phone_hash_of(phone), phone2,
                          phone_hash_of(phone2), residency, relation, occupation, flags[0], flags[1], flags[2], note))
        self._match(households, plans, seen_ids, present)

    def _match(self, households, plans, seen_ids, present) -> None:
        ctx = self.ctx
        street = ctx.root
        # Households of the street, keyed like the file's.
        existing_hh: dict[tuple[int, str], tuple] = {}
        hh_fields = ["id", "grid_id", "address", "group_id", "head_name", *[f"{f}_id" for f in ANCESTOR_FIELDS]]
        for rec in fetch_rows(ctx.scope.filter(Household.objects.filter(street_id=street.id)).values_list(*hh_fields)):
            existing_hh[(rec[1], rec[2])] = rec
        by_hash: dict[str, tuple] = {}
        by_name: dict[tuple[int, str], tuple] = {}
        iso = dt.date.fromisoformat
        for rec in fetch_rows(ctx.scope.filter(Resident.objects.filter(street_id=street.id)).values_list(*_EXISTING_RESIDENT)):
            if type(rec[5]) is str:  # SQLite: the birth date as text
                rec = (*rec[:5], iso(rec[5]), *rec[6:])
            if rec[1]:
                by_hash[rec[1]] = rec
            else:
                by_name[(rec[2], rec[3])] = rec
        # ID numbers already registered outside this street / scope: a row error, as the form says.
        outside = values_present(Resident, "id_number_hash", [h for h in seen_ids if h not in by_hash])
        for h in outside:
            self.errors.append(RowError(seen_ids[h], self.headers["id_number"], _("该身份证号已登记在其他居民名下")))
        if self.errors:
            return

        hh_counts = self.counts[str(self.entities[0])]
        for hkey, hp in households.items():
            rec = existing_hh.get(hkey)
            if rec is None:
                hh_counts["created"] += 1
                continue
            hp.existing, hp.id = rec, rec[0]
            if hp.group_given and rec[3] != hp.node.id:
                hp.change["group"] = hp.node
            if hp.head and hp.head != rec[4]:
                hp.change["head_name"] = hp.head
            hh_counts["updated" if hp.change else "unchanged"] += 1
        self.households = households

        res_counts = self.counts[str(self.entities[1])]
        # (field, index in the plan tuple, index in the loaded record)
        fields_checked = [("name", 4, 3)]
        if "phone" in present:
            fields_checked.append(("phone", 8, 6))
        if "phone2" in present:
            fields_checked.append(("phone2", 10, 7))
        for key, pi, ei in (("residency", 11, 8), ("relation", 12, 9), ("occupation", 13, 10), ("is_student", 14, 11),
                            ("is_finance_staff", 15, 12), ("lives_alone", 16, 13), ("note", 17, 14)):
            if key in present:
                fields_checked.append((key, pi, ei))
        self.new: list[tuple] = []
        self.changed: list[tuple[int, tuple, set[str]]] = []
        for p in plans:
            hp = households[p[1]]
            if p[2]:
                rec = by_hash.get(p[2])
            else:
                rec = by_name.get((hp.id, p[4])) if hp.id else None
            if rec is None:
                self.new.append(p)
                continue
            changed = {f for f, pi, ei in fields_checked if p[pi] != rec[ei]}
            if p[3] or "gender" in present:
                if p[5] != rec[4]:
                    changed.add("gender")
            if p[3] or "birth_date" in present:
                if p[6] != rec[5]:
                    changed.add("birth_date")
            if hp.id != rec[2]:
                changed.add("household")
            if changed:
                self.changed.append((rec[0], p, changed))
            else:
                res_counts["unchanged"] += 1
        res_counts["created"] = len(self.new)
        res_counts["updated"] = len(self.changed)

    def apply(self) -> None:
        """1. Create new households, update changed ones (their residents follow a new group).
        2. Create new residents (encrypting their numbers), then update changed ones."""
        now = timezone.now()
        households = self.households
        anc: dict[tuple[int, str], dict[str, int | None]] = {}
        new_hh = {hkey: hp for hkey, hp in households.items() if hp.existing is None}
        if new_hh:
            anc_cols = [f"{f}_id" for f in ANCESTOR_FIELDS]
            rows = []
            for hkey, hp in new_hh.items():
                a = {c: getattr(hp.node, c) for c in anc_cols}
                anc[hkey] = a
                rows.append((hp.address, hp.head, *a.values()))
            insert_rows(Household, ["address", "head_name", *anc_cols], rows)
            # Their ids, by the (grid, address) that is unique per household.
            grids = {hkey[0] for hkey in new_hh}
            for chunk in chunked(grids):
                for pk, grid_id, address in Household.objects.filter(grid_id__in=chunk).values_list("id", "grid_id", "address"):
                    hp = new_hh.get((grid_id, address))
                    if hp is not None:
                        hp.id = pk
        moved = []
        changed_hh = []
        for hkey, hp in households.items():
            if hp.existing is None:
                continue
            rec = hp.existing
            a = dict(zip([f"{f}_id" for f in ANCESTOR_FIELDS], rec[5:]))
            if hp.change:
                h = Household(id=rec[0], address=hp.address, head_name=hp.change.get("head_name", rec[4]), updated_at=now)
                if "group" in hp.change:
                    h.place_at(hp.change["group"])
                    moved.append(h)
                else:
                    for f, val in a.items():
                        setattr(h, f, val)
                a = ancestors_of(h)
                changed_hh.append(h)
            anc[hkey] = a
        if changed_hh:
            Household.objects.bulk_update(changed_hh, ["head_name", "updated_at", *ANCESTOR_FIELDS], batch_size=BATCH)
        for h in moved:
            Resident.objects.filter(household_id=h.id).update(**ancestors_of(h))

        encrypt = pii.encrypter()
        place = {hkey: (households[hkey].id, *a.values()) for hkey, a in anc.items()}
        adapt_date = connection.ops.adapt_datefield_value
        tail_hash = phone_tail_hasher()

        def new_rows():  # encrypted batch by batch as they are written
            for (_n, hkey, id_hash, idn, name, gender, birth, phone, ph_hash, phone2, ph2_hash, residency,
                 relation, occupation, is_student, is_finance, alone, note) in self.new:
                yield (*place[hkey], name, gender, adapt_date(birth) if birth else None,
                       encrypt(idn) if idn else "", id_hash, mask_id_number(idn) if idn else "",
                       encrypt(phone) if phone else "", ph_hash, mask_phone(phone) if phone else "",
                       encrypt(phone2) if phone2 else "", ph2_hash, mask_phone(phone2) if phone2 else "",
                       residency, relation, occupation, is_student, is_finance, alone, note,
                       tail_hash(phone), tail_hash(phone2))

        insert_rows(Resident, NEW_RESIDENT_COLUMNS, new_rows(), adapted=True)

        if not self.changed:
            return
        current: dict[int, Resident] = {}
        for chunk in chunked([pk for pk, _p, _c in self.changed]):
            current.update(Resident.objects.in_bulk(chunk))
        update_fields: set[str] = {"updated_at"}
        objs = []
        for pk, p, changed in self.changed:
            (_n, hkey, id_hash, idn, name, gender, birth, phone, ph_hash, phone2, ph2_hash, residency,
             relation, occupation, is_student, is_finance, alone, note) = p
            r = current[pk]
            r.updated_at = now
            if "household" in changed:
                r.household_id = households[hkey].id
                for f, val in anc[hkey].items():
                    setattr(r, f, val)
                update_fields |= {"household", *ANCESTOR_FIELDS}
            values = {"name": name, "gender": gender, "birth_date": birth, "residency": residency, "relation": relation,
                      "occupation": occupation, "is_student": is_student, "is_finance_staff": is_finance,
                      "lives_alone": alone, "note": note}
            for f in changed & values.keys():
                setattr(r, f, values[f])
                update_fields.add(f)
            if "phone" in changed:
                r.set_phone(phone)
                update_fields |= {"phone_enc", "phone_hash", "phone_masked", "phone_tail_hash"}
            if "phone2" in changed:
                r.set_phone2(phone2)
                update_fields |= {"phone2_enc", "phone2_hash", "phone2_masked", "phone2_tail_hash"}
            objs.append(r)
        Resident.objects.bulk_update(objs, sorted(update_fields), batch_size=BATCH)


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
                counts["created"] += 1
                continue
            changed = {f for f, val in values.items() if f in present and getattr(existing, f) != val}
            if placed and existing.node_id != node.id:
                changed.add("node")
            for f in changed - {"node"}:
                setattr(existing, f, values[f])
            if "node" in changed:
                existing.node = node
                existing.place_at(node)
            if changed:
                self.changed.append((existing, changed))
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1

    def apply(self) -> None:
        Unit.objects.bulk_create(self.new, batch_size=BATCH)
        if not self.changed:
            return
        Unit.objects.bulk_update([u for u, _c in self.changed], ["node", "kind", "address", "contact_name", *ANCESTOR_FIELDS],
                                 batch_size=BATCH)
        for u, changed in self.changed:
            if "node" in changed:  # staff and their families carry the unit's place in the tree
                StaffMember.objects.filter(unit_id=u.id).update(**ancestors_of(u))
                FamilyMember.objects.filter(staff__unit_id=u.id).update(**ancestors_of(u))


# --- kind: staff and their families ---------------------------------------------------------


@dataclass
class StaffPlan:
    row: int
    unit: Unit
    name: str
    idn: str
    id_hash: str
    phone: str
    phone_hash: str
    position: str
    employment: str
    existing: StaffMember | None = None
    obj: StaffMember | None = None


class StaffImporter(Importer):
    kind = "staff"
    label = gettext_lazy("单位职工及家属")
    description = gettext_lazy(
        "每行一人。职工行填单位名称，“与职工关系”留空或填“本人”；家属行在“与职工关系”填 父母/配偶/子女（或父亲、妻子、儿子等），"
        "并在“职工身份证号”填该职工的身份证号（职工可在本文件中，也可已在系统中）。")
    entities = [gettext_lazy("职工"), gettext_lazy("家属")]
    columns = [
        Column("unit", "单位名称", aliases=("单位", "所在单位", "工作单位"), required=True,
               help=gettext_lazy("职工行必填，须是本街道已有的单位；家属行可空"), example="西门小学", width=20),
        Column("name", "姓名", aliases=("职工姓名", "人员姓名"), required=True, max_length=50, help=gettext_lazy("必填"),
               example="赵老师", width=10),
        Column("id_number", "身份证号", aliases=("身份证号码", "公民身份号码", "身份证", "证件号码"),
               help=gettext_lazy("18位；职工有家属时必填。请把该列设为文本格式"), example="110101198005055512", width=21),
        Column("phone", "手机号", aliases=("手机号码", "联系电话", "电话", "手机", "联系方式"), help=gettext_lazy("可空"),
               example="13600136005", width=14),
        Column("position", "职务", aliases=("岗位", "职位", "职称"), max_length=50, help=gettext_lazy("职工行可空"),
               example="教师", width=10),
        Column("employment", "用工形式", aliases=("用工性质", "人员性质", "编制", "用工类型"),
               choices=tuple(str(lb) for _v, lb in Employment.choices), help=gettext_lazy("在编/合同/临时；空表示在编"),
               example="在编", width=10),
        Column("relation", "与职工关系", aliases=("家属关系", "关系", "人员类别", "亲属关系"),
               choices=("本人", "父母", "配偶", "子女"), help=gettext_lazy("职工本人留空或填“本人”；家属填父母/配偶/子女"),
               example="本人", width=10),
        Column("staff_id", "职工身份证号", aliases=("所属职工身份证号", "职工身份证", "职工身份证号码"),
               help=gettext_lazy("家属行必填：该家属所属职工的身份证号"), example="", width=21),
    ]

    def choice_lists(self) -> dict[str, list[str]]:
        return {"unit": sorted(UnitIndex(self.ctx).by_name)}

    def _numbers(self, row: Row, today) -> tuple[str, str, str, str] | None:
        idn = row["id_number"]
        id_hash = ""
        ok = True
        if idn:
            try:
                idn = parse_id(idn, today)
                id_hash = pii.lookup_hash("id", idn)
            except ValueError as e:
                self.error(row, "id_number", str(e))
                ok = False
        phone = row["phone"]
        ph_hash = ""
        if phone:
            try:
                phone = parse_phone_cell(phone)
                ph_hash = pii.lookup_hash("phone", phone)
            except ValueError as e:
                self.error(row, "phone", str(e))
                ok = False
        return (idn, id_hash, phone, ph_hash) if ok else None

    def validate(self, rows: list[Row]) -> None:
        """1. Staff rows: unit, numbers, values; one person once per unit.
        2. Family rows: find their staff member (in this file, else already registered) by ID number.
        3. Match both against the street's staff and families; plan and count."""
        ctx = self.ctx
        today = ctx.today
        present = self.present
        units = UnitIndex(ctx)
        staff_plans: dict[tuple[int, str], StaffPlan] = {}
        staff_by_hash: dict[str, list[StaffPlan]] = {}
        family_rows: list[tuple[Row, str, tuple]] = []
        for row in rows:
            name = row["name"]
            if not name:
                self.error(row, "name", _("姓名为空"))
            rel_text = row["relation"]
            relation = None
            if rel_text.lower() not in STAFF_SELF:
                relation = FAMILY_RELATIONS.get(rel_text)
                if relation is None:
                    self.error(row, "relation", _("未知关系“%(v)s”，职工本人留空或填“本人”，家属填 父母、配偶 或 子女") % {"v": short(rel_text)})
                    continue
            numbers = self._numbers(row, today)
            if relation is not None:
                if not row["staff_id"]:
                    self.error(row, "staff_id", _("家属行须填写所属职工的身份证号"))
                else:
                    try:
                        pii.lookup_hash("id", parse_id(row["staff_id"], today))
                    except ValueError as e:
                        self.error(row, "staff_id", str(e))
                if not row.bad and numbers is not None:
                    family_rows.append((row, relation, numbers))
                continue
            unit = None
            if not row["unit"]:
                self.error(row, "unit", _("职工行须填写单位名称"))
            else:
                unit, why = units.find(row["unit"])
                if unit is None:
                    self.error(row, "unit", _("未知单位“%(v)s”") % {"v": short(row["unit"])} if why == "unknown"
                               else _("本街道有多个名为“%(v)s”的单位，请先在系统中区分其名称") % {"v": short(row["unit"])})
            employment = Employment.FORMAL
            if row["employment"]:
                employment = EMPLOYMENTS.get(row["employment"])
                if employment is None:
                    self.error(row, "employment", _("未知用工形式“%(v)s”，应为 在编、合同 或 临时") % {"v": short(row["employment"])})
            if row.bad or numbers is None:
                continue
            idn, id_hash, phone, ph_hash = numbers
            key = (unit.id, id_hash or "name:" + name)
            if key in staff_plans:
                what = _("身份证号") if id_hash else _("姓名（无身份证号时按姓名识别）")
                self.error(row, "id_number" if id_hash else "name",
                           _("与第%(n)d行是同一单位的同一职工（%(what)s相同）") % {"n": staff_plans[key].row, "what": what})
                continue
            plan = StaffPlan(row.n, unit, name, idn, id_hash, phone, ph_hash, row["position"], employment)
            staff_plans[key] = plan
            if id_hash:
                staff_by_hash.setdefault(id_hash, []).append(plan)

        existing_staff: dict[tuple[int, str], StaffMember] = {}
        existing_by_hash: dict[str, list[StaffMember]] = {}
        for s in ctx.scope.filter(StaffMember.objects.filter(street_id=ctx.root.id)):
            existing_staff[(s.unit_id, s.id_number_hash or "name:" + s.name)] = s
            if s.id_number_hash:
                existing_by_hash.setdefault(s.id_number_hash, []).append(s)

        # Family rows: which staff member (planned in this file, or already registered) they belong to.
        families: dict[tuple, tuple] = {}
        for row, relation, numbers in family_rows:
            staff_hash = pii.lookup_hash("id", parse_id(row["staff_id"], today))
            pool: list[Any] = list(staff_by_hash.get(staff_hash, []))
            planned_units = {p.unit.id for p in pool}
            pool += [s for s in existing_by_hash.get(staff_hash, []) if s.unit_id not in planned_units]
            if row["unit"]:
                pool = [p for p in pool if (p.unit.name if isinstance(p, StaffPlan) else p.unit.name) == row["unit"]]
            if not pool:
                self.error(row, "staff_id", _("本文件和系统中都没有该身份证号的职工"))
                continue
            if len(pool) > 1:
                self.error(row, "unit", _("该职工在多个单位任职，请填写单位名称"))
                continue
            staff = pool[0]
            idn, id_hash, phone, ph_hash = numbers
            staff_key = ("plan", id(staff)) if isinstance(staff, StaffPlan) else ("db", staff.id)
            key = (staff_key, id_hash or "name:" + row["name"])
            if key in families:
                self.error(row, "id_number" if id_hash else "name", _("与第%(n)d行是同一职工的同一家属") % {"n": families[key][0]})
                continue
            families[key] = (row.n, staff, relation, row["name"], idn, id_hash, phone, ph_hash)
        if self.errors:
            return

        # Staff: match, compare, count.
        sc = self.counts[str(self.entities[0])]
        self.staff_new: list[StaffPlan] = []
        self.staff_changed: list[StaffMember] = []
        for key, p in staff_plans.items():
            s = existing_staff.get(key)
            if s is None:
                self.staff_new.append(p)
                continue
            p.existing = s
            changed = False
            for f, val in (("name", p.name), ("position", p.position), ("employment", p.employment)):
                if (f in present or f == "name") and getattr(s, f) != val:
                    setattr(s, f, val)
                    changed = True
            if "phone" in present and s.phone_hash != p.phone_hash:
                s.set_phone(p.phone)
                changed = True
            if changed:
                self.staff_changed.append(s)
            sc["updated" if changed else "unchanged"] += 1
        sc["created"] = len(self.staff_new)

        existing_family: dict[tuple, FamilyMember] = {}
        for f in ctx.scope.filter(FamilyMember.objects.filter(street_id=ctx.root.id)):
            existing_family[(("db", f.staff_id), f.id_number_hash or "name:" + f.name)] = f
        fc = self.counts[str(self.entities[1])]
        self.family_new: list[tuple] = []
        self.family_changed: list[FamilyMember] = []
        for key, fam in families.items():
            staff = fam[1]
            if isinstance(staff, StaffPlan) and staff.existing is not None:
                key = (("db", staff.existing.id), key[1])
            f = existing_family.get(key)
            if f is None:
                self.family_new.append(fam)
                continue
            _n, _s, relation, name, _idn, _h, phone, ph_hash = fam
            changed = False
            for attr, val in (("relation", relation), ("name", name)):
                if getattr(f, attr) != val:
                    setattr(f, attr, val)
                    changed = True
            if "phone" in present and f.phone_hash != ph_hash:
                f.set_phone(phone)
                changed = True
            if changed:
                self.family_changed.append(f)
            fc["updated" if changed else "unchanged"] += 1
        fc["created"] = len(self.family_new)

    @staticmethod
    def _residents_by_hash(hashes) -> dict[str, int]:
        return values_present(Resident, "id_number_hash", list(set(hashes)))

    def apply(self) -> None:
        """1. Create new staff (linked to the resident with the same ID number, as the form does).
        2. Update changed staff. 3. Create new family members under their staff. 4. Update changed ones."""
        residents = self._residents_by_hash([p.id_hash for p in self.staff_new] + [f[5] for f in self.family_new])
        objs = []
        for p in self.staff_new:
            s = StaffMember(unit=p.unit, name=p.name, position=p.position, employment=p.employment,
                            resident_id=residents.get(p.id_hash),
                            **pii_columns("id_number", p.idn, "id", p.id_hash), **pii_columns("phone", p.phone, "phone", p.phone_hash))
            s.place_at(p.unit)  # a unit carries the ancestor columns of its node
            if p.idn:
                s.birth_date, s.gender = id_birth_date(p.idn), id_gender(p.idn)
            p.obj = s
            objs.append(s)
        StaffMember.objects.bulk_create(objs, batch_size=BATCH)
        if self.staff_changed:
            now = timezone.now()
            for s in self.staff_changed:
                s.updated_at = now
            StaffMember.objects.bulk_update(self.staff_changed, ["name", "position", "employment", "phone_enc", "phone_hash",
                                                                 "phone_masked", "updated_at"], batch_size=BATCH)
        objs = []
        for _n, staff, relation, name, idn, id_hash, phone, ph_hash in self.family_new:
            s = (staff.existing or staff.obj) if isinstance(staff, StaffPlan) else staff
            f = FamilyMember(staff_id=s.id, relation=relation, name=name, resident_id=residents.get(id_hash),
                             birth_date=id_birth_date(idn) if idn else None,
                             **pii_columns("id_number", idn, "id", id_hash), **pii_columns("phone", phone, "phone", ph_hash))
            f.place_at(s)
            objs.append(f)
        FamilyMember.objects.bulk_create(objs, batch_size=BATCH)
        if self.family_changed:
            FamilyMember.objects.bulk_update(self.family_changed, ["relation", "name", "phone_enc", "phone_hash", "phone_masked"],
                                             batch_size=BATCH)


# --- registry and contexts ---------------------------------------------------------------------

KINDS: dict[str, type[Importer]] = {
    "org": OrgImporter,
    "residents": ResidentImporter,
    "units": UnitImporter,
    "staff": StaffImporter,
}


def streets_for(user_or_scope) -> list[Node]:
    """The streets an import may target: those in the scope, or holding a node of it."""
    scope = user_or_scope if isinstance(user_or_scope, Scope) else scope_of(user_or_scope)
    if scope.everything:
        return list(Node.objects.filter(level=Level.STREET).order_by("sort", "code"))
    ids: set[int] = set()
    q = Q(pk__in=[])
    for level, node_ids in scope.nodes.items():
        q |= Q(**{f"{level}_id__in": node_ids})
    for street_id in Node.objects.filter(q).exclude(street__isnull=True).values_list("street_id", flat=True).distinct():
        ids.add(street_id)
    return list(Node.objects.filter(pk__in=ids).order_by("sort", "code"))


def import_context(*, user, street: Node, scope: Scope | None = None, request=None, **kwargs) -> ImportContext:
    return ImportContext(user=user, root=street, scope=scope or scope_of(user), request=request, **kwargs)


def command_line_actor(street: Node, username: str = ""):
    """Who runs a command without --user: the whole street in scope, named in the audit log."""
    import getpass
    from types import SimpleNamespace

    try:
        who = username or getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        who = "?"
    scope = Scope(nodes={"street": frozenset({street.id})}, primary_street_id=street.id, top_node_ids=(street.id,))
    return SimpleNamespace(pk=None, username=f"cli:{who}", is_authenticated=True, is_active=True, is_superuser=False,
                           _fanzha_scope=scope, has_perm=lambda perm: True)
