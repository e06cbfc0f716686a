"""Documents and workbooks checked by rendering: LibreOffice prints them to PDF and
`pdftotext` reads the PDF back, as an office would before filing them.

The structural tests (fonts named, page set-up, table widths) need neither; the
rendering tests skip with the reason when LibreOffice or poppler is missing
(CI installs both: .ci/run).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import shutil
import subprocess
import zipfile

import pytest

from fanzha.core import pdf
from fanzha.core.documents import (
    MARGINS,
    MM,
    PAGE_H,
    PAGE_W,
    Column,
    Document,
    cell_text,
    layout_table,
    text_area,
    text_width,
)
from fanzha.core.sheets import Workbook

needs_lo = pytest.mark.skipif(
    not pdf.available() or not shutil.which("pdftotext") or not shutil.which("pdfinfo"),
    reason="LibreOffice (soffice) or poppler-utils (pdftotext) not installed: "
           "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils")

ISSUER, DAY = "西门街道办事处", dt.date(2026, 11, 28)
NAMES = ["城关东门社区", "东城和平社区", "西城解放路社区", "南湖湖滨社区", "北山龙泉村"]  # ≤ 10 characters: never broken


class Rendered:
    """A PDF read back: text of each page (layout kept), page sizes, words with positions."""

    def __init__(self, path):
        self.path = path
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()
        self.pages = text.split("\f")
        if self.pages and not self.pages[-1].strip():
            self.pages.pop()
        info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(path)], capture_output=True, check=True).stdout.decode()
        self.sizes = [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]
        bbox = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True).stdout.decode()
        self.words = []  # (page index, xMin, xMax, word)
        for i, page in enumerate(bbox.split("<page ")[1:]):
            for x0, x1, w in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', page):
                self.words.append((i, float(x0), float(x1), w))

    @property
    def count(self) -> int:
        return len(self.sizes)

    def tokens(self, i: int) -> set[str]:
        return set(self.pages[i].split())


def render(content: bytes, suffix: str, tmp_path) -> Rendered:
    src = tmp_path / f"doc{suffix}"
    src.write_bytes(content)
    return Rendered(pdf.to_pdf(src, timeout=120))


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def wide_rows(n: int) -> tuple[list[Column], list[list], list]:
    """A 17-column table like the semimonthly report's per-street table, with county-sized totals."""
    cols = ([Column("名称"), Column("宣传活动", "int", unit="次"), Column("发放资料", "int", unit="份"),
             Column("微信群推送", "int", unit="次"), Column("户数", "int"), Column("本期走访", "int", unit="户"),
             Column("本期入户宣传率", "pct", unit="%"), Column("本年入户宣传率", "pct", unit="%"), Column("居民", "int"),
             Column("已安装APP", "int"), Column("APP安装率", "pct", unit="%"), Column("来电预警开通率", "pct", unit="%"),
             Column("金钟罩注册率", "pct", unit="%"), Column("目标", "pct", unit="%"), Column("期限"),
             Column("差距", "int", unit="人"), Column("进度")])
    rows = []
    for i in range(n):
        rows.append([f"{NAMES[i % 5]}{i + 1}组", 13 + i, 2667 + 7 * i, 40 + i, 1303 + i, 120 + i, 9.2, 61.4 + i % 9,
                     4512 + 11 * i, 3198 + 3 * i, 70.9, 55.5, 48.1, 80.0, "2026-12-31", 411 + i, "进度滞后"])
    totals = ["合计", sum(r[1] for r in rows), sum(r[2] for r in rows), sum(r[3] for r in rows), sum(r[4] for r in rows),
              sum(r[5] for r in rows), 9.2, 63.3, sum(r[8] for r in rows), sum(r[9] for r in rows), 70.9, 55.5, 48.1,
              80.0, "2026-12-31", sum(r[15] for r in rows), "进度滞后"]
    return cols, rows, totals


# --- structure (no LibreOffice needed) -------------------------------------------------------


def _xml(content: bytes, name: str) -> str:
    return zipfile.ZipFile(io.BytesIO(content)).read(name).decode()


