"""Import key persons (一人一档) and premises from .xlsx/.csv, all or nothing, every bad row reported.

Key persons are matched to residents of the street by ID number (the file is then placed where
the resident lives); a person not on the roster is placed by the row's 社区/网格 and linked later.
A row for someone who already has an open file adds the row's categories to it. Premises are
matched by (网格, 名称, 地址): a re-import updates them.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fanzha.core import pii
from fanzha.core.idnumbers import mask_phone
from fanzha.core.imports import Column, Importer, Row
from fanzha.org.importers import NodeIndex, parse_date, parse_id, parse_phone_cell, short
from fanzha.org.models import Resident
from fanzha.risk.models import (
    Category,
    FileStatus,
    KeyPerson,
    KeyPersonCategory,
    KeyPersonChange,
    Premises,
    PremisesKind,
)
from fanzha.risk.services.key_persons import intervals_for

CATEGORIES = {str(label): value for value, label in Category.choices} | {v: v for v in Category.values} | {
    "前科": Category.OFFENDER, "涉诈前科人员": Category.OFFENDER, "高危人员": Category.HIGH_RISK, "两卡": Category.TWO_CARD,
    "涉两卡": Category.TWO_CARD, "回流人员": Category.RETURNEE, "境外回流": Category.RETURNEE, "拦截人员": Category.INTERCEPTED,
    "劝返": Category.INTERCEPTED, "滞留": Category.STRANDED, "缅北": Category.STRANDED, "滞留境外": Category.STRANDED,
}
KINDS = {str(label): value for value, label in PremisesKind.choices} | {v: v for v in PremisesKind.values} | {
    "宾馆": PremisesKind.HOTEL, "酒店": PremisesKind.HOTEL, "旅馆": PremisesKind.HOTEL, "民宿": PremisesKind.HOTEL,
    "出租房": PremisesKind.RENTED_ROOM, "出租屋": PremisesKind.RENTED_ROOM, "空置房屋": PremisesKind.VACANT_HOUSE,
    "空房": PremisesKind.VACANT_HOUSE, "废弃厂房": PremisesKind.ABANDONED, "闲置厂房": PremisesKind.ABANDONED,
    "楼宇": PremisesKind.OFFICE, "写字楼": PremisesKind.OFFICE, "商务楼宇": PremisesKind.OFFICE, "网吧": PremisesKind.INTERNET_CAFE,
    "快递": PremisesKind.EXPRESS, "快递网点": PremisesKind.EXPRESS, "驿站": PremisesKind.EXPRESS, "其他": PremisesKind.OTHER,
}
_SPLIT = re.compile(r"[、,，/;；\s]+")


class KeyPersonImporter(Importer):
    kind = "key_persons"
    label = gettext_lazy("重点人员")
    description = gettext_lazy("一人一档名单。按身份证号关联已登记居民；已有在管档案的人员会补充类别，不会重复建档。")
    entities = [gettext_lazy("重点人员")]
    columns = [
        Column("name", "姓名", required=True, max_length=50, example="王某", width=10),
        Column("id_number", "身份证号", aliases=("身份证号码", "公民身份号码"), example="", width=20,
               help=gettext_lazy("已登记居民按身份证号关联")),
        Column("categories", "类别", aliases=("人员类别", "重点人员类别"), required=True, example="涉诈前科、两卡人员", width=18,
               help=gettext_lazy("可填多个，用顿号分隔：") + "、".join(str(lb) for _v, lb in Category.choices)),
        Column("community", "社区", aliases=("所属社区", "村"), example="东关社区", width=12),
        Column("grid", "网格", aliases=("所属网格",), example="", width=12),
        Column("address", "住址", aliases=("居住地址", "现住址"), max_length=200, example="", width=24),
        Column("phone", "手机号", aliases=("联系电话", "电话"), example="", width=14),
        Column("contacts", "联系方式及联系人", aliases=("联系人",), max_length=500, example="", width=20),
        Column("watch_for", "关注要点", max_length=500, example="夜间外出频繁", width=24),
        Column("detail", "涉诈情况", aliases=("简要情况", "违法犯罪情况"), max_length=1000, example="", width=30),
        Column("opened_on", "建档日期", example="2026-01-05", width=12, help=gettext_lazy("可空：空为导入当天")),
    ]

    def validate(self, rows: list[Row]) -> None:
        ctx = self.ctx
        today = ctx.today
        idx = NodeIndex(ctx)
        counts = self.counts[str(self.entities[0])]
        ids: dict[int, str] = {}
        for r in rows:
            if r["id_number"]:
                try:
                    ids[r.n] = parse_id(r["id_number"], today)
                except ValueError as e:
                    self.error(r, "id_number", str(e))
        hash_of = {n: pii.lookup_hash("id", v) for n, v in ids.items()}
        residents = {res.id_number_hash: res for res in ctx.scope.filter(
            Resident.objects.filter(id_number_hash__in=set(hash_of.values()), street_id=idx.street.id)).select_related("household")}
        open_files = {}
        for p in KeyPerson.objects.filter(status=FileStatus.OPEN, id_number_hash__in=set(hash_of.values())).prefetch_related("categories"):
            open_files[p.id_number_hash] = p
        seen: dict[str, int] = {}
        self.plans: list[tuple] = []
        self.additions: list[tuple[KeyPerson, list[str]]] = []
        days = intervals_for(idx.street.id)
        for r in rows:
            if not r["name"]:
                self.error(r, "name", _("姓名为空"))
            cats = []
            for part in _SPLIT.split(r["categories"]):
                if not part:
                    continue
                c = CATEGORIES.get(part)
                if c is None:
                    self.error(r, "categories", _("未知类别“%(v)s”，应为：%(all)s") % {
                        "v": short(part), "all": "、".join(str(lb) for _v, lb in Category.choices)})
                    break
                cats.append(c)
            if not cats and not (r.bad and "categories" in r.bad):
                self.error(r, "categories", _("类别为空"))
            phone = ""
            if r["phone"]:
                try:
                    phone = parse_phone_cell(r["phone"])
                except ValueError as e:
                    self.error(r, "phone", str(e))
            opened_on = today
            if r["opened_on"]:
                try:
                    opened_on = parse_date(r["opened_on"], today)
                except ValueError as e:
                    self.error(r, "opened_on", str(e))
            h = hash_of.get(r.n, "")
            if h:
                if h in seen:
                    self.error(r, "id_number", _("与第%(n)d行的身份证号重复") % {"n": seen[h]})
                seen[h] = r.n
            resident = residents.get(h) if h else None
            place = None
            if resident is None:
                place = self.place_unregistered(r, idx, _("未在本街道登记的人员须填写社区或网格"))
            if r.bad:
                continue
            existing = open_files.get(h) if h else None
            if existing is not None:
                new = [c for c in dict.fromkeys(cats) if c not in {x.category for x in existing.categories.all()}]
                if new:
                    self.additions.append((existing, new))
                    counts["updated"] += 1
                else:
                    counts["unchanged"] += 1
                continue
            p = KeyPerson(status=FileStatus.OPEN, opened_on=opened_on, name=resident.name if resident else r["name"],
                          address=r["address"] or (resident.household.address if resident else ""), contacts=r["contacts"],
                          watch_for=r["watch_for"], detail=r["detail"], resident=resident,
                          created_by=ctx.user if getattr(ctx.user, "pk", None) else None)
            if resident is not None:
                p.place_like(resident)
            else:
                p.place_at(place)
            if h:
                p.id_number_enc, p.id_number_hash = pii.encrypt(ids[r.n]), h
                p.id_number_masked = ids[r.n][:3] + "*" * 11 + ids[r.n][-4:]
            if phone:
                p.phone_enc, p.phone_hash, p.phone_masked = pii.encrypt(phone), pii.lookup_hash("phone", phone), mask_phone(phone)
            reviews = {c: opened_on + dt.timedelta(days=days[c]) for c in dict.fromkeys(cats)}
            p.next_review_on = min(reviews.values())
            self.plans.append((p, reviews))
            counts["created"] += 1
        self.today = today
        self.days = days

    def apply(self) -> None:
        user = self.ctx.user if getattr(self.ctx.user, "pk", None) else None
        people = [p for p, _r in self.plans]
        KeyPerson.objects.bulk_create(people, batch_size=500)
        KeyPersonCategory.objects.bulk_create(
            [KeyPersonCategory(person=p, category=c, next_review_on=on) for p, reviews in self.plans for c, on in reviews.items()],
            batch_size=1000)
        KeyPersonChange.objects.bulk_create(
            [KeyPersonChange(person=p, user=user, action="import", changes={"categories": list(reviews)}) for p, reviews in self.plans],
            batch_size=1000)
        for p, new in self.additions:
            KeyPersonCategory.objects.bulk_create(
                [KeyPersonCategory(person=p, category=c, next_review_on=self.today + dt.timedelta(days=self.days[c])) for c in new])
            nxt = min(p.categories.values_list("next_review_on", flat=True))
            KeyPerson.objects.filter(pk=p.pk).update(next_review_on=nxt)
            KeyPersonChange.objects.create(person=p, user=user, action="import", changes={"added": new})


class PremisesImporter(Importer):
    kind = "premises"
    label = gettext_lazy("场所")
    description = gettext_lazy("宾馆、出租屋、空置房、废弃厂房、商务楼宇（按公司）、网吧、快递网点等。按网格+名称+地址识别，重复导入会更新。")
    entities = [gettext_lazy("场所")]
    columns = [
        Column("name", "场所名称", aliases=("名称", "公司名称", "店名"), required=True, max_length=100, example="悦来宾馆", width=18),
        Column("kind", "类型", aliases=("场所类型",), required=True, choices=tuple(str(lb) for _v, lb in PremisesKind.choices),
               example="宾馆酒店", width=12),
        Column("address", "地址", aliases=("详细地址",), required=True, max_length=200, example="东关路8号", width=24),
        Column("community", "社区", aliases=("所属社区", "村"), example="东关社区", width=12),
        Column("grid", "网格", aliases=("所属网格",), required=True, example="东关第一网格", width=14),
        Column("building", "所在楼宇", aliases=("楼宇",), max_length=100, example="", width=14),
        Column("manager_name", "负责人", aliases=("业主", "业主或负责人", "联系人"), max_length=50, example="张某", width=10),
        Column("manager_phone", "联系电话", aliases=("电话", "手机号"), example="", width=14),
    ]

    def validate(self, rows: list[Row]) -> None:
        idx = NodeIndex(self.ctx)
        counts = self.counts[str(self.entities[0])]
        existing = {(p.grid_id, p.name, p.address): p for p in self.ctx.scope.filter(Premises.objects.filter(street_id=idx.street.id))}
        seen: dict[tuple, int] = {}
        self.new: list[Premises] = []
        self.changed: list[Premises] = []
        for r in rows:
            kind = KINDS.get(r["kind"].strip())
            if kind is None:
                self.error(r, "kind", _("未知场所类型“%(v)s”，应为：%(all)s") % {
                    "v": short(r["kind"]), "all": "、".join(str(lb) for _v, lb in PremisesKind.choices)})
            if not r["name"]:
                self.error(r, "name", _("场所名称为空"))
            if not r["address"]:
                self.error(r, "address", _("地址为空"))
            _c, g, _grp, errs = idx.place(r["community"], r["grid"], "", need_grid=True)
            for k, reason in errs:
                self.error(r, k, reason)
            phone = ""
            if r["manager_phone"]:
                try:
                    phone = parse_phone_cell(r["manager_phone"])
                except ValueError as e:
                    self.error(r, "manager_phone", str(e))
            if r.bad:
                continue
            key = (g.id, r["name"], r["address"])
            if key in seen:
                self.error(r, "name", _("与第%(n)d行是同一场所（网格、名称、地址都相同）") % {"n": seen[key]})
                continue
            seen[key] = r.n
            p = existing.get(key)
            before = (p.kind, p.building, p.manager_name, p.manager_phone_hash) if p else None
            p = p or Premises(name=r["name"], address=r["address"])
            p.kind, p.building, p.manager_name = kind, r["building"], r["manager_name"]
            if phone != (p.manager_phone if p.pk and p.manager_phone_enc else ""):
                p.set_manager_phone(phone)
            p.place_at(g)
            if before is None:
                self.new.append(p)
                counts["created"] += 1
            elif before != (p.kind, p.building, p.manager_name, p.manager_phone_hash):
                self.changed.append(p)
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1

    def apply(self) -> None:
        Premises.objects.bulk_create(self.new, batch_size=1000)
        for p in self.changed:
            p.save()
