"""Clues from a spreadsheet: the 12337 platform's export, a WeChat-group round-up, or any list, all or nothing.

Each row becomes a new clue through the same service as every other source
(`clue_create_from`). A row is recognised on re-import by its 外部编号 (or,
without one, by its time and content), so importing the same file twice adds
nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fanzha.clues import subjects as subj
from fanzha.clues.models import Clue, Kind, Source
from fanzha.clues.services import clue_create_from
from fanzha.core.imports import Column, Importer, Row
from fanzha.org.importers import NodeIndex, short

SOURCES = {str(label): value for value, label in Source.choices if value != Source.PUBLIC} | {
    "12337": Source.P12337, "12337平台": Source.P12337, "微信": Source.WECHAT, "微信群": Source.WECHAT,
    "网格员": Source.STAFF, "民警": Source.STAFF, "": Source.OTHER}
KINDS = {str(label): value for value, label in Kind.choices} | {v: v for v in Kind.values} | {
    "窝点": Kind.DEN, "两卡": Kind.TWO_CARDS, "涉诈号码": Kind.NUMBER, "涉诈网址": Kind.SITE_APP, "App": Kind.SITE_APP,
    "广告": Kind.AD, "传单": Kind.AD, "": Kind.OTHER}
_WHEN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]+(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2}))?秒?)?$")


def parse_when(text: str, now: dt.datetime) -> dt.datetime:
    t = text.strip()
    m = _WHEN.match(t)
    try:
        if not m:
            raise ValueError
        naive = dt.datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4] or 0), int(m[5] or 0), int(m[6] or 0))
    except ValueError:
        raise ValueError(_("时间“%(v)s”无法识别，请写成 2025-03-01 14:20 的形式") % {"v": short(t)}) from None
    when = timezone.make_aware(naive, timezone.get_current_timezone())
    if when > now + dt.timedelta(minutes=5):
        raise ValueError(_("时间%(v)s在未来") % {"v": t})
    return when


class ClueImporter(Importer):
    kind = "clues"
    label = gettext_lazy("线索")
    description = gettext_lazy("12337平台导出、微信群汇总等线索清单。每行登记为一条新线索；按外部编号（无编号时按时间和内容）识别，重复导入不会重复登记。")
    entities = [gettext_lazy("线索")]
    columns = [
        Column("source", "来源", aliases=("线索来源", "渠道"), required=True, example="12337平台", width=12,
               choices=tuple(str(lb) for v, lb in Source.choices if v != Source.PUBLIC)),
        Column("external_ref", "外部编号", aliases=("线索编号", "编号", "工单号"), max_length=64, example="12337-2025-000123", width=18),
        Column("received_at", "接收时间", aliases=("举报时间", "时间", "日期"), required=True, example="2025-03-01 14:20", width=17),
        Column("summary", "线索内容", aliases=("内容", "举报内容", "线索描述"), required=True, max_length=1000,
               example="有人在群里发刷单兼职广告，留了QQ号", width=40),
        Column("kind", "类别", aliases=("线索类别", "类型"), example="诈骗广告/传单", width=14,
               choices=tuple(str(lb) for _v, lb in Kind.choices)),
        Column("community", "社区", aliases=("所属社区", "村"), example="东关社区", width=12),
        Column("grid", "网格", aliases=("所属网格",), example="", width=12),
        Column("place", "地点", aliases=("地址", "详细地址"), max_length=200, example="东关路1号", width=20),
        Column("phones", "电话号码", aliases=("涉诈电话", "电话"), max_length=300, example="", width=16),
        Column("accounts", "账号", aliases=("涉诈账号", "QQ号", "微信号", "银行卡号"), max_length=300, example="qq 12345678", width=16),
        Column("urls", "网址", aliases=("涉诈网址", "链接"), max_length=600, example="", width=20),
        Column("apps", "App", aliases=("App名称", "涉诈App"), max_length=300, example="", width=14),
        Column("reporter_name", "反映人", aliases=("举报人",), max_length=50, example="", width=10),
        Column("reporter_phone", "反映人电话", aliases=("举报人电话", "联系电话"), max_length=20, example="", width=14),
    ]

    def validate(self, rows: list[Row]) -> None:
        ctx = self.ctx
        now = timezone.now()
        idx = NodeIndex(ctx)
        counts = self.counts[str(self.entities[0])]
        self.plan: list[dict] = []
        keys: dict[str, int] = {}
        for r in rows:
            source = SOURCES.get(r["source"].strip())
            if source is None:
                self.error(r, "source", _("未知来源“%(v)s”") % {"v": short(r["source"])})
            kind = KINDS.get(r["kind"].strip())
            if kind is None:
                self.error(r, "kind", _("未知类别“%(v)s”") % {"v": short(r["kind"])})
            when = None
            if not r["received_at"]:
                self.error(r, "received_at", _("接收时间为空"))
            else:
                try:
                    when = parse_when(r["received_at"], now)
                except ValueError as e:
                    self.error(r, "received_at", str(e))
            if not r["summary"]:
                self.error(r, "summary", _("线索内容为空"))
            c, g, _grp, errs = idx.place(r["community"], r["grid"], "", need_grid=False)
            for k, reason in errs:
                self.error(r, k, reason)
            pairs = subj.pairs_from_texts(phones=r["phones"], accounts=r["accounts"], urls=r["urls"], apps=r["apps"])
            for kind_key, col in (("phone", "phones"), ("account", "accounts"), ("url", "urls"), ("app", "apps")):
                for _k, raw in (p for p in pairs if p[0] == kind_key):
                    try:
                        subj.normalise(kind_key, raw)
                    except ValidationError as e:
                        self.error(r, col, "；".join(e.messages))
            if r.bad:
                continue
            ref = r["external_ref"].strip()
            basis = ref or f"{when.isoformat()}|{r['summary']}"
            key = f"{idx.street.code}:{source}:" + hashlib.sha256(basis.encode()).hexdigest()[:40]
            if key in keys:
                self.error(r, "external_ref" if ref else "summary", _("与第%(n)d行重复") % {"n": keys[key]})
                continue
            keys[key] = r.n
            self.plan.append({"key": key, "source": source, "kind": kind, "when": when, "summary": r["summary"],
                              "node": g or c or idx.street, "place": r["place"], "pairs": pairs, "ref": ref,
                              "reporter_name": r["reporter_name"], "reporter_phone": r["reporter_phone"], "row": r})
        existing = set(Clue.objects.filter(import_key__in=list(keys)).values_list("import_key", flat=True))
        self.plan = [p for p in self.plan if p["key"] not in existing]
        counts["unchanged"] += len(existing)
        counts["created"] += len(self.plan)
        for p in self.plan:
            phone = "".join(ch for ch in p["reporter_phone"] if ch.isdigit())
            if p["reporter_phone"] and not 7 <= len(phone) <= 15:
                self.error(p["row"], "reporter_phone", _("联系电话位数不对"))

    def apply(self) -> None:
        user = self.ctx.user if getattr(self.ctx.user, "pk", None) else None
        for p in self.plan:
            clue_create_from(source=p["source"], node=p["node"], summary=p["summary"], kind=p["kind"],
                             place_text=p["place"], subjects=p["pairs"], reporter_name=p["reporter_name"],
                             reporter_phone=p["reporter_phone"], user=user, received_at=p["when"],
                             external_ref=p["ref"], import_key=p["key"])
