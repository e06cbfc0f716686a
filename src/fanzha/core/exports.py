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
import re as _re
import tempfile
import zipfile as _zipfile
from typing import IO, Any, Iterable
from xml.sax.saxutils import escape as _escape

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


# --- streamed .xlsx ----------------------------------------------------------------------------
# A whole street's residents (~27,000 rows) took 5-6 s to write before the first byte left the server.
# `stream_xlsx` writes a minimal, valid workbook (one sheet, inline strings, a bold header, frozen first
# row, text-formatted ID columns) straight into a ZIP stream and yields it in chunks while the rows are
# read from the database: the download starts at once and memory stays flat. The same neutralising and
# typing rules as `XlsxExport` apply.

_ILLEGAL_XML = _re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_EPOCH = dt.date(1899, 12, 30)
_STATIC_PARTS = {
    "[Content_Types].xml": _HEAD + (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '</Types>'),
    "_rels/.rels": _HEAD + (
        f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
        f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/_rels/workbook.xml.rels": _HEAD + (
        f'<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'),
    # cellXfs: 0 normal · 1 header (bold, shaded) · 2 date yyyy-mm-dd · 3 text (@)
    "xl/styles.xml": _HEAD + (
        f'<styleSheet xmlns="{_MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
        '<fill><patternFill patternType="solid"><fgColor rgb="FFE8EEF7"/><bgColor indexed="64"/></patternFill></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
}


class _Sink:
    """A write-only, unseekable file for zipfile: collects bytes until drained."""

    def __init__(self):
        self.parts: list[bytes] = []

    def write(self, b) -> int:
        self.parts.append(bytes(b))
        return len(b)

    def flush(self) -> None:
        pass

    def drain(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        return out


def _text(v: str) -> str:
    v = _escape(_ILLEGAL_XML.sub("", v)).replace("\r", "&#13;")
    return v


def _cell(ref: str, v: Any) -> str:
    t = type(v)
    if t is str:
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_text(neutralise(v))}</t></is></c>'
    if t is bool:
        return f'<c r="{ref}" t="inlineStr"><is><t>{_("是") if v else _("否")}</t></is></c>'
    if t is int or t is float:
        return f'<c r="{ref}"><v>{v!r}</v></c>'
    if t is dt.datetime:
        d = v - dt.datetime(1899, 12, 30, tzinfo=v.tzinfo)
        return f'<c r="{ref}" s="2"><v>{d.days + d.seconds / 86400:.6f}</v></c>'
    if t is dt.date:
        return f'<c r="{ref}" s="2"><v>{(v - _EPOCH).days}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{_text(neutralise(str(v)))}</t></is></c>'


class StreamedXlsx:
    """`for chunk in StreamedXlsx(headers, rows).chunks(): ...`; `.count` is the rows written so far."""

    CHUNK_ROWS = 500

    def __init__(self, headers: list[tuple[str, int]], rows: Iterable[Iterable[Any]], *, sheet_name: str = "",
                 text_columns: Iterable[int] = ()):
        self.headers = headers
        self.rows = rows
        self.sheet_name = (sheet_name or _("数据"))[:31]
        self.text_columns = set(text_columns)
        self.count = 0
        self.finished = False

    def chunks(self):
        sink = _Sink()
        letters = [xl_col_to_name(i) for i in range(max(len(self.headers), 1) + 64)]
        with _zipfile.ZipFile(sink, "w", compression=_zipfile.ZIP_DEFLATED) as zf:
            for name, body in _STATIC_PARTS.items():
                zf.writestr(name, body)
            zf.writestr("xl/workbook.xml", _HEAD + (
                f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
                f'<sheet name="{_text(self.sheet_name)}" sheetId="1" r:id="rId1"/></sheets></workbook>'))
            yield sink.drain()
            with zf.open("xl/worksheets/sheet1.xml", "w") as sheet:
                text_style = ' style="3"'
                cols = "".join(
                    f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"{text_style if i in self.text_columns else ""}/>'
                    for i, (_t, w) in enumerate(self.headers))
                head = "".join(f'<c r="{letters[i]}1" t="inlineStr" s="1"><is><t>{_text(t)}</t></is></c>'
                               for i, (t, _w) in enumerate(self.headers))
                sheet.write((_HEAD + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetViews><sheetView workbookViewId="0">'
                             '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
                             f'<cols>{cols}</cols><sheetData><row r="1">{head}</row>').encode())
                buf: list[str] = []
                for values in self.rows:
                    r = self.count + 2
                    cells = "".join(_cell(f"{letters[c]}{r}", v) for c, v in enumerate(values) if v is not None and v != "")
                    buf.append(f'<row r="{r}">{cells}</row>')
                    self.count += 1
                    if len(buf) >= self.CHUNK_ROWS:
                        sheet.write("".join(buf).encode())
                        buf.clear()
                        yield sink.drain()
                sheet.write(("".join(buf) + "</sheetData></worksheet>").encode())
        self.finished = True
        yield sink.drain()
