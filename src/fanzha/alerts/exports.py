"""The alert figures as an .xlsx workbook: totals, by node, by person, outcomes, trend."""

from __future__ import annotations

import io

import xlsxwriter
from django.utils.translation import gettext as _

from fanzha.alerts.figures import minutes
from fanzha.alerts.models import Outcome
from fanzha.core.exports import WORKBOOK_OPTIONS, neutralise

METRIC_COLUMNS = [
    ("received", "接收"), ("signed_in_limit_pct", "按时签收率%"), ("contacted_in_limit_pct", "按时联系率%"),
    ("sign_median_s", "签收用时中位数"), ("sign_p90_s", "签收用时P90"), ("contact_median_s", "联系用时中位数"),
    ("contact_p90_s", "联系用时P90"), ("escalated", "超时升级"), ("closed", "已办结"), ("saved_amount", "避免损失（元）"),
]


def _cell(key: str, value):
    if value is None:
        return ""
    if key.endswith("_s"):
        return minutes(value)
    return value


def figures_workbook(data: dict) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {**WORKBOOK_OPTIONS, "in_memory": True})
    head = wb.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True})
    outcomes = list(Outcome.choices)

    def sheet(name: str, rows: list[dict], first: tuple[str, str] | None):
        ws = wb.add_worksheet(name[:31])
        headers = ([_(first[1])] if first else []) + [_(label) for _k, label in METRIC_COLUMNS] + [str(label) for _o, label in outcomes]
        for c, h in enumerate(headers):
            ws.write_string(0, c, h, head)
            ws.set_column(c, c, 14)
        for r, row in enumerate(rows, start=1):
            values = ([row.get(first[0], "")] if first else []) + [_cell(k, row.get(k)) for k, _l in METRIC_COLUMNS]
            values += [row["outcomes"].get(o, 0) for o, _l in outcomes]
            for c, v in enumerate(values):
                if isinstance(v, str):
                    ws.write_string(r, c, neutralise(v))
                elif v != "":
                    ws.write_number(r, c, v)
        ws.freeze_panes(1, 0)

    title = (data["node"]["name"] if data["node"] else _("全部")) + " · " + data["window"]["label"]
    sheet(_("总体"), [{"name": title, **data["total"]}], ("name", "范围"))
    if data["by_node"]:
        sheet(_("按下级"), data["by_node"], ("name", "名称"))
    sheet(_("按人员"), data["by_person"], ("name", "签收人"))
    ws = wb.add_worksheet(_("趋势"))
    for c, h in enumerate([_("期间"), _("接收"), _("按时签收率%"), _("按时联系率%"), _("避免损失（元）")]):
        ws.write_string(0, c, h, head)
        ws.set_column(c, c, 14)
    for r, t in enumerate(data["trend"], start=1):
        ws.write_string(r, 0, t["period"])
        for c, k in enumerate(("received", "signed_in_limit_pct", "contacted_in_limit_pct", "saved_amount"), start=1):
            if t[k] is not None:
                ws.write_number(r, c, t[k])
    wb.close()
    return buf.getvalue()
