"""Word documents an office can file as they are (GB/T 9704-2012 党政机关公文格式).

Every Word file the product makes is written through this module; no report
builds its own paragraphs, fonts or tables.

Usage::

    from fanzha.core.documents import Column, Document

    doc = Document(title="西门街道防范电信网络诈骗工作情况报告", subtitle="2026年第22期",
                   issuer="西门街道办事处", date=dt.date(2026, 11, 28),
                   note="此件由系统根据台账记录自动生成")
    doc.heading1("总体情况")             # "一、总体情况" in 黑体 (numbered for you)
    doc.paragraph("本期开展宣传活动……")   # body text, 3号 仿宋, first line indented two characters
    doc.heading2("各社区情况")           # "（一）各社区情况" in 楷体
    doc.table([Column("社区"), Column("户数", "int", unit="户"), Column("安装率", "pct", unit="%")],
              rows, totals=["合计", 26673, 81.5], units="单位：户、%")
    doc.lines(["填报人：", "联系电话："])  # a short line of its own (signature blanks)
    doc.save(path_or_stream)              # or doc.to_bytes()
    if fanzha.core.pdf.available():       # LibreOffice on the server
        pdf = doc.to_pdf_bytes()          # the same document as PDF (printed from its ODF rendering)

Columns are `Column(title, kind="text"|"int"|"num"|"pct"|"date", unit="")` (a plain
str or a dict {"title", "kind", "unit"} works too). Cells hold numbers, not
formatted text: ints get thousands separators, pct one decimal (the unit
"%" goes in the header, never in the cells), None prints "—".

What the layout does (GB/T 9704-2012):
1. A4, margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; a line
   grid of 22 lines (pitch 28.95 pt) and 28 characters a line (16 pt type
   set 0.25 pt tighter), as Word and LibreOffice both lay it out.
2. Title 2号 (22 pt) 方正小标宋简体; body 3号 (16 pt) 仿宋_GB2312; "一、"
   headings 黑体; "（一）" headings 楷体_GB2312. The font table of the file
   names each font's fallback (`FONTS`: 仿宋_GB2312 → 仿宋 → FangSong → a CJK
   serif …) and its GB2312 charset, so Word and LibreOffice pick the closest
   installed face. No font file is shipped.
3. Page numbers "— 1 —" in 4号 宋体 under the text, odd pages right, even
   pages left (one character in).
4. 落款: the issuing body and the date (Arabic numerals) at the end, right,
   the date four characters in from the right; the note (附注) below it.
5. Tables: column widths come from the content (`layout_table`), so numbers never wrap; a
   table too wide for a portrait page goes in a landscape section (its
   heading goes with it), with smaller type only when landscape is not
   enough; the header row repeats on every page; rows never split across
   pages; the totals row is bold and shaded; headings keep with the table.

`Document.sections()` is the one walk through the blocks (runs of one
orientation); the Word file (here) and the ODF rendering for PDFs
(`fanzha.core.documents_odf`) both lay it out, so they match. Spreadsheets:
`fanzha.core.sheets`. PDFs: `fanzha.core.pdf`. Tests that print and read
back: `fanzha/core/tests/test_documents*.py`.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape

__all__ = ["Column", "Document", "FONTS", "DOCX_TYPE", "cn_number", "layout_table"]

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

MM = 72 / 25.4  # points per millimetre
PAGE_W, PAGE_H = 210 * MM, 297 * MM
# portrait margins (GB/T 9704: 天头 37 mm, 下白边 35 mm, 订口 28 mm, 翻口 26 mm)
MARGINS = {"top": 37, "bottom": 35, "left": 28, "right": 26}
# landscape pages are the portrait page turned: the bound edge (left) is on top
LANDSCAPE_MARGINS = {"top": 28, "bottom": 26, "left": 35, "right": 37}
LINE_PITCH_TWIPS = 579  # 225 mm / 22 lines = 28.95 pt
CHAR_SPACING_TW = -5  # 16 pt - 0.25 pt = 15.75 pt a character: 28 characters fill the 156 mm line

TITLE_PT, BODY_PT, PAGE_NO_PT = 22, 16, 14

# Font roles: the name written in the document first, then the fallbacks in order.
FONTS = {
    "title": ["方正小标宋简体", "方正小标宋_GBK", "华文中宋", "STZhongsong", "宋体", "SimSun", "Noto Serif CJK SC",
              "Source Han Serif SC"],
    "body": ["仿宋_GB2312", "仿宋", "FangSong", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC"],
    "heading1": ["黑体", "SimHei", "STHeiti", "Noto Sans CJK SC", "Source Han Sans SC"],
    "heading2": ["楷体_GB2312", "楷体", "KaiTi", "STKaiti", "AR PL UKai CN", "Noto Serif CJK SC"],
    "page_number": ["宋体", "SimSun", "Noto Serif CJK SC"],
    "latin": ["Times New Roman", "Liberation Serif", "DejaVu Serif"],
}
_FAMILY = {"title": "roman", "body": "modern", "heading1": "modern", "heading2": "modern", "page_number": "auto",
           "latin": "roman"}

_NUMERALS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (heading numbers)."""
    if n < 10:
        return _NUMERALS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _NUMERALS[tens]) + "十" + (_NUMERALS[ones] if ones else "")


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # text | int | num | pct | date
    unit: str = ""

    @property
    def header(self) -> str:
        if self.unit and f"（{self.unit}）" not in self.title:
            return f"{self.title}（{self.unit}）"
        return self.title

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "num", "pct")


