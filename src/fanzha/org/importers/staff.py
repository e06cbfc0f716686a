"""Import kind "staff": the units' staff and their families.

Staff rows name their unit; family rows name their staff member by ID number
(in the same file or already registered). People are matched by the keyed
hash of their ID number, else by name within their unit / staff member.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fanzha.core import pii
from fanzha.core.bulk import values_present
from fanzha.core.idnumbers import id_birth_date, id_gender
from fanzha.core.imports import Column, Importer, Row
from fanzha.org.counts import recount_grids
from fanzha.org.importers.common import BATCH, UnitIndex
from fanzha.org.importers.parsing import EMPLOYMENTS, FAMILY_RELATIONS, STAFF_SELF, parse_id, parse_phone_cell, short
from fanzha.org.models import Employment, FamilyMember, Resident, StaffMember, Unit


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


@dataclass
class FamilyPlan:
    """A family row of the file, its staff member found (planned in the file, or registered)."""

    row: int
    staff: StaffPlan | StaffMember
    relation: str
    name: str
    idn: str
    id_hash: str
    phone: str
    phone_hash: str


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
        families: dict[tuple, FamilyPlan] = {}
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
                self.error(row, "id_number" if id_hash else "name", _("与第%(n)d行是同一职工的同一家属") % {"n": families[key].row})
                continue
            families[key] = FamilyPlan(row.n, staff, relation, row["name"], idn, id_hash, phone, ph_hash)
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
        self.family_new: list[FamilyPlan] = []
        self.family_changed: list[FamilyMember] = []
        for key, fam in families.items():
            staff = fam.staff
            if isinstance(staff, StaffPlan) and staff.existing is not None:
                key = (("db", staff.existing.id), key[1])
            f = existing_family.get(key)
            if f is None:
                self.family_new.append(fam)
                continue
            changed = False
            for attr, val in (("relation", fam.relation), ("name", fam.name)):
                if getattr(f, attr) != val:
                    setattr(f, attr, val)
                    changed = True
            if "phone" in present and f.phone_hash != fam.phone_hash:
                f.set_phone(fam.phone)
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
        2. Update changed staff. 3. Create new family members under their staff. 4. Update changed ones.
        5. Count the units' nodes of new staff again, in the same transaction."""
        residents = self._residents_by_hash([p.id_hash for p in self.staff_new] + [f.id_hash for f in self.family_new])
        enc = pii.Encoder()
        objs = []
        for p in self.staff_new:
            s = StaffMember(unit=p.unit, name=p.name, position=p.position, employment=p.employment,
                            resident_id=residents.get(p.id_hash),
                            **enc.columns("id_number", p.idn, p.id_hash), **enc.columns("phone", p.phone, p.phone_hash))
            s.place_at(p.unit)  # a unit carries the ancestor columns of its node
            if p.idn:
                s.birth_date, s.gender = id_birth_date(p.idn), id_gender(p.idn)
            p.obj = s
            objs.append(s)
        StaffMember.objects.bulk_create(objs, batch_size=BATCH)
        recount_grids({p.unit.node_id for p in self.staff_new})
        if self.staff_changed:
            now = timezone.now()
            for s in self.staff_changed:
                s.updated_at = now
            StaffMember.objects.bulk_update(self.staff_changed, ["name", "position", "employment", "phone_enc", "phone_hash",
                                                                 "phone_masked", "updated_at"], batch_size=BATCH)
        objs = []
        for fam in self.family_new:
            staff = fam.staff
            s = (staff.existing or staff.obj) if isinstance(staff, StaffPlan) else staff
            f = FamilyMember(staff_id=s.id, relation=fam.relation, name=fam.name, resident_id=residents.get(fam.id_hash),
                             birth_date=id_birth_date(fam.idn) if fam.idn else None,
                             **enc.columns("id_number", fam.idn, fam.id_hash), **enc.columns("phone", fam.phone, fam.phone_hash))
            f.place_at(s)
            objs.append(f)
        FamilyMember.objects.bulk_create(objs, batch_size=BATCH)
        if self.family_changed:
            FamilyMember.objects.bulk_update(self.family_changed, ["relation", "name", "phone_enc", "phone_hash", "phone_masked"],
                                             batch_size=BATCH)
