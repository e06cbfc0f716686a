"""Workbooks that print: the .xlsx counterpart of `fanzha.core.documents`.

Every report workbook is written through this module, so that printed (or
turned into PDF) it is a page an office can file: A4, landscape when the
columns are wide, scaled to the page width, the header row repeated on each
printed page, panes frozen under the header, numbers as numbers with their
formats (thousands "#,##0", rates with one decimal "0.0"), columns as wide as
their content, page numbers in the footer.

Usage::

    from fanzha.core.documents import Column
    from fanzha.core.sheets import Workbook

    book = Workbook()
    book.summary_sheet("汇总", title="…报表", subtitle="2026年第22期",
                       fields=[("填报单位", "西门街道")], paragraph=("总体情况", "本期…"),
                       figures=[("APP安装率", 81.5, "pct"), ("居民（人）", 26673, "int")],
                       footer_lines=["填报人：  联系电话："])
    book.table_sheet("各社区情况", columns=[Column("社区"), Column("户数", "int", unit="户"),
                     Column("APP安装率", "pct", unit="%")], rows=rows, totals=["合计", 26673, 81.5],
                     title="西门街道 · 各社区情况", subtitle="2026-11-14 至 2026-11-28")
    content = book.to_bytes()   # or book.save(path_or_stream)

Columns are the same `Column` as in documents (or dicts with title/kind/unit).
Rates ("pct") are percentages (81.5): stored as that number with the "0.0"
format, the unit "%" in the header as in the Word table, so every number in
the file is the number the API gives. Text is written as text, never as a
formula (`fanzha.core.exports.neutralise`).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import unicodedata

import xlsxwriter

from fanzha.core.documents import Column, as_column
from fanzha.core.exports import WORKBOOK_OPTIONS, neutralise

__all__ = ["Workbook", "XLSX_TYPE", "width_of"]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

A4 = 9
# Width (in Excel's character units) that fits the printable width of an A4 page
# at 100 %: beyond it a sheet is printed landscape (then scaled to the width).
PORTRAIT_UNITS = 90
MAX_TEXT_UNITS = 40  # wider text wraps
FONT = "宋体"
FONT_SIZE = 11


def width_of(text: str) -> float:
    """Excel column units a text needs on one line: CJK 2, others 1.2 (a margin for bold and rounding)."""
    return sum(2.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 1.2 for ch in text)


def _shown(v, kind: str) -> str:
    """The text a cell shows, for measuring its width."""
    if v is None or v == "":
        return ""
    if kind == "pct" and isinstance(v, (int, float)):
        return f"{v:.1f}"
    if kind == "int" and isinstance(v, (int, float)):
        return f"{v:,.0f}"
    if kind == "num" and isinstance(v, (int, float)):
        return f"{v:,.2f}"
    return str(v)


def _header(col: Column) -> str:
    return col.header


class Workbook:
    """A report workbook (in memory); see the module docstring."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self.buf, {**WORKBOOK_OPTIONS, "in_memory": True})
        self._formats: dict[tuple, object] = {}
        self._names: set[str] = set()

    def fmt(self, *, kind: str = "text", bold: bool = False, head: bool = False, total: bool = False,
            wrap: bool = False, big: bool = False, plain: bool = False):
        key = (kind, bold, head, total, wrap, big, plain)
        if key not in self._formats:
            props = {"font_name": FONT, "font_size": FONT_SIZE, "valign": "vcenter"}
            if not plain:
                props["border"] = 1
            if big:
                props.update(bold=True, font_size=16, align="center")
            if head:
                props.update(bold=True, bg_color="#E7E6E6", text_wrap=True, align="center")
            if total:
                props.update(bold=True, bg_color="#E7E6E6", top=6)
            if bold:
                props["bold"] = True
            if wrap:
                props.update(text_wrap=True, valign="top")
            if kind == "int":
                props["num_format"] = "#,##0"
            elif kind == "pct":
                props["num_format"] = "0.0"
            elif kind == "num":
                props["num_format"] = "#,##0.00"
            elif kind == "date":
                props.update(num_format="yyyy-mm-dd", align="center")
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def _sheet_name(self, name: str) -> str:
        name = name.replace("（", "(").replace("）", ")")
        for ch in "[]:*?/\\":
            name = name.replace(ch, "")
        name = name[:31] or "Sheet"
        base, n = name, 2
        while name.lower() in self._names:
            suffix = f"({n})"
            name = base[:31 - len(suffix)] + suffix
            n += 1
        self._names.add(name.lower())
        return name

    def _put(self, ws, r: int, c: int, v, kind: str, fmt) -> None:
        if v is None or v == "":
            ws.write_blank(r, c, None, fmt)
        elif isinstance(v, bool):
            ws.write_string(r, c, "是" if v else "否", fmt)
        elif kind == "pct" and isinstance(v, (int, float)):
            ws.write_number(r, c, float(v), fmt)
        elif kind in ("int", "num") and isinstance(v, (int, float)):
            ws.write_number(r, c, v, fmt)
        elif kind == "date" and isinstance(v, (dt.date, dt.datetime)):
            ws.write_datetime(r, c, v, fmt)
        else:
            ws.write_string(r, c, neutralise(str(v)), fmt)

    def _print_setup(self, ws, *, total_units: float, repeat: tuple[int, int] | None, title: str) -> bool:
        """A4, landscape when wider than a portrait page, fit to one page wide, page numbers."""
        ws.set_paper(A4)
        landscape = total_units > PORTRAIT_UNITS
        if landscape:
            ws.set_landscape()
        else:
            ws.set_portrait()
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.6, right=0.6, top=0.75, bottom=0.75)
        ws.center_horizontally()
        if repeat is not None:
            ws.repeat_rows(*repeat)
        ws.set_footer("&C— &P —", {"margin": 0.3})
        return landscape

    def summary_sheet(self, name: str, *, title: str, subtitle: str = "", fields=(), paragraph=None, figures=(),
                      footer_lines=()):
        """A two-column sheet: title, fields (label, text), one long paragraph (label, text),
        key figures (label, value, kind) and footer lines."""
        ws = self.wb.add_worksheet(self._sheet_name(name))
        label_w = max([width_of(k) + 2 for k, *_ in list(fields) + list(figures)] + [14])
        value_w = 60.0
        ws.set_column(0, 0, label_w)
        ws.set_column(1, 1, value_w)
        ws.merge_range(0, 0, 0, 1, title, self.fmt(big=True, plain=True))
        ws.set_row(0, 24 * max(1, int(width_of(title) * 16 / 11 // (label_w + value_w)) + 1))
        r = 1
        if subtitle:
            ws.merge_range(r, 0, r, 1, subtitle, self.fmt(plain=True))
            r += 1
        r += 1
        for k, v in fields:
            ws.write_string(r, 0, k, self.fmt(head=True))
            ws.write_string(r, 1, neutralise(str(v)), self.fmt(wrap=True))
            r += 1
        if paragraph:
            k, text = paragraph
            ws.write_string(r, 0, k, self.fmt(head=True))
            ws.write_string(r, 1, neutralise(text), self.fmt(wrap=True))
            lines = int(width_of(text) // (value_w - 2)) + 1
            ws.set_row(r, 15 * lines + 4)
            r += 1
        if figures:
            r += 1
            ws.write_string(r, 0, "指标", self.fmt(head=True))
            ws.write_string(r, 1, "数值", self.fmt(head=True))
            r += 1
            for k, v, kind in figures:
                ws.write_string(r, 0, k, self.fmt())
                self._put(ws, r, 1, v, kind, self.fmt(kind=kind))
                r += 1
        r += 1
        for line in footer_lines:
            ws.merge_range(r, 0, r, 1, neutralise(line), self.fmt(plain=True))
            r += 1
        self._print_setup(ws, total_units=label_w + value_w, repeat=None, title=title)
        return ws

    def table_sheet(self, name: str, *, columns, rows, totals=None, title: str = "", subtitle: str = "",
                    empty_text: str = "本期无记录。"):
        """One table on its own sheet: title and subtitle rows, the header row (repeated when
        printed, panes frozen under it and right of the first column), rows, the totals row."""
        cols = [as_column(c) for c in columns]
        ws = self.wb.add_worksheet(self._sheet_name(name))
        widths = []
        for i, col in enumerate(cols):
            data = max((width_of(_shown(row[i] if i < len(row) else None, col.kind))
                        for row in (list(rows) + ([totals] if totals else []))), default=0)
            head = width_of(_header(col))
            # a header may take two lines; data never wraps unless it is long text
            w = max(data, head / 2, 4) + 2
            w = max(w, min(head, 12) + 2)
            if col.kind == "text":
                w = min(w, MAX_TEXT_UNITS)
            widths.append(w)
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        last = max(1, len(cols) - 1)
        r = 0
        if title:
            ws.merge_range(r, 0, r, last, title, self.fmt(big=True, plain=True))
            ws.set_row(r, 24)
            r += 1
        if subtitle:
            ws.merge_range(r, 0, r, last, subtitle, self.fmt(plain=True))
            r += 1
        header_row = r
        lines = max((int(width_of(_header(c)) // (w - 1)) + 1 for c, w in zip(cols, widths)), default=1)
        ws.set_row(header_row, 15 * min(lines, 4) + 4)
        for c, col in enumerate(cols):
            ws.write_string(header_row, c, _header(col), self.fmt(head=True))
        r += 1
        cell_fmts = [self.fmt(kind=c.kind, wrap=c.kind == "text" and w >= MAX_TEXT_UNITS) for c, w in zip(cols, widths)]
        for row in rows:
            for c, col in enumerate(cols):
                self._put(ws, r, c, row[c] if c < len(row) else None, col.kind, cell_fmts[c])
            r += 1
        if totals:
            for c, col in enumerate(cols):
                self._put(ws, r, c, totals[c] if c < len(totals) else None, col.kind, self.fmt(kind=col.kind, total=True))
            r += 1
        if not rows and not totals:
            ws.write_string(r, 0, empty_text)
        ws.freeze_panes(header_row + 1, 1)
        self._print_setup(ws, total_units=sum(widths), repeat=(header_row, header_row), title=title)
        return ws

    def save(self, target) -> None:
        data = self.to_bytes()
        if isinstance(target, (str, os.PathLike)):
            with open(target, "wb") as fh:
                fh.write(data)
        else:
            target.write(data)

    def to_bytes(self) -> bytes:
        if self.wb.fileclosed:
            return self.buf.getvalue()
        self.wb.close()
        return self.buf.getvalue()