def as_column(c) -> Column:
    if isinstance(c, Column):
        return c
    if isinstance(c, str):
        return Column(c)
    if isinstance(c, dict):
        return Column(c["title"], c.get("kind", "text"), c.get("unit", ""))
    return Column(*c)


def cell_text(v, kind: str) -> str:
    """A cell as printed: ints with thousands separators, rates with one decimal, None as —."""
    if v is None or v == "":
        return "—" if kind in ("int", "num", "pct") else ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if kind == "pct" and isinstance(v, (int, float)):
        return f"{v:.1f}"
    if kind == "int" and isinstance(v, (int, float)):
        return f"{v:,}" if isinstance(v, int) else f"{v:,.0f}"
    if kind == "num" and isinstance(v, (int, float)):
        return f"{v:,}" if isinstance(v, int) else f"{v:,.2f}"
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return str(v)


# --- measuring ---------------------------------------------------------------------------

# Widths in em of narrow characters, from the widest face a machine may substitute for Times New
# Roman (DejaVu Serif: digits 0.636, ",." 0.318, "-" 0.338; Times New Roman itself is narrower).
DIGIT_EM, PUNCT_EM, LETTER_EM, WIDE_EM = 0.64, 0.34, 0.78, 1.0
CELL_MARGIN_TW = 43  # 2.15 pt each side of a cell's text
CELL_PAD_PT = CELL_MARGIN_TW / 20 * 2 + 2.0  # left + right cell margins, and room for rounding


def _char_em(ch: str) -> float:
    if ord(ch) > 0x2000 and unicodedata.east_asian_width(ch) in ("W", "F", "A"):
        return WIDE_EM
    if ch.isdigit():
        return DIGIT_EM
    if ch in ",.:;'-/ ()[]!|":
        return PUNCT_EM
    return LETTER_EM


BOLD_FACTOR = 1.1  # bold digits are up to 10 % wider (DejaVu Serif Bold 0.696 em)
BOUNDARY_EM = 0.2  # LibreOffice puts a little space where Chinese meets digits or Latin letters


def text_width(s: str, size: float) -> float:
    """Width in points of `s` on one line at `size` pt (CJK and full-width 1 em; digits, punctuation
    and letters by the widths above; BOUNDARY_EM where Chinese meets Latin)."""
    ems = [_char_em(ch) for ch in s]
    boundaries = sum(1 for a, b in zip(ems, ems[1:]) if (a == WIDE_EM) != (b == WIDE_EM))
    return (sum(ems) + boundaries * BOUNDARY_EM) * size


def _longest_token(s: str, size: float) -> float:
    """The widest piece of `s` a line cannot break inside (a run of Latin letters/digits)."""
    best, cur = 0.0, ""
    for ch in s + " ":
        if ord(ch) < 0x2E80 and not ch.isspace():
            cur += ch
        else:
            best = max(best, text_width(cur, size))
            cur = ""
    return best


@dataclass
class TableLayout:
    landscape: bool
    size: float  # font size in pt
    widths: list[float]  # column widths in pt


