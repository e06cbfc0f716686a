"""Case statistics as a spreadsheet: the same numbers as the dashboard and the API."""

from __future__ import annotations

import io

import xlsxwriter
from django.utils.translation import gettext as _


def stats_workbook(data: dict, *, node_name: str) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = wb.add_format({"bold": True, "bg_color": "#EEF1F5", "border": 1})
    money = wb.add_format({"num_format": "#,##0.00"})
    pct = wb.add_format({"num_format": "0.0"})

    def sheet(name, headers, rows, formats=()):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, headers, bold)
        for i, row in enumerate(rows, start=1):
            for j, v in enumerate(row):
                fmt = formats[j] if j < len(formats) else None
                if v is None:
                    ws.write_blank(i, j, None)
                elif isinstance(v, str):
                    ws.write_string(i, j, v)
                else:
                    ws.write_number(i, j, v, fmt)
        ws.set_column(0, 0, 18)
        ws.set_column(1, len(headers), 14)
        return ws

    t = data["total"]
    basis = data.get("basis_label", "")
    sheet(_("汇总"), [_("范围"), _("期间"), _("发案数"), _("损失（元）"), _("止付冻结返还（元）"), _("环比（%）"), _("同比（%）"), _("重大案件"), _("统计口径")],
          [[node_name, data["period_label"], t["count"], t["loss"], t["stopped"], t["pop_count_pct"], t["yoy_count_pct"], data["major"], basis]],
          (None, None, None, money, money, pct, pct))
    if data.get("by_outcome") is not None:
        sheet(_("既遂未遂"), [_("既遂/未遂"), _("发案数"), _("损失（元）"), _("统计口径")],
              [[r["label"], r["count"], r["loss"], basis] for r in data["by_outcome"]], (None, None, money))
    sheet(_("趋势"), [_("期间"), _("发案数"), _("损失（元）"), _("止付冻结返还（元）"), _("环比（%）"), _("同比（%）"), _("统计口径")],
          [[p["label"], p["count"], p["loss"], p["stopped"], p["pop_count_pct"], p["yoy_count_pct"], basis] for p in data["trend"]],
          (None, None, money, money, pct, pct))
    sheet(_("诈骗类型"), [_("类型"), _("发案数"), _("损失（元）")], [[r["label"], r["count"], r["loss"]] for r in data["by_type"]], (None, None, money))
    sheet(_("接触渠道"), [_("渠道"), _("发案数"), _("损失（元）")], [[r["label"], r["count"], r["loss"]] for r in data["by_channel"]], (None, None, money))
    sheet(_("受害群体"), [_("群体"), _("发案数"), _("损失（元）")], [[r["label"], r["count"], r["loss"]] for r in data["by_victim_group"]], (None, None, money))
    if data["ranking"]:
        sheet(_("下级排名"), [_("名称"), _("发案数"), _("去年同期"), _("同比（%）"), _("损失（元）")],
              [[r["name"], r["count"], r["year_before"], r["yoy_count_pct"], r["loss"]] for r in data["ranking"]],
              (None, None, None, pct, money))
    wb.close()
    return buf.getvalue()
