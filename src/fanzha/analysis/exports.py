"""The analysis report as a spreadsheet: the same dict as the page."""

from __future__ import annotations

import io

import xlsxwriter
from django.utils.translation import gettext as _

from fanzha.core.exports import neutralise


def where_workbook(data: dict) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False})
    bold = wb.add_format({"bold": True, "bg_color": "#EEF1F5", "border": 1})

    def sheet(name, headers, rows):
        ws = wb.add_worksheet(name[:31])
        ws.write_row(0, 0, headers, bold)
        for i, row in enumerate(rows, start=1):
            for j, v in enumerate(row):
                if v is None:
                    ws.write_blank(i, j, None)
                elif isinstance(v, bool):
                    ws.write_string(i, j, _("是") if v else "")
                elif isinstance(v, str):
                    ws.write_string(i, j, neutralise(v))
                else:
                    ws.write_number(i, j, v)
        ws.set_column(0, 0, 22)
        ws.set_column(1, len(headers), 12)

    basis = data["basis_label"]
    sheet(_("汇总"), [_("范围"), _("期间"), _("发案数"), _("损失（元）"), _("统计口径")],
          [[data["node"], data["period_label"], data["total"]["count"], data["total"]["loss"], basis]])
    for key, name, head in (("by_type", _("诈骗类型"), _("类型")), ("by_channel", _("接触渠道"), _("渠道")),
                            ("by_victim_group", _("受害群体"), _("群体"))):
        sheet(name, [head, _("发案数"), _("损失（元）")], [[r["label"], r["count"], r["loss"]] for r in data[key]])
    sheet(_("年龄段"), [_("年龄段"), _("发案数")], [[r["label"], r["count"]] for r in data["by_age"]])
    hm = data["heatmap"]
    grid = {(w, h): n for w, h, n in hm["cells"]}
    sheet(_("星期×时段"), [_("星期")] + [str(h) for h in hm["hours"]],
          [[wd] + [grid.get((w, h), 0) for h in range(25)] for w, wd in enumerate(hm["weekdays"])])
    head = [_("名称"), _("发案数"), _("常住登记人口"), _("每千人发案"), _("基数小")]
    sheet(_("热点"), [_("类别")] + head, [[r["kind_label"], r["label"], r["count"], r["population"], r["rate"], r["small"]]
                                          for r in data["hot_spots"]])
    sheet(_("小区"), head, [[r["label"], r["count"], r["population"], r["rate"], r["small"]] for r in data["compounds"]])
    sheet(_("网格"), head, [[r["label"], r["count"], r["population"], r["rate"], r["small"]] for r in data["grids"]])
    wb.close()
    return buf.getvalue()