HEADER_LINES = 4  # a header cell may wrap onto this many lines; data cells of numbers never wrap
TEXT_MIN_CHARS = 10  # text up to this long (names of places and communities) is not broken over lines
ATTEMPTS = [(False, 12), (False, 10.5), (True, 12), (True, 10.5), (True, 9), (True, 8), (True, 7.5), (True, 6.5)]


def text_area(landscape: bool) -> tuple[float, float]:
    """(width, height) in points of the type area of a portrait or landscape page."""
    m = LANDSCAPE_MARGINS if landscape else MARGINS
    w, h = (PAGE_H, PAGE_W) if landscape else (PAGE_W, PAGE_H)
    return w - (m["left"] + m["right"]) * MM, h - (m["top"] + m["bottom"]) * MM


def layout_table(columns: list[Column], rows: list[list], totals: list | None = None) -> TableLayout:
    """Choose orientation, type size and column widths for a table.

    1. Measure every cell once, in ems: each column's widest cell on one line
       (the bold totals row a little wider), its longest unbreakable token,
       and its header.
    2. For each attempt (portrait 12 pt, portrait 10.5 pt, then landscape
       12 … 6.5 pt) a column's minimum is its widest number (numbers never
       wrap), its header on HEADER_LINES lines, and for text the longest token
       or nine in ten of its texts whole, up to TEXT_MIN_CHARS characters.
    3. The first attempt whose minimums fit the type area wins: natural widths
       if they fit, else minimums plus the room left, shared in turn so headers
       take at most two lines, text cells need not wrap, headers fit one line.
    4. If nothing fits, the last attempt is squeezed in proportion.
    """
    n = len(columns)
    data_em, token_em = [0.0] * n, [0.0] * n
    all_em: list[list[float]] = [[] for _ in range(n)]
    seen: dict[str, tuple[float, float]] = {}
    for r in rows:
        for i in range(min(n, len(r))):
            text = cell_text(r[i], columns[i].kind)
            m = seen.get(text)
            if m is None:
                m = seen[text] = (text_width(text, 1), _longest_token(text, 1))
            all_em[i].append(m[0])
            if m[0] > data_em[i]:
                data_em[i] = m[0]
            if m[1] > token_em[i]:
                token_em[i] = m[1]
    # a text column's minimum need not hold its rare longest entries whole: nine in ten is enough
    typical_em = [sorted(ems)[int(len(ems) * 0.9)] if ems else 0.0 for ems in all_em]
    if totals:
        for i in range(min(n, len(totals))):
            text = cell_text(totals[i], columns[i].kind)
            data_em[i] = max(data_em[i], text_width(text, 1) * BOLD_FACTOR)  # bold: wider glyphs
            token_em[i] = max(token_em[i], _longest_token(text, 1) * BOLD_FACTOR)
    head_em = [text_width(c.header, 1) for c in columns]
    head_token_em = [_longest_token(c.header, 1) for c in columns]
    head_chars = [len(c.header) for c in columns]

    def widths_at(size: float):
        natural, minimum, two_lines, data_natural = [], [], [], []
        for i, col in enumerate(columns):
            data, head = data_em[i] * size, head_em[i] * size
            head_min = max(math.ceil(head_chars[i] / HEADER_LINES) * size, head_token_em[i] * size)
            # two lines at most, and a short header (up to four characters: 户数, 合计) on one
            head_two = max(max(math.ceil(head_chars[i] / 2), min(head_chars[i], 4)) * size, head_token_em[i] * size)
            if col.numeric or col.kind == "date":
                lo = max(data, head_min)
            else:
                lo = max(head_min, token_em[i] * size, min(typical_em[i] * size, TEXT_MIN_CHARS * size))
            minimum.append(lo + CELL_PAD_PT)
            two_lines.append(max(lo, min(head_two, head)) + CELL_PAD_PT)
            data_natural.append(max(data, lo) + CELL_PAD_PT)
            natural.append(max(data, head, lo) + CELL_PAD_PT)
        return natural, minimum, two_lines, data_natural

    for landscape, size in ATTEMPTS:
        avail = text_area(landscape)[0]
        natural, minimum, two_lines, data_natural = widths_at(size)
        if sum(natural) <= avail:
            return TableLayout(landscape, size, natural)
        if sum(minimum) <= avail:
            widths = list(minimum)
            room = avail - sum(widths)
            for target in (two_lines, data_natural, natural):
                want = [max(0.0, t - w) for t, w in zip(target, widths)]
                total_want = sum(want)
                if total_want <= 0:
                    continue
                share = min(1.0, room / total_want)
                widths = [w + x * share for w, x in zip(widths, want)]
                room = avail - sum(widths)
                if room <= 0.01:
                    break
            return TableLayout(landscape, size, widths)
    scale = avail / sum(minimum)
    return TableLayout(True, ATTEMPTS[-1][1], [m * scale for m in minimum])


