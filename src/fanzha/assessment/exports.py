"""The year-end list (创建名单) as Word (GB/T 9704 layout) and .xlsx, both from `selectors.list_report`."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.core.documents import Column, Document
from fanzha.core.sheets import Workbook


def _columns():
    return [Column(_("序号"), "int"), Column(_("类别")), Column(_("名称")), Column(_("考核结论")), Column(_("未达标原因或复核说明"))]


def _rows(rows):
    return [[i, r["kind_label"], r["name"], r["outcome_label"], r["reason"] or "—"] for i, r in enumerate(rows, 1)]


def _intro(data) -> str:
    c, u = data["counts"]["community"], data["counts"]["unit"]
    return _("经对照无诈社区、无诈单位创建标准逐项考核（对比期%(base)s），%(period)s共考核社区%(cn)d个、单位%(un)d个；"
             "达标社区%(cp)d个、单位%(up)d个，未达标社区%(cf)d个、单位%(uf)d个。") % {
        "base": data["base_label"], "period": data["period_label"], "cn": sum(c.values()), "un": sum(u.values()),
        "cp": c["pass"], "up": u["pass"], "cf": c["fail"] + c["pending"], "uf": u["fail"] + u["pending"]}


def list_docx(data: dict, *, issuer: str = "") -> bytes:
    date = timezone.localdate()
    doc = Document(title=data["title"], issuer=issuer or _("%(s)s反诈办") % {"s": data["street"]}, date=date,
                   note=_("此件由系统根据台账记录生成；状态：%(s)s") % {"s": data["status_label"]})
    doc.paragraph(_intro(data))
    doc.heading1(_("创建达标名单"))
    doc.table(_columns(), _rows(data["passed"]))
    doc.heading1(_("未达标名单"))
    if data["not_passed"]:
        doc.table(_columns(), _rows(data["not_passed"]))
    else:
        doc.paragraph(_("无。"))
    return doc.to_bytes()


def list_xlsx(data: dict) -> bytes:
    book = Workbook()
    book.summary_sheet(_("汇总"), title=data["title"], subtitle=data["status_label"],
                       fields=[(_("街道"), data["street"]), (_("考核期"), data["period_label"]), (_("对比期"), data["base_label"])],
                       paragraph=(_("总体情况"), _intro(data)))
    book.table_sheet(_("创建名单"), columns=_columns(), rows=_rows(data["rows"]), title=data["title"],
                     subtitle=data["period_label"])
    return book.to_bytes()
