"""Cases from the police station's spreadsheet export (发案台账), all or nothing.

Cases are matched by 案件编号: re-importing the same file changes nothing, a
changed row updates its case and records the change in its history. The
victim is linked by ID number when registered in the street; otherwise the
row's 社区/网格 places the case. A row with no 诈骗类型 takes the type the
classifier suggests from 简要案情 (and says so in the counts).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fanzha.cases.classifier import classify
from fanzha.cases.fraud_types import FraudType
from fanzha.cases.models import MAJOR_LOSS, Case, CaseChange, Channel, Outcome, StaffLink
from fanzha.cases.services import MAX_LOSS, TRACKED, _snapshot
from fanzha.core import pii
from fanzha.core.imports import Column, Importer, Row
from fanzha.org.importers import GENDERS, NodeIndex, UnitIndex, parse_date, parse_id, short
from fanzha.org.models import Residency, Resident

TYPES = {str(label): value for value, label in FraudType.choices} | {v: v for v in FraudType.values} | {
    "刷单": FraudType.REBATE_TASK, "刷单诈骗": FraudType.REBATE_TASK, "投资理财": FraudType.FAKE_INVESTMENT,
    "虚假投资理财": FraudType.FAKE_INVESTMENT, "网络购物": FraudType.FAKE_SHOPPING, "冒充客服": FraudType.FAKE_CUSTOMER_SERVICE,
    "冒充电商物流客服类": FraudType.FAKE_CUSTOMER_SERVICE, "网络贷款": FraudType.FAKE_LOAN, "虚假网络贷款": FraudType.FAKE_LOAN,
    "冒充公检法": FraudType.IMPERSONATE_AUTHORITY, "冒充领导": FraudType.IMPERSONATE_BOSS_ACQUAINTANCE,
    "冒充熟人": FraudType.IMPERSONATE_BOSS_ACQUAINTANCE, "网络婚恋": FraudType.ROMANCE, "婚恋交友": FraudType.ROMANCE,
    "游戏交易": FraudType.GAME_TRADE, "养老诈骗": FraudType.ELDERLY_HEALTH_PRODUCTS, "冒充亲属": FraudType.IMPERSONATE_RELATIVE,
    "集资诈骗": FraudType.ILLEGAL_FUNDRAISING, "扶贫诈骗": FraudType.FAKE_POVERTY_RELIEF, "邮件诈骗": FraudType.EMAIL_FRAUD,
}
CHANNELS = {str(label): value for value, label in Channel.choices} | {v: v for v in Channel.values} | {
    "电话": Channel.PHONE, "手机": Channel.PHONE, "短信": Channel.SMS, "微信": Channel.WECHAT, "qq": Channel.QQ, "QQ": Channel.QQ,
    "app": Channel.APP, "APP": Channel.APP, "网站": Channel.WEBSITE, "网页": Channel.WEBSITE, "当面": Channel.IN_PERSON,
    "面对面": Channel.IN_PERSON, "": Channel.OTHER,
}
OUTCOMES = {"既遂": Outcome.COMPLETED, "未遂": Outcome.ATTEMPTED}
STAFF_LINKS = {"": "", "否": "", "职工": StaffLink.STAFF, "单位职工": StaffLink.STAFF, "是": StaffLink.STAFF,
               "家属": StaffLink.FAMILY, "职工家属": StaffLink.FAMILY}


def _money(text: str) -> Decimal:
    t = text.replace(",", "").replace("，", "").replace("元", "").strip()
    if t.endswith("万"):
        value = Decimal(t[:-1]) * 10000
    else:
        value = Decimal(t or "0")
    if not value.is_finite():
        raise InvalidOperation
    return value.quantize(Decimal("0.01"))


class CaseImporter(Importer):
    kind = "cases"
    label = gettext_lazy("案件")
    description = gettext_lazy("派出所发案台账导出表。按案件编号识别：重复导入不会重复登记，改动的行会更新案件并记入修改记录。")
    entities = [gettext_lazy("案件")]
    columns = [
        Column("number", "案件编号", aliases=("编号", "案件号", "警情编号"), required=True, max_length=40, example="A2025030100001", width=18),
        Column("reported_on", "报案日期", aliases=("报案时间", "立案日期"), required=True, example="2025-03-01", width=12),
        Column("loss_on", "发案日期", aliases=("发案时间", "被骗日期"), example="2025-02-28", width=12,
               help=gettext_lazy("可空：空表示与报案日期相同")),
        Column("outcome", "既遂/未遂", aliases=("既遂未遂", "是否既遂", "案件状态"), choices=("既遂", "未遂"), example="既遂", width=8,
               help=gettext_lazy("可空：空时有损失为既遂，无损失为未遂")),
        Column("victim_name", "受害人姓名", aliases=("受害人", "姓名", "事主姓名"), max_length=50, example="王某", width=10),
        Column("id_number", "受害人身份证号", aliases=("身份证号", "身份证号码", "公民身份号码"), example="", width=20,
               help=gettext_lazy("可空：已登记居民按身份证号关联，社区取自居民")),
        Column("gender", "性别", example="女", width=6),
        Column("age", "年龄", example="34", width=6),
        Column("occupation", "职业", max_length=50, example="个体", width=10),
        Column("community", "社区", aliases=("所属社区", "社区名称", "村"), example="东关社区", width=12),
        Column("grid", "网格", aliases=("所属网格",), example="", width=12),
        Column("loss", "损失金额", aliases=("损失金额（元）", "被骗金额", "涉案金额"), required=True, example="35000", width=12),
        Column("stopped", "止付冻结返还金额", aliases=("止付冻结金额", "止付金额", "返还金额", "挽损金额"), example="5000", width=12),
        Column("fraud_type", "诈骗类型", aliases=("案件类型", "类型", "案件类别"), choices=tuple(str(lb) for _v, lb in FraudType.choices),
               example="刷单返利", width=16, help=gettext_lazy("可空：空时按简要案情自动判定")),
        Column("channel", "接触渠道", aliases=("渠道", "联系方式"), choices=tuple(str(lb) for _v, lb in Channel.choices), example="App", width=10),
        Column("staff_link", "是否单位职工", aliases=("职工或家属", "单位职工"), choices=("否", "职工", "家属"), example="否", width=10),
        Column("unit", "所在单位", aliases=("单位", "工作单位"), example="", width=16),
        Column("narrative", "简要案情", aliases=("案情", "案情简介"), max_length=1000, example="受害人在抖音看到刷单兼职广告……", width=40),
    ]

    def validate(self, rows: list[Row]) -> None:
        ctx = self.ctx
        today = ctx.today
        idx = NodeIndex(ctx)
        units = UnitIndex(ctx)
        counts = self.counts[str(self.entities[0])]
        numbers = [r["number"] for r in rows if r["number"]]
        existing = {c.number: c for c in ctx.scope.filter(Case.objects.filter(street_id=idx.street.id, number__in=numbers))}
        ids = {}
        for r in rows:
            if r["id_number"]:
                try:
                    ids[r.n] = parse_id(r["id_number"], today)
                except ValueError as e:
                    self.error(r, "id_number", str(e))
        hashes = {pii.lookup_hash("id", v) for v in ids.values()}
        residents = {res.id_number_hash: res for res in ctx.scope.filter(Resident.objects.filter(id_number_hash__in=hashes))}
        seen: dict[str, int] = {}
        self.new: list[Case] = []
        self.changed: list[tuple[Case, dict]] = []
        self.suggested = 0
        for r in rows:
            number = r["number"]
            if not number:
                self.error(r, "number", _("案件编号为空"))
            elif number in seen:
                self.error(r, "number", _("与第%(n)d行的案件编号重复") % {"n": seen[number]})
            else:
                seen[number] = r.n
            reported = loss_on = None
            try:
                reported = parse_date(r["reported_on"], today) if r["reported_on"] else None
                if reported is None:
                    self.error(r, "reported_on", _("报案日期为空"))
            except ValueError as e:
                self.error(r, "reported_on", str(e))
            try:
                loss_on = parse_date(r["loss_on"], today) if r["loss_on"] else reported
            except ValueError as e:
                self.error(r, "loss_on", str(e))
            if reported and loss_on and loss_on > reported:
                self.error(r, "loss_on", _("发案日期不能晚于报案日期"))
            loss = stopped = Decimal("0")
            try:
                loss = _money(r["loss"])
                if loss < 0:
                    self.error(r, "loss", _("金额不能为负数"))
                elif loss > MAX_LOSS:
                    self.error(r, "loss", _("金额超过10亿元，请核对"))
            except (InvalidOperation, ValueError):
                self.error(r, "loss", _("金额“%(v)s”不是数字") % {"v": short(r["loss"])})
            try:
                stopped = _money(r["stopped"])
                if stopped < 0:
                    self.error(r, "stopped", _("金额不能为负数"))
                elif stopped > loss:
                    self.error(r, "stopped", _("止付冻结返还金额不能大于损失金额"))
            except (InvalidOperation, ValueError):
                self.error(r, "stopped", _("金额“%(v)s”不是数字") % {"v": short(r["stopped"])})
            if r["outcome"].strip() and r["outcome"].strip() not in OUTCOMES:
                self.error(r, "outcome", _("应填“既遂”或“未遂”（填写的是“%(v)s”）") % {"v": short(r["outcome"])})
            fraud_type = TYPES.get(r["fraud_type"].strip()) if r["fraud_type"] else None
            suggestion = classify(r["narrative"]) if r["narrative"] else None
            if r["fraud_type"] and fraud_type is None:
                self.error(r, "fraud_type", _("未知诈骗类型“%(v)s”，应为：%(all)s") % {
                    "v": short(r["fraud_type"]), "all": "、".join(str(lb) for _v, lb in FraudType.choices)})
            elif fraud_type is None:
                if suggestion is None:
                    self.error(r, "fraud_type", _("诈骗类型和简要案情都为空，无法判定类型"))
                else:
                    fraud_type = suggestion.type
                    self.suggested += 1
            channel = CHANNELS.get(r["channel"].strip())
            if channel is None:
                self.error(r, "channel", _("未知接触渠道“%(v)s”") % {"v": short(r["channel"])})
            link = STAFF_LINKS.get(r["staff_link"].strip())
            if link is None:
                self.error(r, "staff_link", _("应填“否”“职工”或“家属”"))
            unit = None
            if r["unit"]:
                unit, why = units.find(r["unit"])
                if unit is None:
                    self.error(r, "unit", _("未知单位“%(v)s”") % {"v": short(r["unit"])})
            elif link:
                self.error(r, "unit", _("受害人为职工或家属时须填写所在单位"))
            gender = GENDERS.get(r["gender"].strip().lower(), None) if r["gender"] else ""
            if gender is None:
                self.error(r, "gender", _("性别应为“男”或“女”"))
            age = None
            if r["age"]:
                try:
                    age = int(float(r["age"]))
                    if not 0 <= age <= 120:
                        raise ValueError
                except ValueError:
                    self.error(r, "age", _("年龄应为0到120之间的整数"))
            victim = residents.get(pii.lookup_hash("id", ids[r.n])) if r.n in ids else None
            place = None
            if victim is None:
                place = self.place_unregistered(r, idx, _("受害人未在本街道登记时须填写社区"))
            if r.bad:
                continue
            case = existing.get(number) or Case(number=number)
            before = _snapshot(case) if case.pk else None
            case.reported_on, case.loss_on, case.loss, case.stopped = reported, loss_on, loss, stopped
            case.fraud_type, case.channel, case.narrative = fraud_type, channel, r["narrative"]
            case.staff_link, case.unit = link, unit
            outcome = OUTCOMES.get(r["outcome"].strip())
            case.outcome = outcome or (Outcome.COMPLETED if loss > 0 else Outcome.ATTEMPTED)
            if suggestion is not None:
                case.suggested_type, case.suggested_confidence = suggestion.type, suggestion.confidence
            if victim is not None:
                case.victim = victim
                case.victim_name = victim.name
                b = victim.birth_date
                case.victim_age = (loss_on.year - b.year - ((loss_on.month, loss_on.day) < (b.month, b.day))) if b else age
                case.victim_gender, case.victim_occupation = victim.gender, victim.occupation
                case.victim_student = victim.is_student
                case.victim_floating = victim.residency != Residency.PERMANENT
                case.place_like(victim)
            else:
                case.victim = None
                case.victim_name, case.victim_age, case.victim_gender = r["victim_name"], age, gender
                case.victim_occupation = r["occupation"]
                case.place_at(place)
            case.is_major = loss >= MAJOR_LOSS
            if before is None:
                case.created_by = self.ctx.user if getattr(self.ctx.user, "pk", None) else None
                self.new.append(case)
                counts["created"] += 1
                continue
            after = _snapshot(case)
            diff = {k: [before[k], after[k]] for k in TRACKED if before[k] != after[k]}
            if diff:
                self.changed.append((case, diff))
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1

    def apply(self) -> None:
        Case.objects.bulk_create(self.new, batch_size=1000)
        user = self.ctx.user if getattr(self.ctx.user, "pk", None) else None
        for case, diff in self.changed:
            case.save()
            CaseChange.objects.create(case=case, user=user, source="import", changes=diff)