# --- XML pieces ----------------------------------------------------------------------------


def _tw(pt: float) -> int:
    return int(round(pt * 20))


def _rfonts(role: str) -> str:
    latin = FONTS["latin"][0]
    ea = FONTS[role][0]
    return f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{ea}" w:cs="{latin}" w:hint="eastAsia"/>'


def _rpr(role: str, size: float, *, bold: bool = False) -> str:
    half = int(round(size * 2))
    # text at body size keeps to the 28-character line
    spacing = f'<w:spacing w:val="{CHAR_SPACING_TW}"/>' if size == BODY_PT else ""
    return (f'<w:rPr>{_rfonts(role)}{"<w:b/><w:bCs/>" if bold else ""}{spacing}'
            f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/></w:rPr>')


def _run(text: str, rpr: str) -> str:
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
R = "{" + R_NS + "}"


# --- the document --------------------------------------------------------------------------


class Document:
    """An official document: title, body blocks, 落款. See the module docstring."""

    def __init__(self, *, title: str, issuer: str = "", date: dt.date | None = None, subtitle: str = "",
                 note: str = ""):
        self.title, self.subtitle, self.issuer, self.date, self.note = title, subtitle, issuer, date, note
        self.blocks: list[tuple] = []
        self._h1 = 0
        self._h2 = 0
        self.layouts: list[TableLayout] = []  # of the tables, in order, once built
        self._cell_styles: dict[str, str] = {}

    # blocks
    def heading1(self, text: str, *, numbered: bool = True) -> str:
        """A first-level heading "一、…" (黑体); returns the text as printed."""
        if numbered:
            self._h1 += 1
            text = f"{cn_number(self._h1)}、{text}"
        self._h2 = 0
        self.blocks.append(("h1", text))
        return text

    def heading2(self, text: str, *, numbered: bool = True) -> str:
        """A second-level heading "（一）…" (楷体); returns the text as printed."""
        if numbered:
            self._h2 += 1
            text = f"（{cn_number(self._h2)}）{text}"
        self.blocks.append(("h2", text))
        return text

    def paragraph(self, text: str) -> None:
        """A body paragraph: 仿宋 3号, justified, first line indented two characters."""
        self.blocks.append(("p", text))

    def lines(self, parts: list[str], *, sep: str = "　　　　") -> None:
        """A line of short parts with no indent (e.g. signature blanks "填报人：")."""
        self.blocks.append(("line", sep.join(parts)))

    def table(self, columns, rows, *, totals=None, units: str = "", title: str = "") -> None:
        """A table (see `layout_table`); `totals` is the totals row, `units` a line such as "单位：人"
        printed above the table on the right, `title` a centred caption."""
        self.blocks.append(("table", [as_column(c) for c in columns], rows, totals, units, title))

    # output
    def save(self, target) -> None:
        """Write the .docx to a path or a binary stream."""
        data = self.to_bytes()
        if isinstance(target, (str, os.PathLike)):
            with open(target, "wb") as fh:
                fh.write(data)
        else:
            target.write(data)

    def to_pdf_bytes(self) -> bytes:
        """The document as PDF, printed by LibreOffice from its ODF rendering (`documents_odf`:
        the same layout, read several times faster than the .docx). Raises fanzha.core.pdf.PdfError
        without LibreOffice: check `fanzha.core.pdf.available()` before offering it."""
        from fanzha.core.documents_odf import to_fodt
        from fanzha.core.pdf import bytes_to_pdf

        return bytes_to_pdf(to_fodt(self), ".fodt")

    def to_bytes(self) -> bytes:
        """The .docx file's bytes."""
        doc = self._build()
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()

    # building
    def _build(self):
        import docx
        from docx.oxml import parse_xml

        doc = docx.Document()
        self._styles(doc)
        self._font_table(doc)
        body = doc.element.body
        final_sectpr = body.sectPr
        for child in list(body):
            if child is not final_sectpr:
                body.remove(child)
        self._footers(doc)
        # every section names the same footers (the first section would otherwise have none)
        self._refs = "".join(
            f'<w:{"footerReference" if ref.tag.endswith("footerReference") else "headerReference"} '
            f'xmlns:r="{R_NS}" w:type="{ref.get(W + "type")}" r:id="{ref.get(R + "id")}"/>'
            for ref in final_sectpr if ref.tag.endswith("Reference"))

        self.layouts = []
        sections = self.sections()
        parts: list[str] = []
        for n, (landscape, items) in enumerate(sections):
            for item in items:
                parts.extend(self._item_xml(item))
            if n < len(sections) - 1:
                # a section ends with a paragraph holding its sectPr
                parts.append(f'<w:p {NS}><w:pPr><w:snapToGrid w:val="0"/><w:spacing w:line="240" w:lineRule="auto"/>'
                             f'<w:rPr><w:sz w:val="2"/></w:rPr>{self._sect_xml(landscape)}</w:pPr></w:p>')
        # the last section (whatever its orientation) holds the end of the document and the 落款
        self._page_setup(final_sectpr, landscape=sections[-1][0])
        for xml in parts:
            body.insert(len(body) - 1, parse_xml(xml))
        for xml in self._cell_styles.values():
            doc.styles.element.append(parse_xml(xml))
        return doc

    def sections(self) -> list[tuple[bool, list[tuple]]]:
        """The document as runs of one orientation: [(landscape, items)], items in order:
        ("title",), ("h1" | "h2", text), ("table", columns, rows, totals, units, title, layout),
        ("p" | "line", text, keep_with_next), ("closing",).

        1. A table's layout (`layout_table`) says its orientation; headings waiting
           before it (and the title, before the first block) go with it.
        2. A paragraph after a landscape table starts a portrait run again.
        3. The last paragraph keeps with the 落款, so the 落款 never stands alone.
        """
        self.layouts = []
        sections: list[tuple[bool, list[tuple]]] = []
        current: list[tuple] = []
        orientation = False
        pending: list[tuple] = [("title",)]

        def switch(landscape: bool) -> None:
            nonlocal current, orientation
            if current:
                sections.append((orientation, current))
            current, orientation = [], landscape

        for index, block in enumerate(self.blocks):
            kind = block[0]
            if kind in ("h1", "h2"):
                pending.append(block)
                continue
            if kind == "table":
                lay = layout_table(block[1], block[2], block[3])
                self.layouts.append(lay)
                if lay.landscape != orientation:
                    switch(lay.landscape)
                current.extend(pending)
                pending = []
                current.append((*block, lay))
                continue
            if orientation:
                switch(False)
            current.extend(pending)
            pending = []
            current.append((kind, block[1], index == len(self.blocks) - 1))
        current.extend(pending)
        current.append(("closing",))
        sections.append((orientation, current))
        return sections

    def _item_xml(self, item: tuple) -> list[str]:
        kind = item[0]
        if kind == "title":
            return self._title_xml()
        if kind in ("h1", "h2"):
            return [self._heading_xml(kind, item[1])]
        if kind == "table":
            _, columns, rows, totals, units, title, lay = item
            out = []
            if title:
                out.append(self._caption_xml(title))
            if units:
                out.append(self._units_xml(units))
            out.append(self._table_xml(columns, rows, totals, lay))
            out.append(self._after_table_xml())
            return out
        if kind == "closing":
            return self._closing_xml()
        return [self._para_xml(item[1], indent=kind == "p", keep_next=item[2])]

    # styles and setup
    def _styles(self, doc) -> None:
        from docx.oxml import parse_xml

        styles = doc.styles.element
        dd = styles.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}docDefaults")
        if dd is not None:
            styles.remove(dd)
        half = BODY_PT * 2
        styles.insert(0, parse_xml(
            f'<w:docDefaults {NS}><w:rPrDefault><w:rPr>{_rfonts("body")}<w:kern w:val="2"/>'
            f'<w:sz w:val="{half}"/><w:szCs w:val="{half}"/><w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
            f'</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:widowControl w:val="0"/><w:jc w:val="both"/>'
            f'<w:spacing w:before="0" w:after="0" w:line="{LINE_PITCH_TWIPS}" w:lineRule="exact"/>'
            f'</w:pPr></w:pPrDefault></w:docDefaults>'))
        normal = doc.styles["Normal"].element
        for child in list(normal):
            if child.tag.endswith("}pPr") or child.tag.endswith("}rPr"):
                normal.remove(child)

    def _font_table(self, doc) -> None:
        """Name each font and its fallbacks (w:altName) with the GB2312 charset (86)."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI
        from docx.opc.part import Part

        fonts = []
        seen = set()
        for role, names in FONTS.items():
            name = names[0]
            if name in seen:
                continue
            seen.add(name)
            charset = "00" if role == "latin" else "86"
            pitch = "variable"
            fonts.append(f'<w:font w:name="{escape(name)}"><w:altName w:val="{escape(";".join(names[1:]))}"/>'
                         f'<w:charset w:val="{charset}"/><w:family w:val="{_FAMILY[role]}"/><w:pitch w:val="{pitch}"/>'
                         f'</w:font>')
        xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:fonts {NS}>{"".join(fonts)}</w:fonts>')
        main = doc.part
        for rel in list(main.rels.values()):
            if rel.reltype == RT.FONT_TABLE:
                rel.target_part._blob = xml.encode()
                return
        part = Part(PackURI("/word/fontTable.xml"),
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml",
                    xml.encode(), main.package)
        main.relate_to(part, RT.FONT_TABLE)

    def _sect_props(self, landscape: bool) -> str:
        m = LANDSCAPE_MARGINS if landscape else MARGINS
        w, h = (PAGE_H, PAGE_W) if landscape else (PAGE_W, PAGE_H)
        orient = ' w:orient="landscape"' if landscape else ""
        # the page number's top is 7 mm under the type area
        footer = (m["bottom"] - 7) * MM - PAGE_NO_PT * 1.4
        grid = (f'<w:docGrid w:type="lines" w:linePitch="{LINE_PITCH_TWIPS}"/>'
                if not landscape else '<w:docGrid w:linePitch="312"/>')
        return (f'<w:pgSz w:w="{_tw(w)}" w:h="{_tw(h)}"{orient}/>'
                f'<w:pgMar w:top="{_tw(m["top"] * MM)}" w:right="{_tw(m["right"] * MM)}" w:bottom="{_tw(m["bottom"] * MM)}" '
                f'w:left="{_tw(m["left"] * MM)}" w:header="851" w:footer="{_tw(footer)}" w:gutter="0"/>'
                f'<w:cols w:space="425"/>{grid}')

    def _sect_xml(self, landscape: bool) -> str:
        return f'<w:sectPr>{self._refs}<w:type w:val="nextPage"/>{self._sect_props(landscape)}</w:sectPr>'

    def _page_setup(self, sectpr, *, landscape: bool) -> None:
        from docx.oxml import parse_xml

        for child in list(sectpr):
            if not child.tag.endswith("}footerReference") and not child.tag.endswith("}headerReference"):
                sectpr.remove(child)
        wrapper = parse_xml(f'<w:sectPr {NS}><w:type w:val="nextPage"/>{self._sect_props(landscape)}</w:sectPr>')
        for child in list(wrapper):
            sectpr.append(child)

    def _footers(self, doc) -> None:
        """"— 1 —": odd pages on the right, even pages on the left, one character in."""
        from docx.oxml import parse_xml

        doc.settings.odd_and_even_pages_header_footer = True
        section = doc.sections[0]
        rpr = _rpr("page_number", PAGE_NO_PT)
        for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
            footer.is_linked_to_previous = False
            el = footer._element
            for child in list(el):
                el.remove(child)
            ind = f'w:{side}="{_tw(PAGE_NO_PT)}"'
            el.append(parse_xml(
                f'<w:p {NS}><w:pPr><w:snapToGrid w:val="0"/><w:spacing w:line="240" w:lineRule="auto"/>'
                f'<w:ind {ind}/><w:jc w:val="{side}"/></w:pPr>'
                f'{_run("— ", rpr)}<w:r>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>'
                f'<w:r>{rpr}<w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
                f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>{_run("1", rpr)}'
                f'<w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r>{_run(" —", rpr)}</w:p>'))

    # blocks as XML
    def _title_xml(self) -> list[str]:
        out = [f'<w:p {NS}><w:pPr><w:keepNext/><w:jc w:val="center"/>'
               f'<w:spacing w:line="{int(LINE_PITCH_TWIPS * 1.5)}" w:lineRule="exact"/></w:pPr>'
               f'{_run(self.title, _rpr("title", TITLE_PT))}</w:p>']
        if self.subtitle:
            out.append(f'<w:p {NS}><w:pPr><w:keepNext/><w:jc w:val="center"/></w:pPr>'
                       f'{_run(self.subtitle, _rpr("heading2", BODY_PT))}</w:p>')
        out.append(f'<w:p {NS}><w:pPr><w:keepNext/></w:pPr></w:p>')  # the blank line under the title
        return out

    def _heading_xml(self, kind: str, text: str) -> str:
        role = "heading1" if kind == "h1" else "heading2"
        return (f'<w:p {NS}><w:pPr><w:keepNext/><w:keepLines/><w:ind w:firstLineChars="200" w:firstLine="{_tw(BODY_PT * 2)}"/>'
                f'</w:pPr>{_run(text, _rpr(role, BODY_PT))}</w:p>')

    def _para_xml(self, text: str, *, indent: bool, keep_next: bool = False) -> str:
        ind = f'<w:ind w:firstLineChars="200" w:firstLine="{_tw(BODY_PT * 2)}"/>' if indent else ""
        keep = "<w:keepNext/>" if keep_next else ""
        return f'<w:p {NS}><w:pPr>{keep}{ind}</w:pPr>{_run(text, _rpr("body", BODY_PT))}</w:p>'

    def _caption_xml(self, text: str) -> str:
        return (f'<w:p {NS}><w:pPr><w:keepNext/><w:jc w:val="center"/></w:pPr>'
                f'{_run(text, _rpr("heading1", BODY_PT))}</w:p>')

    def _units_xml(self, text: str) -> str:
        return (f'<w:p {NS}><w:pPr><w:keepNext/><w:snapToGrid w:val="0"/><w:spacing w:line="240" w:lineRule="auto"/>'
                f'<w:jc w:val="right"/></w:pPr>{_run(text, _rpr("body", 12))}</w:p>')

    def _after_table_xml(self) -> str:
        return f'<w:p {NS}><w:pPr><w:snapToGrid w:val="0"/><w:spacing w:line="240" w:lineRule="auto"/></w:pPr></w:p>'

    def _cell_style(self, role: str, size: float, align: str, *, bold: bool = False) -> str:
        """The id of a paragraph style for table cells of this font, size and alignment (made once).

        Cells name a style instead of carrying their own paragraph and run
        properties: a county table has ten thousand cells, and LibreOffice
        reads a lean file several times faster."""
        half = int(round(size * 2))
        sid = f"fz{'Head' if role == 'heading1' else 'Total' if bold else 'Cell'}{half}{align[0].upper()}"
        if sid not in self._cell_styles:
            line = int(round(size * 1.25 * 20))
            self._cell_styles[sid] = (
                f'<w:style {NS} w:type="paragraph" w:customStyle="1" w:styleId="{sid}"><w:name w:val="{sid}"/>'
                f'<w:basedOn w:val="Normal"/><w:pPr><w:snapToGrid w:val="0"/>'
                # no extra space between Chinese and Latin/digits: cells are as wide as measured
                f'<w:autoSpaceDE w:val="0"/><w:autoSpaceDN w:val="0"/>'
                f'<w:spacing w:line="{line}" w:lineRule="atLeast"/><w:jc w:val="{align}"/></w:pPr>'
                f'{_rpr(role, size, bold=bold)}</w:style>')
        return sid

    def _table_xml(self, columns: list[Column], rows, totals, lay: TableLayout) -> str:
        """The whole table as one XML string (python-docx's cell API is quadratic on big tables)."""
        size = lay.size
        widths = [_tw(w) for w in lay.widths]
        aligns = ["right" if c.numeric else "center" if c.kind == "date" else "left" for c in columns]

        def para(style: str, text: str) -> str:
            if not text:
                return f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr></w:p>'
            space = ' xml:space="preserve"' if text != text.strip() or "  " in text else ""
            return f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t{space}>{escape(text)}</w:t></w:r></w:p>'

        cell_styles = [self._cell_style("body", size, a) for a in aligns]
        total_styles = [self._cell_style("body", size, a if i else "center", bold=True) for i, a in enumerate(aligns)]
        head_style = self._cell_style("heading1", size, "center")
        middle = '<w:vAlign w:val="center"/>'
        shade = '<w:shd w:val="clear" w:color="auto" w:fill="E7E6E6"/>'
        total_pr = (f'<w:tcPr><w:tcBorders><w:top w:val="double" w:sz="4" w:space="0" w:color="000000"/></w:tcBorders>'
                    f'{shade}{middle}</w:tcPr>')
        border = 'w:val="single" w:sz="4" w:space="0" w:color="000000"'
        out = [f'<w:tbl {NS}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
               f'<w:tblBorders><w:top {border}/><w:left {border}/><w:bottom {border}/><w:right {border}/>'
               f'<w:insideH {border}/><w:insideV {border}/></w:tblBorders><w:tblLayout w:type="fixed"/>'
               f'<w:tblCellMar><w:left w:w="{CELL_MARGIN_TW}" w:type="dxa"/><w:right w:w="{CELL_MARGIN_TW}" w:type="dxa"/>'
               f'</w:tblCellMar>'
               f'<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="1" w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
               f'</w:tblPr><w:tblGrid>{"".join(f"<w:gridCol w:w={chr(34)}{w}{chr(34)}/>" for w in widths)}</w:tblGrid>']
        # header row: repeated on every page, never split
        out.append('<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>')
        for i, c in enumerate(columns):
            out.append(f'<w:tc><w:tcPr><w:tcW w:w="{widths[i]}" w:type="dxa"/>{middle}</w:tcPr>{para(head_style, c.header)}</w:tc>')
        out.append("</w:tr>")
        kinds = [c.kind for c in columns]
        n = len(columns)
        # Only a row whose text wraps can be split by a page break: only those say cantSplit (a
        # county report has a thousand one-line rows, and every property costs LibreOffice time).
        text_cols = [i for i, c in enumerate(columns) if not c.numeric]
        room = [(lay.widths[i] - CELL_PAD_PT) / size for i in range(n)]  # in ems
        for row in rows:
            texts = [cell_text(row[i] if i < len(row) else None, kinds[i]) for i in range(n)]
            wraps = any(text_width(texts[i], 1) > room[i] for i in text_cols)
            out.append('<w:tr><w:trPr><w:cantSplit/></w:trPr>' if wraps else "<w:tr>")
            for i in range(n):
                out.append(f'<w:tc>{para(cell_styles[i], texts[i])}</w:tc>')
            out.append("</w:tr>")
        if totals:
            out.append('<w:tr><w:trPr><w:cantSplit/></w:trPr>')
            for i in range(n):
                text = cell_text(totals[i] if i < len(totals) else None, kinds[i])
                out.append(f'<w:tc>{total_pr}{para(total_styles[i], text)}</w:tc>')
            out.append("</w:tr>")
        out.append("</w:tbl>")
        return "".join(out)

    def _closing_xml(self) -> list[str]:
        """落款 and 附注: issuer centred over the date; the date four characters in from the right."""
        out = []
        if not (self.issuer or self.date or self.note):
            return out
        date_text = f"{self.date.year}年{self.date.month}月{self.date.day}日" if self.date else ""
        right_chars = 4
        rpr = _rpr("body", BODY_PT)
        out.append(f'<w:p {NS}><w:pPr><w:keepNext/></w:pPr></w:p>')
        out.append(f'<w:p {NS}><w:pPr><w:keepNext/></w:pPr></w:p>')
        if self.issuer:
            # centre the issuer over the date when it is shorter
            extra = max(0.0, (text_width(date_text, 1) - text_width(self.issuer, 1)) / 2) if date_text else 0
            right = right_chars + extra if date_text else 2
            out.append(f'<w:p {NS}><w:pPr><w:keepNext/><w:ind w:right="{_tw(right * BODY_PT)}"/><w:jc w:val="right"/></w:pPr>'
                       f'{_run(self.issuer, rpr)}</w:p>')
        if date_text:
            out.append(f'<w:p {NS}><w:pPr><w:keepNext/><w:ind w:right="{_tw(right_chars * BODY_PT)}"/><w:jc w:val="right"/>'
                       f'</w:pPr>{_run(date_text, rpr)}</w:p>')
        if self.note:
            out.append(f'<w:p {NS}><w:pPr><w:ind w:firstLineChars="200" w:firstLine="{_tw(BODY_PT * 2)}"/></w:pPr>'
                       f'{_run(f"（{self.note}）", rpr)}</w:p>')
        return out
