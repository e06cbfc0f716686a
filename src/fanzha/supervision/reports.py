"""The measures ledger (.xlsx) and the Word documents: rectification notice, supervision report.

One data dict per document feeds the page, the API and the file. The Word
files are laid out by the shared `fanzha.core.documents` module (GB/T 9704).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
import zipfile
from xml.sax.saxutils import escape as xml_escape

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fanzha.core.exports import neutralise
from fanzha.supervision.models import CheckResult, MeasureKind, Rectification, Responsibility, Visit

_L = gettext_lazy
LEDGER_HEADERS = [
    (_L("方案"), 28), (_L("序号"), 6), (_L("类别"), 10), (_L("措施"), 50), (_L("开始日期"), 12), (_L("完成期限"), 12),
    (_L("单位"), 26), (_L("分工"), 10), (_L("完成进度%"), 10), (_L("最近报送"), 12), (_L("完成日期"), 12), (_L("逾期天数"), 10),
]


LEDGER_FIELDS = ("measure__plan__year", "measure__plan__title", "measure__decision__meeting__held_on", "measure__number",
                 "measure__kind", "measure__title", "measure__start_on", "measure__deadline", "unit__name",
                 "community__name", "is_lead", "percent", "last_reported_on", "completed_on")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def ledger_rows(measures, today: dt.date):
    """One row per measure and holder, in plan and measure order: plain tuples from one query
    (a county's ledger has tens of thousands of rows; no model objects are made)."""
    kinds = {k: str(v) for k, v in MeasureKind.choices}
    lead, resp, task = _("牵头"), _("责任"), _("会议交办")
    rows = (Responsibility.objects.filter(measure__in=measures.values("pk"))
            .order_by("measure__plan__year", "measure__plan_id", "measure__kind", "measure__number", "measure_id",
                      "-is_lead", "id")
            .values_list(*LEDGER_FIELDS))
    for (year, plan_title, held_on, number, kind, title, start_on, deadline, unit_name, community_name, is_lead,
         percent, reported, completed) in rows.iterator(chunk_size=2000):
        plan = f"{year} {plan_title}" if year else (f"{task} {held_on}" if held_on else task)
        late = (today - deadline).days if completed is None and deadline < today else 0
        yield [plan, number, kinds.get(kind, kind), title, start_on, deadline, unit_name or community_name or "",
               lead if is_lead else resp, percent, reported, completed, late]


def ledger_xlsx(measures, *, today: dt.date | None = None):
    """The measures ledger as .xlsx (a temporary file positioned at its start)."""
    today = today or timezone.localdate()
    return write_xlsx(LEDGER_HEADERS, ledger_rows(measures, today), sheet_name=_("工作措施台账"),
                      text_cols=(0, 2, 3, 6, 7), date_cols=(4, 5, 9, 10))


# --- a lean .xlsx writer for long ledgers ----------------------------------------------------------
#
# XlsxWriter spends ~20 µs a cell in its per-cell checks; a county's ledger has 160,000 cells. This
# writes the same kind of sheet (header row frozen, column widths, text as inline strings neutralised
# with `fanzha.core.exports.neutralise`, dates as serial numbers in a yyyy-mm-dd format) as plain XML
# in a zip, row by row into a temporary file, at a tenth of the cost.

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_STATIC = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '</Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        '</Relationships>'),
    "xl/styles.xml": (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{_MAIN}">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
        '<fill><patternFill patternType="solid"><fgColor rgb="FFE8EEF7"/><bgColor indexed="64"/></patternFill></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
}


def _text(value: str) -> str:
    value = neutralise(value)
    if _BAD_XML.search(value):
        value = _BAD_XML.sub("", value)
    return xml_escape(value)


def write_xlsx(headers: list[tuple[str, int]], rows, *, sheet_name: str, text_cols=(), date_cols=()):
    """One sheet: a bold frozen header row, then `rows` (lists); returns a temporary file at its start.

    Columns in `text_cols` are text, in `date_cols` dates (or None), all others numbers (or None).
    """
    letters = [chr(65 + i) if i < 26 else chr(64 + i // 26) + chr(65 + i % 26) for i in range(len(headers))]
    kinds = ["t" if i in text_cols else "d" if i in date_cols else "n" for i in range(len(headers))]
    fh = tempfile.TemporaryFile(suffix=".xlsx")
    with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, body in _STATIC.items():
            z.writestr(name, body)
        z.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{_MAIN}" xmlns:r="{_REL}">'
            f'<sheets><sheet name="{xml_escape(sheet_name[:31], {chr(34): "&quot;"})}" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        with z.open("xl/worksheets/sheet1.xml", "w") as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>' for i, (_t, w) in enumerate(headers))
            out.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{_MAIN}">'
                      '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
                      f'state="frozen"/></sheetView></sheetViews><cols>{cols}</cols><sheetData>')
            out.write('<row r="1">' + "".join(f'<c r="{letters[i]}1" s="2" t="inlineStr"><is><t>{xml_escape(str(t))}</t></is></c>'
                                             for i, (t, _w) in enumerate(headers)) + "</row>")
            n = 1
            buf = []
            for row in rows:
                n += 1
                cells = []
                for i, v in enumerate(row):
                    if v is None or v == "":
                        continue
                    k = kinds[i]
                    if k == "t":
                        cells.append(f'<c r="{letters[i]}{n}" t="inlineStr"><is><t>{_text(str(v))}</t></is></c>')
                    elif k == "d":
                        cells.append(f'<c r="{letters[i]}{n}" s="1"><v>{(v - EXCEL_EPOCH).days}</v></c>')
                    else:
                        cells.append(f'<c r="{letters[i]}{n}"><v>{v}</v></c>')
                buf.append(f'<row r="{n}">{"".join(cells)}</row>')
                if len(buf) >= 1000:
                    out.write("".join(buf))
                    buf.clear()
            out.write("".join(buf))
            out.write("</sheetData></worksheet>")
            out.flush()
            out.detach()
    fh.seek(0)
    return fh


# --- data for the documents -------------------------------------------------------------------


def _issuer(record) -> str:
    from fanzha.org.models import Node

    street = Node.objects.filter(pk=record.street_id).values_list("name", flat=True).first() or ""
    return street + _("反诈工作领导小组办公室")


def rectification_data(r: Rectification) -> dict:
    return {
        "title": _("整改通知书"),
        "number": r.number,
        "to": r.target.name if r.target else "",
        "issued_on": r.issued_on,
        "deadline": r.deadline,
        "problem": r.problem,
        "requirement": r.requirement,
        "visit": ({"visited_on": r.visit.visited_on, "visitors": r.visit.visitors} if r.visit_id else None),
        "status": r.get_status_display(),
        "fix_note": r.fix_note,
        "issuer": _issuer(r),
    }


def visit_report_data(v: Visit) -> dict:
    checks = list(v.checks.all())
    findings = list(v.findings.prefetch_related("photos", "rectifications"))
    return {
        "title": _("督导检查情况报告"),
        "target": v.target.name if v.target else "",
        "visited_on": v.visited_on,
        "visitors": v.visitors,
        "summary": v.summary,
        "checks": [{"item": c.item, "result": c.get_result_display(), "problem": c.result == CheckResult.PROBLEM,
                    "note": c.note} for c in checks],
        "problems": sum(1 for c in checks if c.result == CheckResult.PROBLEM),
        "findings": [{"text": f.text, "photos": len(f.photos.all()),
                      "rectifications": [{"number": r.number, "deadline": r.deadline, "status": r.get_status_display()}
                                         for r in f.rectifications.all()]} for f in findings],
        "issuer": _issuer(v),
        "reported_on": timezone.localdate(),
    }


# --- Word -------------------------------------------------------------------------------------


def _chinese_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def rectification_docx(data: dict) -> bytes:
    """整改通知书: number, addressee, the problem, the requirement and deadline, the issuer and date."""
    from fanzha.core.documents import Document

    doc = Document(title=data["title"], subtitle=data["number"], issuer=data["issuer"], date=data["issued_on"])
    doc.lines([f"{data['to']}："], sep="")
    if data["visit"]:
        doc.paragraph(_("%(date)s，%(who)s对你单位反诈工作开展督导检查，发现以下问题，现通知你单位限期整改。") % {
            "date": _chinese_date(data["visit"]["visited_on"]), "who": data["visit"]["visitors"]})
    else:
        doc.paragraph(_("经检查，你单位反诈工作存在以下问题，现通知你单位限期整改。"))
    doc.heading1(_("存在问题"))
    doc.paragraph(data["problem"])
    doc.heading1(_("整改要求"))
    doc.paragraph(data["requirement"])
    doc.heading1(_("整改期限"))
    doc.paragraph(_("请于%(d)s前完成整改，并将整改情况及佐证材料（照片等）报送领导小组办公室，经验收后销号。"
                    "逾期未整改的，将予以通报批评。") % {"d": _chinese_date(data["deadline"])})
    return doc.to_bytes()


def visit_report_docx(data: dict) -> bytes:
    """督导检查情况报告: who visited whom when, the checklist results, findings and their rectifications."""
    from fanzha.core.documents import Column, Document

    doc = Document(title=data["title"], issuer=data["issuer"], date=data["reported_on"])
    doc.paragraph(_("%(date)s，%(who)s对%(target)s反诈工作开展督导检查，现将检查情况报告如下。") % {
        "date": _chinese_date(data["visited_on"]), "who": data["visitors"], "target": data["target"]})
    doc.heading1(_("总体情况"))
    doc.paragraph(data["summary"] or _("检查项目%(n)d项，存在问题%(p)d项。") % {"n": len(data["checks"]), "p": data["problems"]})
    doc.heading1(_("检查项目"))
    doc.table([Column(_("序号"), "int"), Column(_("检查内容")), Column(_("结果")), Column(_("说明"))],
              [[i, c["item"], c["result"], c["note"] or "—"] for i, c in enumerate(data["checks"], start=1)])
    doc.heading1(_("发现问题及整改"))
    if not data["findings"]:
        doc.paragraph(_("未发现问题。"))
    for i, f in enumerate(data["findings"], start=1):
        rect = "；".join(_("已下发%(n)s，期限%(d)s，%(s)s") % {"n": r["number"], "d": r["deadline"], "s": r["status"]}
                        for r in f["rectifications"]) or _("未下发整改通知")
        doc.paragraph(f"{i}. {f['text']}（{_('照片%(n)d张') % {'n': f['photos']}}；{rect}）")
    return doc.to_bytes()
