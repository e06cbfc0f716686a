"""The measures ledger (.xlsx) and the Word documents: rectification notice, supervision report.

One data dict per document feeds the page, the API and the file. The Word
files are laid out by the shared `fanzha.core.documents` module (GB/T 9704).
"""

from __future__ import annotations

import datetime as dt

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
