"""The same `Document` as a flat OpenDocument text file (.fodt), for printing to PDF quickly.

LibreOffice reads a big Word table slowly (the county report: about 5 s of
its 7 s go to reading the .docx) but reads the same document as ODF in a
fraction of that. A PDF made on request is therefore printed from this
rendering of the very same `Document`: the same runs of orientation
(`Document.sections`), the same table layouts (`layout_table`), fonts,
margins, 22-line grid, page numbers and 落款 as the Word file.

    from fanzha.core.documents_odf import to_fodt
    pdf_bytes = fanzha.core.pdf.bytes_to_pdf(to_fodt(doc), ".fodt")
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from fanzha.core.documents import (
    BODY_PT,
    CELL_MARGIN_TW,
    CHAR_SPACING_TW,
    FONTS,
    LANDSCAPE_MARGINS,
    LINE_PITCH_TWIPS,
    MARGINS,
    PAGE_H,
    PAGE_NO_PT,
    PAGE_W,
    TITLE_PT,
    Document,
    cell_text,
    text_width,
)

NSDECL = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
    'office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text"'
)
LINE_PT = LINE_PITCH_TWIPS / 20
FOOTER_H_MM = 6.0  # one line of 4号 digits
FOOTER_GAP_MM = 7.0  # the page number's top is 7 mm under the type area


def _pt(v: float) -> str:
    return f"{v:.2f}pt"


def _mm(v: float) -> str:
    return f"{v:.2f}mm"


def _fonts(role: str) -> str:
    latin, asian = FONTS["latin"][0], FONTS[role][0]
    return f'style:font-name={quoteattr(latin)} style:font-name-asian={quoteattr(asian)}'


def _size(size: float) -> str:
    return f'fo:font-size="{_pt(size)}" style:font-size-asian="{_pt(size)}"'


def _pstyle(name: str, *, role: str = "body", size: float = BODY_PT, align: str = "justify", indent: bool = False,
            keep_next: bool = False, line: str = "", bold: bool = False, right_ems: float = 0, extra: str = "") -> str:
    spacing = f' fo:letter-spacing="{_pt(CHAR_SPACING_TW / 20)}"' if size == BODY_PT else ' fo:letter-spacing="normal"'
    weight = ' fo:font-weight="bold" style:font-weight-asian="bold"' if bold else ""
    para = [f'fo:text-align="{align}"', 'fo:margin-top="0pt"', 'fo:margin-bottom="0pt"',
            line or f'fo:line-height="{_pt(LINE_PT)}"']
    if indent:
        para.append(f'fo:text-indent="{_pt(BODY_PT * 2)}"')
    if keep_next:
        para.append('fo:keep-with-next="always"')
    if right_ems:
        para.append(f'fo:margin-right="{_pt(right_ems * BODY_PT)}"')
    return (f'<style:style style:name="{name}" style:family="paragraph">'
            f'<style:paragraph-properties {" ".join(para)} {extra}/>'
            f'<style:text-properties {_fonts(role)} {_size(size)}{spacing}{weight}/></style:style>')


def _page_layout(name: str, landscape: bool) -> str:
    m = LANDSCAPE_MARGINS if landscape else MARGINS
    w, h = (PAGE_H, PAGE_W) if landscape else (PAGE_W, PAGE_H)
    bottom = m["bottom"] - FOOTER_GAP_MM - FOOTER_H_MM
    return (f'<style:page-layout style:name="{name}" style:page-usage="all"><style:page-layout-properties '
            f'fo:page-width="{_pt(w)}" fo:page-height="{_pt(h)}" style:print-orientation="{"landscape" if landscape else "portrait"}" '
            f'fo:margin-top="{_mm(m["top"])}" fo:margin-bottom="{_mm(bottom)}" fo:margin-left="{_mm(m["left"])}" '
            f'fo:margin-right="{_mm(m["right"])}"/><style:footer-style><style:header-footer-properties '
            f'fo:min-height="{_mm(FOOTER_H_MM)}" fo:margin-top="{_mm(FOOTER_GAP_MM)}" style:dynamic-spacing="false"/>'
            f'</style:footer-style></style:page-layout>')


def _master(name: str, layout: str) -> str:
    num = '— <text:page-number text:select-page="current">1</text:page-number> —'
    return (f'<style:master-page style:name="{name}" style:page-layout-name="{layout}">'
            f'<style:footer><text:p text:style-name="PageNoOdd">{num}</text:p></style:footer>'
            f'<style:footer-left><text:p text:style-name="PageNoEven">{num}</text:p></style:footer-left>'
            f'</style:master-page>')


class _Writer:
    def __init__(self):
        self.auto: dict[str, str] = {}  # automatic styles by name

    def cell_pstyle(self, role: str, size: float, align: str, bold: bool = False) -> str:
        name = f"c{'H' if role == 'heading1' else 'T' if bold else 'C'}{int(size * 10)}{align[0]}"
        if name not in self.auto:
            self.auto[name] = _pstyle(name, role=role, size=size, align=align, bold=bold,
                                      line=f'style:line-height-at-least="{_pt(size * 1.25)}"',
                                      extra='style:text-autospace="none"')
        return name

    def table(self, n: int, columns, rows, totals, lay) -> str:
        t = f"T{n}"
        size = lay.size
        self.auto[t] = (f'<style:style style:name="{t}" style:family="table"><style:table-properties '
                        f'style:width="{_pt(sum(lay.widths))}" table:align="center" fo:margin-top="0pt" '
                        f'fo:margin-bottom="0pt" style:may-break-between-rows="true"/></style:style>')
        for i, w in enumerate(lay.widths):
            self.auto[f"{t}c{i}"] = (f'<style:style style:name="{t}c{i}" style:family="table-column">'
                                     f'<style:table-column-properties style:column-width="{_pt(w)}"/></style:style>')
        pad = _pt(CELL_MARGIN_TW / 20)
        if "cell" not in self.auto:
            self.auto["cell"] = (f'<style:style style:name="cell" style:family="table-cell"><style:table-cell-properties '
                                 f'fo:border="0.5pt solid #000000" fo:padding-left="{pad}" fo:padding-right="{pad}" '
                                 f'fo:padding-top="0pt" fo:padding-bottom="0pt" style:vertical-align="middle"/></style:style>')
            self.auto["data"] = (f'<style:style style:name="data" style:family="table-cell"><style:table-cell-properties '
                                 f'fo:border="0.5pt solid #000000" fo:padding-left="{pad}" fo:padding-right="{pad}" '
                                 f'fo:padding-top="0pt" fo:padding-bottom="0pt"/></style:style>')
            self.auto["total"] = (f'<style:style style:name="total" style:family="table-cell"><style:table-cell-properties '
                                  f'fo:border="0.5pt solid #000000" fo:border-top="1.1pt double #000000" '
                                  f'style:border-line-width-top="0.2pt 0.35pt 0.2pt" fo:background-color="#E7E6E6" '
                                  f'fo:padding-left="{pad}" fo:padding-right="{pad}" fo:padding-top="0pt" '
                                  f'fo:padding-bottom="0pt" style:vertical-align="middle"/></style:style>')
            self.auto["whole"] = ('<style:style style:name="whole" style:family="table-row">'
                                  '<style:table-row-properties fo:keep-together="always"/></style:style>')
        aligns = ["end" if c.numeric else "center" if c.kind == "date" else "start" for c in columns]
        cell_ps = [self.cell_pstyle("body", size, a) for a in aligns]
        total_ps = [self.cell_pstyle("body", size, a if i else "center", True) for i, a in enumerate(aligns)]
        head_ps = self.cell_pstyle("heading1", size, "center")
        kinds = [c.kind for c in columns]
        text_cols = [i for i, c in enumerate(columns) if not c.numeric]
        room = [(w - (2 * CELL_MARGIN_TW / 20 + 2.0)) / size for w in lay.widths]

        def cell(style: str, ps: str, text: str) -> str:
            body = f'<text:p text:style-name="{ps}">{escape(text)}</text:p>' if text else f'<text:p text:style-name="{ps}"/>'
            return f'<table:table-cell table:style-name="{style}">{body}</table:table-cell>'

        out = [f'<table:table table:name="{t}" table:style-name="{t}">']
        out.extend(f'<table:table-column table:style-name="{t}c{i}"/>' for i in range(len(columns)))
        out.append('<table:table-header-rows><table:table-row table:style-name="whole">')
        out.extend(cell("cell", head_ps, c.header) for c in columns)
        out.append("</table:table-row></table:table-header-rows>")
        n_cols = len(columns)
        for row in rows:
            texts = [cell_text(row[i] if i < len(row) else None, kinds[i]) for i in range(n_cols)]
            wraps = any(text_width(texts[i], 1) > room[i] for i in text_cols)
            out.append('<table:table-row table:style-name="whole">' if wraps else "<table:table-row>")
            out.extend(cell("data", cell_ps[i], texts[i]) for i in range(n_cols))
            out.append("</table:table-row>")
        if totals:
            out.append('<table:table-row table:style-name="whole">')
            out.extend(cell("total", total_ps[i], cell_text(totals[i] if i < len(totals) else None, kinds[i]))
                       for i in range(n_cols))
            out.append("</table:table-row>")
        out.append("</table:table>")
        return "".join(out)


def to_fodt(doc: Document) -> bytes:
    """The document as one flat ODF text file (see the module docstring)."""
    w = _Writer()
    body: list[str] = []
    date_text = f"{doc.date.year}年{doc.date.month}月{doc.date.day}日" if doc.date else ""
    tables = 0
    for n, (landscape, items) in enumerate(doc.sections()):
        # each run starts on a new page of its orientation
        body.append(f'<text:p text:style-name="{"BreakL" if landscape else "BreakP"}"/>')
        for item in items:
            kind = item[0]
            if kind == "title":
                body.append(f'<text:p text:style-name="Title">{escape(doc.title)}</text:p>')
                if doc.subtitle:
                    body.append(f'<text:p text:style-name="Subtitle">{escape(doc.subtitle)}</text:p>')
                body.append('<text:p text:style-name="Blank"/>')
            elif kind in ("h1", "h2"):
                body.append(f'<text:p text:style-name="{kind.upper()}">{escape(item[1])}</text:p>')
            elif kind == "table":
                _, columns, rows, totals, units, title, lay = item
                if title:
                    body.append(f'<text:p text:style-name="Caption">{escape(title)}</text:p>')
                if units:
                    body.append(f'<text:p text:style-name="Units">{escape(units)}</text:p>')
                tables += 1
                body.append(w.table(tables, columns, rows, totals, lay))
                body.append('<text:p text:style-name="After"/>')
            elif kind == "closing":
                if not (doc.issuer or doc.date or doc.note):
                    continue
                body.append('<text:p text:style-name="BlankKeep"/><text:p text:style-name="BlankKeep"/>')
                if doc.issuer:
                    extra = max(0.0, (text_width(date_text, 1) - text_width(doc.issuer, 1)) / 2) if date_text else 0
                    w.auto["Issuer"] = _pstyle("Issuer", align="end", keep_next=True,
                                               right_ems=(4 + extra) if date_text else 2)
                    body.append(f'<text:p text:style-name="Issuer">{escape(doc.issuer)}</text:p>')
                if date_text:
                    body.append(f'<text:p text:style-name="Date">{escape(date_text)}</text:p>')
                if doc.note:
                    body.append(f'<text:p text:style-name="Body">（{escape(doc.note)}）</text:p>')
            else:
                style = ("Body" if kind == "p" else "Line") + ("Keep" if item[2] else "")
                body.append(f'<text:p text:style-name="{style}">{escape(item[1])}</text:p>')

    fonts = "".join(f'<style:font-face style:name={quoteattr(names[0])} svg:font-family={quoteattr(names[0])}/>'
                    for names in FONTS.values())
    small = 'fo:line-height="100%"'
    styles = [
        f'<style:default-style style:family="paragraph"><style:paragraph-properties fo:line-height="{_pt(LINE_PT)}" '
        f'fo:text-align="justify" style:writing-mode="lr-tb"/><style:text-properties {_fonts("body")} {_size(BODY_PT)} '
        f'fo:language="en" fo:country="US" style:language-asian="zh" style:country-asian="CN"/></style:default-style>',
        _pstyle("Title", role="title", size=TITLE_PT, align="center", keep_next=True,
                line=f'fo:line-height="{_pt(LINE_PT * 1.5)}"'),
        _pstyle("Subtitle", role="heading2", align="center", keep_next=True),
        _pstyle("Blank", keep_next=True),
        _pstyle("BlankKeep", keep_next=True),
        _pstyle("H1", role="heading1", indent=True, keep_next=True, extra='fo:keep-together="always"'),
        _pstyle("H2", role="heading2", indent=True, keep_next=True, extra='fo:keep-together="always"'),
        _pstyle("Body", indent=True),
        _pstyle("BodyKeep", indent=True, keep_next=True),
        _pstyle("Line"),
        _pstyle("LineKeep", keep_next=True),
        _pstyle("Caption", role="heading1", align="center", keep_next=True),
        _pstyle("Units", size=12, align="end", keep_next=True, line=small),
        _pstyle("After", size=1, line=small),
        _pstyle("Date", align="end", keep_next=True, right_ems=4),
        _pstyle("PageNoOdd", role="page_number", size=PAGE_NO_PT, align="end", line=small,
                extra=f'fo:margin-right="{_pt(PAGE_NO_PT)}"'),
        _pstyle("PageNoEven", role="page_number", size=PAGE_NO_PT, align="start", line=small,
                extra=f'fo:margin-left="{_pt(PAGE_NO_PT)}"'),
    ]
    auto = [
        _page_layout("PLP", False), _page_layout("PLL", True),
        '<style:style style:name="BreakP" style:family="paragraph" style:master-page-name="Portrait">'
        '<style:paragraph-properties fo:line-height="100%"/><style:text-properties fo:font-size="1pt" '
        'style:font-size-asian="1pt"/></style:style>',
        '<style:style style:name="BreakL" style:family="paragraph" style:master-page-name="Landscape">'
        '<style:paragraph-properties fo:line-height="100%"/><style:text-properties fo:font-size="1pt" '
        'style:font-size-asian="1pt"/></style:style>',
        *w.auto.values(),
    ]
    xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document {NSDECL}>'
           f'<office:font-face-decls>{fonts}</office:font-face-decls>'
           f'<office:styles>{"".join(styles)}</office:styles>'
           f'<office:automatic-styles>{"".join(auto)}</office:automatic-styles>'
           f'<office:master-styles>{_master("Portrait", "PLP")}{_master("Landscape", "PLL")}</office:master-styles>'
           f'<office:body><office:text>{"".join(body)}</office:text></office:body></office:document>')
    return xml.encode("utf-8")
