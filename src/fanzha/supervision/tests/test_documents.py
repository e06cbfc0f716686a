"""The Word documents and the measures ledger, opened back and read."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from openpyxl import load_workbook

from fanzha.supervision import reports, services
from fanzha.supervision.models import Measure
from fanzha.supervision.services import Holder

from .conftest import jpeg


def _text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        for row in t.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return "\n".join(parts)


def test_rectification_notice_docx(sv):
    """The notice names the unit, problem, requirement, deadline, number and issuer."""
    v = services.visit_record(user=sv.p.office, street=sv.tree.street, holder=Holder(unit=sv.dept.unit),
                              visited_on=dt.date(2026, 6, 2), visitors="郭敏、陈静", checks=[("台账齐全", "problem", "缺5月")],
                              findings=[("5月宣传台账缺失", [jpeg()])], today=dt.date(2026, 6, 10))
    f = v.findings.get()
    r = services.rectification_issue(user=sv.p.office, holder=Holder(unit=sv.dept.unit), problem="", requirement="补齐台账",
                                     deadline=dt.date(2026, 6, 20), issued_on=dt.date(2026, 6, 3), finding=f)
    text = _text(reports.rectification_docx(reports.rectification_data(r)))
    for expected in ("整改通知书", r.number, "西门街道综合行政执法队：", "5月宣传台账缺失", "补齐台账", "2026年6月20日前",
                     "2026年6月2日", "郭敏、陈静", "西门街道反诈工作领导小组办公室"):
        assert expected in text, expected
    doc = Document(io.BytesIO(reports.rectification_docx(reports.rectification_data(r))))
    s = doc.sections[0]
    assert round(s.top_margin.mm) == 37 and round(s.left_margin.mm) == 28


def test_visit_report_docx(sv):
    """The supervision report lists each checklist result and each finding with its rectification."""
    v = services.visit_record(user=sv.p.office, street=sv.tree.street, holder=Holder(community=sv.tree.c1),
                              visited_on=dt.date(2026, 6, 2), visitors="督导组",
                              checks=[("领导小组文件", "ok", ""), ("APP安装率", "problem", "仅42%")],
                              findings=[("APP安装率低于目标", [])], today=dt.date(2026, 6, 10))
    services.rectification_issue(user=sv.p.office, holder=Holder(community=sv.tree.c1), problem="", requirement="提高",
                                 deadline=dt.date(2026, 7, 1), issued_on=dt.date(2026, 6, 2), finding=v.findings.get())
    data = reports.visit_report_data(v)
    assert data["problems"] == 1
    text = _text(reports.visit_report_docx(data))
    for expected in ("督导检查情况报告", "东关社区", "领导小组文件", "符合", "APP安装率", "存在问题", "仅42%",
                     "APP安装率低于目标", "整改〔2026〕1号", "2026-07-01"):
        assert expected in text, expected


def test_measures_ledger_xlsx(sv):
    """One row per measure and unit with progress and days overdue; text that looks like a formula stays text."""
    services.progress_report(user=sv.dept.user, responsibility=sv.r_dept, percent=60, text="推进",
                             today=dt.date(2026, 5, 1))
    Measure.objects.filter(pk=sv.measure.pk).update(title="=HYPERLINK(\"x\")")
    fh = reports.ledger_xlsx(Measure.objects.all(), today=dt.date(2026, 6, 15))
    ws = load_workbook(fh).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:4] == ("方案", "序号", "类别", "措施")
    body = rows[1:]
    assert len(body) == 3
    dept = next(r for r in body if r[6] == "西门街道综合行政执法队")
    assert dept[7] == "牵头" and dept[8] == 60 and dept[11] == 14
    assert dept[3].startswith("'=")
    assert dept[5] == dt.datetime(2026, 6, 1) and dept[9] == dt.datetime(2026, 5, 1) and dept[10] is None
    assert ws.freeze_panes == "A2"
