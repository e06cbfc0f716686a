"""The measures ledger (.xlsx) and the Word documents: rectification notice, supervision report.

One data dict per document feeds the page, the API and the file. The Word
layout follows the office document standard (GB/T 9704) as closely as a
generated file can: A4, margins 37/35/28/26 mm, title in 小标宋 二号,
body 仿宋_GB2312 三号, numbered headings in 黑体 / 楷体. Each document is
one function here (`rectification_docx`, `visit_report_docx`), so switching
to the shared `fanzha.core.documents` module is a change in one place.
"""

from __future__ import annotations

import datetime as dt
import io

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.core.exports import XlsxExport
from fanzha.supervision.models import CheckResult, Rectification, Responsibility, Visit
from fanzha.supervision.selectors import days_overdue

LEDGER_HEADERS = [
    (_("方案"), 28), (_("序号"), 6), (_("类别"), 10), (_("措施"), 50), (_("开始日期"), 12), (_("完成期限"), 12),
    (_("单位"), 26), (_("分工"), 10), (_("完成进度%"), 10), (_("最近报送"), 12), (_("完成日期"), 12), (_("逾期天数"), 10),
]


def ledger_rows(measures, today: dt.date):
    """One row per measure and holder: the ledger's lines, in plan and measure order."""
    for m in measures:
        plan_title = str(m.plan) if m.plan_id else (_("会议交办") + (f" {m.decision.meeting.held_on}" if m.decision_id else ""))
        for r in m.responsibilities.all():
            late = days_overdue(m.deadline, today) if (r.completed_on is None and m.deadline < today) else 0
            yield [plan_title, m.number, m.get_kind_display(), m.title, m.start_on, m.deadline, r.holder_name,
                   _("牵头") if r.is_lead else _("责任"), r.percent, r.last_reported_on, r.completed_on, late]


def ledger_queryset(measures):
    return (measures.select_related("plan", "decision__meeting")
            .prefetch_related(Prefetch("responsibilities", queryset=Responsibility.objects.select_related("unit", "community")))
            .order_by("plan__year", "plan_id", "kind", "number", "id"))


def ledger_xlsx(measures, *, today: dt.date | None = None):
    """The measures ledger as .xlsx (a temporary file positioned at its start)."""
    today = today or timezone.localdate()
    x = XlsxExport(LEDGER_HEADERS, sheet_name=_("工作措施台账"))
    for row in ledger_rows(ledger_queryset(measures).iterator(chunk_size=500), today):
        x.write(row)
    return x.close()


# --- data for the documents -------------------------------------------------------------------


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
        "issuer": _("反诈工作领导小组办公室"),
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
        "issuer": _("反诈工作领导小组办公室"),
    }


# --- Word -------------------------------------------------------------------------------------


def _chinese_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


class _Doc:
    """A GB/T 9704-like document: A4, standard margins, 仿宋 三号 body, 28 pt lines."""

    def __init__(self):
        from docx import Document
        from docx.shared import Mm, Pt

        self.doc = Document()
        s = self.doc.sections[0]
        s.page_width, s.page_height = Mm(210), Mm(297)
        s.top_margin, s.bottom_margin, s.left_margin, s.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(16)
        self._font(normal, "仿宋_GB2312")
        normal.paragraph_format.line_spacing = Pt(28)
        normal.paragraph_format.space_after = Pt(0)

    @staticmethod
    def _font(obj, name: str) -> None:
        from docx.oxml.ns import qn

        obj.font.name = name
        rpr = obj.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
            fonts.set(qn(attr), name)

    def title(self, text: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing = Pt(36)
        r = p.add_run(text)
        r.font.size = Pt(22)
        self._font(r, "方正小标宋简体")

    def centre(self, text: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        p = self.doc.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def para(self, text: str, *, indent: bool = True) -> None:
        from docx.shared import Pt

        p = self.doc.add_paragraph(text)
        if indent:
            p.paragraph_format.first_line_indent = Pt(32)

    def heading(self, text: str, font: str = "黑体") -> None:
        from docx.shared import Pt

        p = self.doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(32)
        self._font(p.add_run(text), font)

    def right(self, text: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        p = self.doc.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def table(self, columns: list[str], rows: list[list[str]]) -> None:
        from docx.shared import Pt

        t = self.doc.add_table(rows=1 + len(rows), cols=len(columns))
        t.style = "Table Grid"
        for i, row in enumerate([columns, *rows]):
            for j, value in enumerate(row):
                cell = t.rows[i].cells[j]
                cell.text = str(value)
                for p in cell.paragraphs:
                    p.paragraph_format.line_spacing = Pt(20)
                    for r in p.runs:
                        r.font.size = Pt(12)
                        r.bold = i == 0

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def rectification_docx(data: dict) -> bytes:
    """整改通知书: title, number, addressee, the problem, the requirement and deadline, the issuer and date."""
    d = _Doc()
    d.title(data["title"])
    d.centre(data["number"])
    d.para(f"{data['to']}：", indent=False)
    if data["visit"]:
        d.para(_("%(date)s，%(who)s对你单位反诈工作开展督导检查，发现以下问题：") % {
            "date": _chinese_date(data["visit"]["visited_on"]), "who": data["visit"]["visitors"]})
    else:
        d.para(_("经检查，你单位反诈工作存在以下问题："))
    d.heading(_("一、存在问题"))
    d.para(data["problem"])
    d.heading(_("二、整改要求"))
    d.para(data["requirement"])
    d.heading(_("三、整改期限"))
    d.para(_("请于%(d)s前完成整改，并将整改情况及佐证材料（照片等）报送领导小组办公室，经验收后销号。逾期未整改的，"
             "将予以通报批评。") % {"d": _chinese_date(data["deadline"])})
    d.para("")
    d.right(data["issuer"])
    d.right(_chinese_date(data["issued_on"]))
    return d.bytes()


def visit_report_docx(data: dict) -> bytes:
    """督导检查情况报告: who visited whom when, the checklist results, findings and their rectifications."""
    d = _Doc()
    d.title(data["title"])
    d.para(_("%(date)s，%(who)s对%(target)s反诈工作开展督导检查，现将检查情况报告如下。") % {
        "date": _chinese_date(data["visited_on"]), "who": data["visitors"], "target": data["target"]})
    d.heading(_("一、总体情况"))
    d.para(data["summary"] or _("检查项目%(n)d项，存在问题%(p)d项。") % {"n": len(data["checks"]), "p": data["problems"]})
    d.heading(_("二、检查项目"))
    d.table([_("序号"), _("检查内容"), _("结果"), _("说明")],
            [[str(i), c["item"], c["result"], c["note"]] for i, c in enumerate(data["checks"], start=1)])
    d.heading(_("三、发现问题及整改"))
    if not data["findings"]:
        d.para(_("未发现问题。"))
    for i, f in enumerate(data["findings"], start=1):
        rect = "；".join(_("已下发%(n)s，期限%(d)s，%(s)s") % {"n": r["number"], "d": r["deadline"], "s": r["status"]}
                        for r in f["rectifications"]) or _("未下发整改通知")
        d.para(f"{i}. {f['text']}（{_('照片%(n)d张') % {'n': f['photos']}}；{rect}）")
    d.para("")
    d.right(data["issuer"])
    d.right(_chinese_date(timezone.localdate()))
    return d.bytes()
