""".xlsx writing: exports in constant memory, and the import templates.

Exports are written row by row with XlsxWriter's constant_memory mode into an
anonymous temporary file, so a county-wide list never sits in memory; the
view streams that file back. Every text cell is written as a string (never a
formula), and text starting with = + - @ or a tab / carriage return gets a
leading apostrophe, so neither Excel nor a later CSV round trip runs it as a
formula (CSV/formula injection).
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from typing import IO, Any, Iterable

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from django.utils.translation import gettext as _

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

WORKBOOK_OPTIONS = {
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "default_date_format": "yyyy-mm-dd",
}


def neutralise(text: str) -> str:
    """'=1+2' -> "'=1+2": a cell a spreadsheet will show as text, not evaluate."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


class XlsxExport:
    """One sheet with a header row, written row by row into a temporary file."""

    def __init__(self, headers: list[tuple[str, int]], *, sheet_name: str = "", text_columns: Iterable[int] = ()):
        self.file: IO[bytes] = tempfile.TemporaryFile(suffix=".xlsx")
        self.wb = xlsxwriter.Workbook(self.file, {**WORKBOOK_OPTIONS, "constant_memory": True})
        self.ws = self.wb.add_worksheet((sheet_name or _("数据"))[:31])
        head = self.wb.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
        self.date_format = self.wb.add_format({"num_format": "yyyy-mm-dd"})
        text = self.wb.add_format({"num_format": "@"})
        text_columns = set(text_columns)
        for i, (_title, width) in enumerate(headers):
            self.ws.set_column(i, i, width, text if i in text_columns else None)
        for i, (title, _w) in enumerate(headers):
            self.ws.write_string(0, i, title, head)
        self.ws.freeze_panes(1, 0)
        self.row = 1
        self.count = 0

    def write(self, values: Iterable[Any]) -> None:
        ws, r = self.ws, self.row
        for c, v in enumerate(values):
            if v is None or v == "":
                continue
            t = type(v)
            if t is str:
                ws.write_string(r, c, neutralise(v))
            elif t is bool:
                ws.write_string(r, c, _("是") if v else _("否"))
            elif t is int or t is float:
                ws.write_number(r, c, v)
            elif t is dt.date or t is dt.datetime:
                ws.write_datetime(r, c, v, self.date_format)
            else:
                ws.write_string(r, c, neutralise(str(v)))
        self.row += 1
        self.count += 1

    def close(self) -> IO[bytes]:
        """Finish the workbook; the returned file is positioned at its start."""
        self.wb.close()
        self.file.seek(0)
        return self.file


def write_import_template(importer, out: IO[bytes] | None = None) -> bytes | None:
    """The template of one import kind: its header row, an example row the import
    skips, drop-down lists where the values are fixed (or are this street's
    communities and grids), and a second sheet explaining every column."""
    buf = out or io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {**WORKBOOK_OPTIONS, "in_memory": True})
    from fanzha.core.imports import EXAMPLE_MARK

    ws = wb.add_worksheet(str(importer.label)[:31])
    notes = wb.add_worksheet(_("填写说明"))
    lists = wb.add_worksheet("_lists")
    lists.hide()
    head = wb.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True, "valign": "vcenter"})
    head_req = wb.add_format({"bold": True, "bg_color": "#FCE4D6", "font_color": "#C00000", "border": 1, "text_wrap": True,
                              "valign": "vcenter"})
    example = wb.add_format({"italic": True, "font_color": "#808080", "num_format": "@"})
    text = wb.add_format({"num_format": "@"})
    rows_validated = 50_000

    dynamic = importer.choice_lists()
    list_col = 0
    for i, col in enumerate(importer.columns):
        ws.set_column(i, i, col.width, text)  # everything as text: no ID number turned into 1.1E+17
        ws.write_string(0, i, col.header + ("*" if col.required else ""), head_req if col.required else head)
        if col.help:
            ws.write_comment(0, i, str(col.help), {"x_scale": 2, "y_scale": 1.2})
        choices = list(col.choices)
        if choices and len(",".join(choices)) < 250:
            ws.data_validation(2, i, rows_validated, i, {
                "validate": "list", "source": choices, "error_type": "stop",
                "error_title": _("取值不在列表中"), "error_message": _("请从下拉列表中选择：%(v)s") % {"v": "、".join(choices)},
            })
        elif dynamic.get(col.key):
            values = dynamic[col.key]
            for r, value in enumerate(values):
                lists.write_string(r, list_col, value)
            letter = xl_col_to_name(list_col)
            ws.data_validation(2, i, rows_validated, i, {
                "validate": "list", "source": f"=_lists!${letter}$1:${letter}${len(values)}", "error_type": "warning",
                "error_title": _("不在本街道的名单中"), "error_message": _("系统中没有这个名称，导入时会报错。仍要填写吗？"),
            })
            list_col += 1
    ws.set_row(0, 30)
    ex = importer.example_row()
    first = True
    for i, col in enumerate(importer.columns):
        value = ex.get(col.key, "")
        if first:
            value = f"{EXAMPLE_MARK}：{value}" if value else EXAMPLE_MARK
            first = False
        if value:
            ws.write_string(1, i, value, example)
    ws.freeze_panes(1, 0)

    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    bold = wb.add_format({"bold": True})
    notes.set_column(0, 0, 16)
    notes.set_column(1, 1, 8)
    notes.set_column(2, 2, 60)
    notes.set_column(3, 3, 30)
    notes.write_string(0, 0, _("%(label)s导入模板 · 填写说明") % {"label": importer.label}, bold)
    lines = [
        str(importer.description),
        _("第一行是列名，请勿修改；带*的列必须有。第2行是示例（以“示例”开头），导入时自动跳过，可以删除。"),
        _("支持 .xlsx 和 .csv（UTF-8 或 GBK 编码）。列的顺序可以调整，不认识的列会被忽略。"),
        _("导入前会检查每一行：只要有一行有错，整个文件都不会导入，并列出每个错误的行号、列名和原因。"),
        _("同一个文件重复导入不会产生重复数据；修改后的行会更新已有记录。单元格留空表示该项为空。"),
        _("身份证号、手机号等列已设为文本格式；从别处粘贴时请用“选择性粘贴—数值”，以免变成科学计数法。"),
    ]
    for r, line in enumerate(lines, start=1):
        notes.write_string(r, 0, line)
    r0 = len(lines) + 2
    for c, title in enumerate([_("列名"), _("必填"), _("说明"), _("可选值 / 示例")]):
        notes.write_string(r0, c, title, head)
    for r, col in enumerate(importer.columns, start=r0 + 1):
        notes.write_string(r, 0, col.header)
        notes.write_string(r, 1, _("是") if col.required else _("否"))
        extra = ""
        if col.aliases:
            extra = _("（也可写作：%(a)s）") % {"a": "、".join(col.aliases)}
        notes.write_string(r, 2, f"{col.help}{extra}", wrap)
        notes.write_string(r, 3, "、".join(col.choices) if col.choices else (ex.get(col.key) or ""), wrap)
    wb.close()
    if out is None:
        return buf.getvalue()
    return None