def test_fonts_and_page_are_named_in_the_document():
    """The file names 小标宋/仿宋_GB2312/黑体/楷体 with their fallbacks and sets A4 with the GB/T 9704 margins."""
    doc = Document(title="关于开展防范电信网络诈骗宣传的通知", issuer=ISSUER, date=DAY)
    doc.heading1("总体情况")
    doc.heading2("宣传活动")
    doc.paragraph("正文。")
    content = doc.to_bytes()
    fonts = _xml(content, "word/fontTable.xml")
    assert 'w:name="仿宋_GB2312"' in fonts and "仿宋;FangSong" in fonts
    assert 'w:name="方正小标宋简体"' in fonts and 'w:name="黑体"' in fonts and 'w:name="楷体_GB2312"' in fonts
    body = _xml(content, "word/document.xml")
    assert 'w:eastAsia="方正小标宋简体"' in body and '<w:sz w:val="44"/>' in body  # 2号
    assert re.search(r'w:eastAsia="黑体"[^>]*/>(?:<[^>]+>)*?<w:sz w:val="32"/>.*一、总体情况', body)
    assert "（一）宣传活动" in body and 'w:eastAsia="楷体_GB2312"' in body
    assert 'w:w="11906" w:h="16838"' in body  # A4 in twips
    tw = lambda mm: str(round(mm * MM * 20))  # noqa: E731
    assert (f'w:top="{tw(37)}" w:right="{tw(26)}" w:bottom="{tw(35)}" w:left="{tw(28)}"') in body
    assert 'w:type="lines" w:linePitch="579"' in body  # 22 lines in 225 mm
    styles = _xml(content, "word/styles.xml")
    assert 'w:eastAsia="仿宋_GB2312"' in styles and '<w:sz w:val="32"/>' in styles  # body 3号
    assert not any(n.startswith("word/fonts/") for n in zipfile.ZipFile(io.BytesIO(content)).namelist())


def test_numbers_get_the_width_they_need():
    """Every number's column is at least as wide as the number on one line; a wide table goes landscape."""
    cols, rows, totals = wide_rows(40)
    lay = layout_table(cols, rows, totals)
    assert lay.landscape
    assert sum(lay.widths) <= text_area(True)[0] + 0.01
    for i, c in enumerate(cols):
        if c.numeric:
            need = max(text_width(cell_text(r[i], c.kind), lay.size) for r in rows + [totals])
            assert lay.widths[i] >= need + 4.3, c.title
    narrow = layout_table([Column("形式"), Column("次数", "int")], [["讲座", 12]], ["合计", 12])
    assert not narrow.landscape and narrow.size == 12


def test_cells_print_units_in_the_header_only():
    """Units go in the header ("户数（户）"), cells carry thousands separators and one decimal."""
    assert Column("本期走访", "int", unit="户").header == "本期走访（户）"
    assert Column("APP安装率（%）", "pct", unit="%").header == "APP安装率（%）"
    assert cell_text(26673, "int") == "26,673" and cell_text(70.94, "pct") == "70.9" and cell_text(None, "pct") == "—"


def test_sheet_print_settings():
    """A wide sheet prints landscape on A4, one page wide, header row repeated, panes frozen, real formats."""
    import openpyxl

    cols, rows, totals = wide_rows(30)
    book = Workbook()
    book.table_sheet("各街道情况", columns=cols, rows=rows, totals=totals, title="某县 · 各街道情况", subtitle="2026年11月")
    book.table_sheet("分类", columns=[Column("形式"), Column("次数", "int")], rows=[["讲座", 1200]])
    wb = openpyxl.load_workbook(io.BytesIO(book.to_bytes()))
    ws = wb["各街道情况"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)  # 1 is the default
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$3:$3" and ws.freeze_panes == "B4"
    assert ws["C4"].value == 2667 and ws["C4"].number_format == "#,##0"
    assert ws["G4"].value == 9.2 and ws["G4"].number_format == "0.0"
    assert ws.column_dimensions["A"].width >= 2 * len("城关东门社区1组")
    assert wb["分类"].page_setup.orientation == "portrait"


# --- rendered by LibreOffice -------------------------------------------------------------------


@needs_lo
@pytest.mark.parametrize("fmt", [".docx", ".fodt"])
def test_body_is_22_lines_of_28_characters(tmp_path, fmt):
    """Printed (the Word file, and the ODF rendering PDFs are made from), body pages hold 22 lines of
    28 characters, and the page count follows from it."""
    from fanzha.core.documents_odf import to_fodt

    doc = Document(title="标题")
    line = "防范电信网络诈骗人人有责宣传进万家国家反诈中心APP"[:26] + "安装"
    assert len(line) == 28
    n = 70
    for _ in range(n):
        doc.lines([line])
    out = render(doc.to_bytes() if fmt == ".docx" else to_fodt(doc), fmt, tmp_path)
    body = [[ln for ln in p.splitlines() if squash(ln) == squash(line)] for p in out.pages]
    assert all(len(b) == 22 for b in body[1:-1])
    first = len(body[0])  # the title takes three grid lines (two for 2号 type, one blank)
    assert first == 22 - 3
    assert out.count == 1 + math.ceil((n - first) / 22)
    assert all(w == pytest.approx(PAGE_W, abs=1) and h == pytest.approx(PAGE_H, abs=1) for w, h in out.sizes)


