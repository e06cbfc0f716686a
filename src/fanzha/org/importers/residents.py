"""Import kind "residents": residents with their households.

One row per resident; rows with the same address in the same grid are one
household. Residents are matched by the keyed hash of their ID number, else
(no ID number) by name within their household; households by (grid, address).
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fanzha.core import pii
from fanzha.core.bulk import fetch_rows, insert_rows, values_present
from fanzha.core.imports import Column, Importer, Row, RowError
from fanzha.org.counts import recount_grids
from fanzha.org.importers.common import BATCH, NodeIndex, ancestors_of, chunked
from fanzha.org.importers.parsing import (
    BOOLS,
    GENDERS,
    HEAD_RELATIONS,
    RESIDENCIES,
    parse_bool,
    parse_date,
    parse_id_fast,
    parse_phone_cell,
    short,
)
from fanzha.org.models import (
    ANCESTOR_FIELDS,
    PHONE_TAIL,
    Household,
    Level,
    Node,
    Residency,
    Resident,
    phone_tail_hasher,
)


class ExistingHousehold(NamedTuple):
    """A household of the street as loaded for matching."""

    id: int
    address: str
    head_name: str
    county_id: int | None
    street_id: int | None
    community_id: int | None
    grid_id: int | None
    group_id: int | None

    @property
    def ancestors(self) -> dict[str, int | None]:
        return dict(zip(ANCESTOR_IDS, self[3:]))


class ExistingResident(NamedTuple):
    """A resident of the street as loaded for matching (the columns an import can change)."""

    id: int
    id_number_hash: str
    household_id: int
    name: str
    gender: str
    birth_date: dt.date | None
    phone_hash: str
    phone2_hash: str
    residency: str
    relation: str
    occupation: str
    is_student: bool
    is_finance_staff: bool
    lives_alone: bool
    note: str
    grid_id: int | None


@dataclass
class HouseholdPlan:
    node: Node  # the group (or the grid when no group was given)
    address: str
    head: str
    row: int
    group_given: bool
    existing: ExistingHousehold | None = None
    change: dict = field(default_factory=dict)
    id: int | None = None
    updated: Household | None = None


@dataclass(slots=True)
class ResidentPlan:
    """One good row of the file: the resident it describes, numbers parsed and hashed."""

    row: int
    household: tuple[int, str]  # (grid id, address): the key of its HouseholdPlan
    id_hash: str
    id_number: str
    name: str
    gender: str
    birth_date: dt.date | None
    phone: str
    phone_hash: str
    phone2: str
    phone2_hash: str
    residency: str
    relation: str
    occupation: str
    is_student: bool
    is_finance_staff: bool
    lives_alone: bool
    note: str


ANCESTOR_IDS = [f"{f}_id" for f in ANCESTOR_FIELDS]
NEW_RESIDENT_COLUMNS = ["household_id", *ANCESTOR_IDS, "name", "gender", "birth_date",
                        "id_number_enc", "id_number_hash", "id_number_masked", "phone_enc", "phone_hash", "phone_masked",
                        "phone2_enc", "phone2_hash", "phone2_masked", "residency", "relation", "occupation", "is_student",
                        "is_finance_staff", "lives_alone", "note", "phone_tail_hash", "phone2_tail_hash"]
_EXISTING_RESIDENT = ExistingResident._fields
_EXISTING_HOUSEHOLD = ExistingHousehold._fields
_R_HASH, _R_HOUSEHOLD, _R_NAME, _R_GENDER, _R_BIRTH = map(
    _EXISTING_RESIDENT.index, ("id_number_hash", "household_id", "name", "gender", "birth_date"))
# Fields compared between a row and the resident it matches when the file has their column:
# (column key, ResidentPlan attribute, ExistingResident attribute).
_PLAIN_FIELDS = {"name", "gender", "birth_date", "residency", "relation", "occupation", "is_student", "is_finance_staff",
                 "lives_alone", "note"}  # copied as they are onto an updated resident
_COMPARED = [("phone", "phone_hash", "phone_hash"), ("phone2", "phone2_hash", "phone2_hash"),
             *[(f, f, f) for f in ("residency", "relation", "occupation", "is_student", "is_finance_staff", "lives_alone", "note")]]


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
        plans: list[ResidentPlan] = []
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
            flags = [bools.get(student_text), bools.get(finance_text), bools.get(alone_text)]
            if None in flags:  # not 是/否/empty: the general parser, which says what is wrong
                for i, (k, text) in enumerate((("is_student", student_text), ("is_finance_staff", finance_text),
                                               ("lives_alone", alone_text))):
                    if flags[i] is None:
                        try:
                            flags[i] = parse_bool(text)
                        except ValueError as e:
                            error(row, k, str(e))
                            flags[i] = False
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
            plans.append(ResidentPlan(row.n, hkey, id_hash, idn, name, gender, birth, phone, phone and phone_hash_of(phone),
                                      phone2, phone2 and phone_hash_of(phone2), residency, relation, occupation, *flags, note))
        self._match(households, plans, seen_ids, present)

    def _match(self, households: dict[tuple[int, str], HouseholdPlan], plans: list[ResidentPlan],
               seen_ids: dict[str, int], present: set[str]) -> None:
        ctx = self.ctx
        street = ctx.root
        # Households of the street, keyed like the file's.
        existing_hh: dict[tuple[int, str], ExistingHousehold] = {}
        make_hh = ExistingHousehold._make
        for rec in fetch_rows(ctx.scope.filter(Household.objects.filter(street_id=street.id)).values_list(*_EXISTING_HOUSEHOLD)):
            h = make_hh(rec)
            existing_hh[(h.grid_id, h.address)] = h
        # The street's residents as the driver's plain tuples (in ExistingResident's order), indexed by a
        # dict comprehension: a re-import matches every row here, and naming each of a street's
        # 150,000 tuples cost more than the comparisons. Only a changed row is made an ExistingResident.
        fields = list(_EXISTING_RESIDENT)
        residents = ctx.scope.filter(Resident.objects.filter(street_id=street.id))
        if connection.vendor == "sqlite":  # the birth date as its text: no per-row date converter in the driver
            qn = connection.ops.quote_name
            residents = residents.annotate(birth_text=RawSQL(f"{qn(Resident._meta.db_table)}.{qn('birth_date')} || ''", ()))
            fields[_R_BIRTH] = "birth_text"
        found = fetch_rows(residents.values_list(*fields))
        by_hash: dict[str, tuple] = {rec[_R_HASH]: rec for rec in found if rec[_R_HASH]}
        by_name: dict[tuple[int, str], tuple] = {(rec[_R_HOUSEHOLD], rec[_R_NAME]): rec for rec in found if not rec[_R_HASH]}
        del found
        # ID numbers already registered outside this street / scope: a row error, as the form says.
        outside = values_present(Resident, "id_number_hash", [h for h in seen_ids if h not in by_hash])
        for h in outside:
            self.errors.append(RowError(seen_ids[h], self.headers["id_number"], _("该身份证号已登记在其他居民名下")))
        if self.errors:
            return

        hh_counts = self.counts[str(self.entities[0])]
        for hkey, hp in households.items():
            h = existing_hh.get(hkey)
            if h is None:
                hh_counts["created"] += 1
                continue
            hp.existing, hp.id = h, h.id
            if hp.group_given and h.group_id != hp.node.id:
                hp.change["group"] = hp.node
            if hp.head and hp.head != h.head_name:
                hp.change["head_name"] = hp.head
            hh_counts["updated" if hp.change else "unchanged"] += 1
        self.households = households

        res_counts = self.counts[str(self.entities[1])]
        # (field, plan attribute, existing attribute): name always, the others when the file has their column.
        compared = [("name", "name", "name"), *[c for c in _COMPARED if c[0] in present]]
        # Most rows of a re-import are unchanged: one C-level tuple comparison tells them apart,
        # the field-by-field set is worked out only for the others.
        mine_of = operator.attrgetter(*[m for _f, m, _t in compared])
        theirs_of = operator.itemgetter(*[_EXISTING_RESIDENT.index(t) for _f, _m, t in compared])
        gender_given, birth_given = "gender" in present, "birth_date" in present
        iso = dt.date.fromisoformat
        make = ExistingResident._make
        unchanged = 0
        self.new: list[ResidentPlan] = []
        self.changed: list[tuple[int, ResidentPlan, set[str]]] = []
        # The grids whose head counts the write changes: new or changed households and residents,
        # and the grid a resident moved out of.
        self.grids: set[int] = {hkey[0] for hkey, hp in households.items() if hp.existing is None or hp.change}
        for p in plans:
            hp = households[p.household]
            if p.id_hash:
                r = by_hash.get(p.id_hash)
            else:
                r = by_name.get((hp.id, p.name)) if hp.id else None
            if r is None:
                self.new.append(p)
                self.grids.add(p.household[0])
                continue
            birth = r[_R_BIRTH]
            if type(birth) is str:  # SQLite: the birth date as text (see above)
                birth = iso(birth)
            if (mine_of(p) == theirs_of(r) and hp.id == r[_R_HOUSEHOLD]
                    and (not (p.id_number or gender_given) or p.gender == r[_R_GENDER])
                    and (not (p.id_number or birth_given) or p.birth_date == birth)):
                unchanged += 1  # the common case of a re-import: nothing to work out
                continue
            r = make(r)._replace(birth_date=birth)
            changed = {f for f, mine, theirs in compared if getattr(p, mine) != getattr(r, theirs)}
            if (p.id_number or gender_given) and p.gender != r.gender:
                changed.add("gender")
            if (p.id_number or birth_given) and p.birth_date != r.birth_date:
                changed.add("birth_date")
            if hp.id != r.household_id:
                changed.add("household")
            if changed:
                self.changed.append((r.id, p, changed))
                self.grids.update((p.household[0], r.grid_id))
            else:
                res_counts["unchanged"] += 1
        res_counts["unchanged"] += unchanged
        res_counts["created"] = len(self.new)
        res_counts["updated"] = len(self.changed)

    def apply(self) -> None:
        """1. Create new households, update changed ones (their residents follow a new group).
        2. Create new residents (encrypting their numbers), then update changed ones.
        3. Count the grids written under again, in the same transaction: the head counts on
           every page are right as soon as the import commits."""
        self._write()
        recount_grids(self.grids)

    def _write(self) -> None:
        now = timezone.now()
        households = self.households
        anc: dict[tuple[int, str], dict[str, int | None]] = {}
        new_hh = {hkey: hp for hkey, hp in households.items() if hp.existing is None}
        if new_hh:
            rows = []
            for hkey, hp in new_hh.items():
                a = {c: getattr(hp.node, c) for c in ANCESTOR_IDS}
                anc[hkey] = a
                rows.append((hp.address, hp.head, *a.values()))
            insert_rows(Household, ["address", "head_name", *ANCESTOR_IDS], rows)
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
            h = hp.existing
            if h is None:
                continue
            a = h.ancestors
            if hp.change:
                obj = Household(id=h.id, address=hp.address, head_name=hp.change.get("head_name", h.head_name), updated_at=now)
                if "group" in hp.change:
                    obj.place_at(hp.change["group"])
                    moved.append(obj)
                else:
                    for f, val in a.items():
                        setattr(obj, f, val)
                a = ancestors_of(obj)
                changed_hh.append(obj)
            anc[hkey] = a
        if changed_hh:
            Household.objects.bulk_update(changed_hh, ["head_name", "updated_at", *ANCESTOR_FIELDS], batch_size=BATCH)
        for obj in moved:
            Resident.objects.filter(household_id=obj.id).update(**ancestors_of(obj))

        enc = pii.Encoder()
        place = {hkey: (households[hkey].id, *a.values()) for hkey, a in anc.items()}
        adapt_date = connection.ops.adapt_datefield_value
        tail_of = phone_tail_hasher()
        tails: dict[str, str] = {"": ""}  # one hash per distinct four-digit tail, not per phone

        def tail_hash(phone: str) -> str:
            try:
                return tails[phone[-PHONE_TAIL:] if len(phone) >= 8 else ""]
            except KeyError:
                tails[phone[-PHONE_TAIL:]] = h = tail_of(phone)
                return h

        id_forms, phone_forms = enc.id_number, enc.phone

        def new_rows():  # encrypted batch by batch as they are written
            for p in self.new:
                yield (*place[p.household], p.name, p.gender, adapt_date(p.birth_date) if p.birth_date else None,
                       *id_forms(p.id_number, p.id_hash), *phone_forms(p.phone, p.phone_hash),
                       *phone_forms(p.phone2, p.phone2_hash), p.residency, p.relation, p.occupation, p.is_student,
                       p.is_finance_staff, p.lives_alone, p.note, tail_hash(p.phone), tail_hash(p.phone2))

        insert_rows(Resident, NEW_RESIDENT_COLUMNS, new_rows(), adapted=True)

        if not self.changed:
            return
        current: dict[int, Resident] = {}
        for chunk in chunked([pk for pk, _p, _c in self.changed]):
            current.update(Resident.objects.in_bulk(chunk))
        update_fields: set[str] = {"updated_at"}
        objs = []
        for pk, p, changed in self.changed:
            r = current[pk]
            r.updated_at = now
            if "household" in changed:
                r.household_id = households[p.household].id
                for f, val in anc[p.household].items():
                    setattr(r, f, val)
                update_fields |= {"household", *ANCESTOR_FIELDS}
            for f in changed & _PLAIN_FIELDS:
                setattr(r, f, getattr(p, f))
                update_fields.add(f)
            if "phone" in changed:
                r.set_phone(p.phone)
                update_fields |= {"phone_enc", "phone_hash", "phone_masked", "phone_tail_hash"}
            if "phone2" in changed:
                r.set_phone2(p.phone2)
                update_fields |= {"phone2_enc", "phone2_hash", "phone2_masked", "phone2_tail_hash"}
            objs.append(r)
        Resident.objects.bulk_update(objs, sorted(update_fields), batch_size=BATCH)