@needs_lo
def test_long_wide_table_prints_whole(tmp_path):
    """A 17-column, 90-row table: landscape pages, every figure unbroken, the header on each page,
    no row split, nothing beyond the type area, page numbers — n — and the 落款 at the end."""
    cols, rows, totals = wide_rows(90)
    doc = Document(title="某县防范电信网络诈骗宣传及国家反诈中心APP安装情况报表", subtitle="2026年第22期",
                   issuer=ISSUER, date=DAY, note="此件由系统根据台账记录自动生成")
    doc.heading1("总体情况")
    doc.paragraph("本期开展宣传活动1,234次。")
    doc.heading1("各街道情况")
    doc.table(cols, rows, totals=totals)
    doc.heading1("宣传活动分类")
    doc.table([Column("形式"), Column("次数", "int", unit="次")], [["讲座", 1200], ["摆摊", 34]], totals=["合计", 1234])
    out = render(doc.to_bytes(), ".docx", tmp_path)

    # page numbers: "— 1 —", "— 2 —", … one on every page
    for i, page in enumerate(out.pages, start=1):
        assert f"—{i}—" in squash(page), i
    # the table's pages are landscape, the others portrait
    table_pages = [i for i, p in enumerate(out.pages) if any(r[0] in squash(p) for r in rows)]
    assert table_pages and all(out.sizes[i][0] > out.sizes[i][1] for i in table_pages)
    assert out.sizes[0][0] < out.sizes[0][1] and out.sizes[-1][0] < out.sizes[-1][1]
    # the header row on every page of the table
    for i in table_pages:
        assert "名称" in out.tokens(i) and "进度" in out.tokens(i), i
    # every figure unbroken, each row on one page and one line (no row split, no cell wrapped)
    for r in rows:
        line = next((ln for p in out.pages for ln in p.splitlines() if squash(ln).startswith(r[0])), "")
        toks = line.split()
        for v, c in zip(r[1:], cols[1:]):
            assert cell_text(v, c.kind) in toks, (r[0], v)
    total_line = next(ln for p in out.pages for ln in p.splitlines() if ln.split()[:1] == ["合计"] and "进度滞后" in ln)
    for v, c in zip(totals, cols):
        assert cell_text(v, c.kind) in total_line.split(), v
    # nothing beyond the type area (a little slack for glyph side bearings)
    for page, x0, x1, w in out.words:
        width, height = out.sizes[page]
        m = MARGINS if width < height else {"left": 35, "right": 37}
        assert x0 >= m["left"] * MM - 3 and x1 <= width - m["right"] * MM + 3, (page, w)
    # the page count the layout implies: every page of the table after the first (which also holds
    # the heading) holds as many rows — the header repeated, no split row leaving a gap
    per_page = [sum(1 for ln in out.pages[i].splitlines() if any(squash(ln).startswith(r[0]) for r in rows))
                for i in table_pages]
    first, full = per_page[0], max(per_page)
    assert len(table_pages) >= 3 and all(n == full for n in per_page[1:-1]) and first <= full
    assert len(table_pages) == 1 + math.ceil((len(rows) - first) / full)
    assert sum(per_page) == len(rows)
    last = squash(out.pages[-1])
    assert ISSUER in last and "2026年11月28日" in last and last.index(ISSUER) < last.index("2026年11月28日")
    assert "（此件由系统根据台账记录自动生成）" in last


@needs_lo
def test_workbook_prints_whole(tmp_path):
    """The .xlsx printed: landscape, one page wide, the header on every page, no figure cut to ###."""
    cols, rows, totals = wide_rows(120)
    book = Workbook()
    book.table_sheet("各街道情况", columns=cols, rows=rows, totals=totals, title="某县 · 各街道情况", subtitle="2026年11月")
    out = render(book.to_bytes(), ".xlsx", tmp_path)
    assert out.count >= 2
    assert all(w > h for w, h in out.sizes)
    for i in range(out.count):
        assert "名称" in out.tokens(i) and "进度" in out.tokens(i), i
        assert f"—{i + 1}—" in squash(out.pages[i])
    text = "\n".join(out.pages)
    assert "###" not in text
    for r in rows:
        line = next(ln for ln in text.splitlines() if squash(ln).startswith(r[0]))
        for v, c in zip(r[1:], cols[1:]):
            assert cell_text(v, c.kind) in line.split(), (r[0], v)
    # every column on the page: the last column's values are printed
    assert text.count("进度滞后") == len(rows) + 1
    # the page count the layout implies: pages after the first (which holds the title) hold as many rows
    per_page = [sum(1 for ln in p.splitlines() if any(squash(ln).startswith(r[0]) for r in rows)) for p in out.pages]
    full = max(per_page)
    assert all(n == full for n in per_page[1:-1]) and per_page[0] <= full and sum(per_page) == len(rows)
    assert out.count == 1 + math.ceil((len(rows) - per_page[0]) / full)


def test_to_pdf_reports_missing_libreoffice(monkeypatch, tmp_path):
    """Without LibreOffice, to_pdf raises PdfError instead of failing obscurely."""
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    assert not pdf.available()
    with pytest.raises(pdf.PdfError):
        pdf.to_pdf(tmp_path / "x.docx")


@needs_lo
def test_to_pdf_gives_up_after_its_timeout(tmp_path):
    """A conversion longer than the timeout is killed and reported."""
    src = tmp_path / "x.docx"
    src.write_bytes(Document(title="标题").to_bytes())
    with pytest.raises(pdf.PdfError):
        pdf.to_pdf(src, timeout=0.01)
    assert not (tmp_path / "x.pdf").exists()
