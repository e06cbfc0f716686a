"""The outreach reports' Word and Excel files printed by LibreOffice and read back; the PDF
download beside Word and Excel, made on request and by the worker."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from fanzha.core import pdf
from fanzha.core.documents import MARGINS, MM, cell_text
from fanzha.core.tests.test_documents import Rendered, needs_lo, squash
from fanzha.outreach import jobs, reports
from fanzha.outreach.models import PeriodicReport
from fanzha.outreach.tests.test_reports import REPORT_DAY, records  # noqa: F401 — the outreach records fixture


def _render(content: bytes, suffix: str, tmp_path) -> Rendered:
    src = tmp_path / f"report{suffix}"
    src.write_bytes(content)
    return Rendered(pdf.to_pdf(src, timeout=180))


def _col(title, kind="text"):
    return {"title": title, "kind": kind, "width": 12}


def county_like_data() -> dict:
    """A report dict shaped like the county's semimonthly report: ten streets with county totals,
    300 activities (a table over several pages), a push table per community."""
    streets = ["城关街道", "东城街道", "西城街道", "南湖街道", "北山街道", "龙泉镇", "桃源乡", "青山镇", "白云街道", "金桥街道"]
    children = [[s, 100 + i, 13034 + i, 200 + i, 15000 + i, 1360 + i, 9.1, 61.2, 45000 + i, 23788 + i, 52.9, 37.7, 30.2, 80.0,
                 "2026-12-31", 12000 + i, "进度滞后"] for i, s in enumerate(streets)]
    total = ["合计", 1045, 130385, 2045, 150045, 13645, 9.1, 61.2, 450045, 237925, 52.9, 37.7, 30.2, 80.0, "2026-12-31",
             120045, "进度滞后"]
    acts = [[f"2026-11-{1 + i % 13:02d}", f"{i + 1:03d}号前团结汽车销售服务有限公司", "新青山社区党群服务中心", "集中宣传",
             "进公共场所", "老年人、社会公众", 10 + i, 1000 + i, "冒充公检法及政府机关、虚假购物服务、冒充电商物流客服"]
            for i in range(300)]
    pushes = [[f"{streets[i % 10]}第{i + 1}社区", 2, 3, 1, 0, 6, 2] for i in range(60)]
    return {
        "kind": "semimonthly", "title": "某县防范电信网络诈骗宣传及国家反诈中心APP安装情况报表", "subtitle": "2026年第21期",
        "reporting_unit": "某县", "report_date": "2026-11-13", "generated_at": "2026-11-13 16:00",
        "period": {"start": "2026-10-29", "end": "2026-11-13", "label": "2026年10月29日至11月13日"},
        "meta": [("填报单位", "某县"), ("统计时段", "2026年10月29日至11月13日"), ("报送日期", "2026年11月13日")],
        "summary": "本期开展宣传活动1,045次，发放宣传资料130,385份。", "figures": {},
        "key_figures": [("宣传活动（次）", 1045, "int"), ("APP安装率（%）", 52.9, "pct")],
        "signature": ["填报人：", "单位负责人：", "联系电话："],
        "tables": [
            {"key": "children", "title": "各街道情况",
             "columns": [_col("名称"), _col("宣传活动（次）", "int"), _col("发放资料（份）", "int"), _col("微信群推送（次）", "int"),
                         _col("户数", "int"), _col("本期走访（户）", "int"), _col("本期入户宣传率（%）", "pct"),
                         _col("本年入户宣传率（%）", "pct"), _col("居民", "int"), _col("已安装APP", "int"),
                         _col("APP安装率（%）", "pct"), _col("来电预警开通率（%）", "pct"), _col("金钟罩注册率（%）", "pct"),
                         _col("目标（%）", "pct"), _col("期限"), _col("差距（人）", "int"), _col("进度")],
             "rows": children, "total": total},
            {"key": "activities", "title": "宣传活动明细",
             "columns": [_col("日期"), _col("组织单位"), _col("地点"), _col("形式"), _col("六进类别"), _col("宣传对象"),
                         _col("参与人数", "int"), _col("发放资料（份）", "int"), _col("宣传的诈骗类型")], "rows": acts},
            {"key": "pushes", "title": "微信群推送情况（每周至少两次）",
             "columns": [_col("社区/村")] + [_col(f"11月{d}日当周", "int") for d in (3, 10, 17, 24)]
                        + [_col("合计", "int"), _col("不足两次的周数", "int")], "rows": pushes},
        ],
    }


def _row_line(out: Rendered, name: str) -> str:
    return next((ln for p in out.pages for ln in p.splitlines() if squash(ln).startswith(name)), "")


@needs_lo
@pytest.mark.parametrize("route", ["word", "pdf"])
def test_county_report_prints_whole(tmp_path, route):
    """The county-shaped semimonthly report, the Word file printed and the PDF download alike: the 17-column
    table on landscape pages with every figure whole on its row, the activities' header on each of their
    pages, nothing outside the type area, page numbers on every page and the reporting unit and date at the end."""
    data = county_like_data()
    if route == "word":
        out = _render(reports.to_docx(data), ".docx", tmp_path)
    else:
        path = tmp_path / "report.pdf"
        path.write_bytes(reports.to_pdf(data))
        out = Rendered(path)
    children = data["tables"][0]
    for row in children["rows"] + [children["total"]]:
        line = _row_line(out, row[0])
        for v, c in zip(row[1:], children["columns"][1:]):
            assert cell_text(v, c["kind"]) in line.split(), (row[0], v)
    assert "26,67" not in squash("".join(out.pages)).replace("130,385", "")  # no figure cut (issue: "26,67")
    street_page = next(i for i, p in enumerate(out.pages) if "城关街道" in p)
    assert out.sizes[street_page][0] > out.sizes[street_page][1]  # landscape
    acts = data["tables"][1]["rows"]
    keys = {r[0] + r[1][:4] for r in acts}  # date and the organiser's number: one line of each row
    act_pages = [i for i, p in enumerate(out.pages) if any(squash(ln)[:14] in keys for ln in p.splitlines())]
    assert len(act_pages) >= 3
    assert sum(1 for p in out.pages for ln in p.splitlines() if squash(ln)[:14] in keys) == len(acts)  # none lost
    for i in act_pages:
        assert "宣传的诈骗类型" in squash(out.pages[i]) and "组织单位" in squash(out.pages[i]), i
    for r in acts:  # each activity row whole on one page: its place and its figures together
        line = _row_line(out, r[0] + r[1][:4])
        assert str(r[6]) in line.split() and f"{r[7]:,}" in line.split(), r[1]
    for page, x0, x1, w in out.words:
        width, height = out.sizes[page]
        left, right = (MARGINS["left"], MARGINS["right"]) if width < height else (35, 37)
        assert x0 >= left * MM - 3 and x1 <= width - right * MM + 3, (page, w)
    for i, page in enumerate(out.pages, start=1):
        assert f"—{i}—" in squash(page)
    last = squash(out.pages[-1])
    assert last.index("某县") < last.index("2026年11月13日")
    assert "填报人：" in squash("".join(out.pages[-2:]))


@needs_lo
def test_street_reports_print_with_the_api_figures(tree, records, tmp_path):
    """The street's real semimonthly report, Word and Excel printed: the summary and every per-community
    figure as the API gives it, the workbook's header row on every printed page, no figure shown as ###."""
    data = reports.semimonthly_data(reports.SYSTEM, tree.street, REPORT_DAY)
    word = _render(reports.to_docx(data), ".docx", tmp_path)
    text = squash("".join(word.pages))
    assert squash(data["summary"]) in text
    children = next(t for t in data["tables"] if t["key"] == "children")
    for row in children["rows"]:
        line = _row_line(word, row[0])
        for v, c in zip(row[1:], children["columns"][1:]):
            if isinstance(v, (int, float)):
                assert cell_text(v, c["kind"]) in line.split(), (row[0], c["title"], v)
    assert "西门街道" in squash(word.pages[-1]) and "2026年11月13日" in squash(word.pages[-1])

    (tmp_path / "x").mkdir()
    sheet = _render(reports.to_xlsx(data), ".xlsx", tmp_path / "x")
    joined = "\n".join(sheet.pages)
    assert "###" not in joined
    assert squash(data["title"]) in squash(sheet.pages[0])
    for k, v, kind in data["key_figures"]:
        if isinstance(v, (int, float)):
            assert re.search(rf"{re.escape(squash(k))}{re.escape(cell_text(v, kind))}(?!\d)", squash(joined)), k
    title = squash(f"{data['reporting_unit']} · {children['title']}")
    page = next(p for p in sheet.pages if title in squash(p))
    assert all(squash(c["title"])[:4] in squash(page) for c in children["columns"])  # every column on the page


@needs_lo
def test_pdf_download_beside_word_and_excel(login, personas, tree, records, settings):
    """Where LibreOffice is installed the reports page offers PDF; a PDF made on request is the report;
    the worker prints stored reports to PDF; the stored PDF is scoped like the Word file."""
    c = login(personas.office)
    page = c.get("/outreach/reports/").content.decode()
    assert 'value="pdf"' in page
    r = c.get(f"/outreach/reports/make/?kind=semimonthly&node={tree.street.pk}&date={REPORT_DAY}&fmt=pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert ".pdf" in r["Content-Disposition"]

    from django.utils import timezone

    evening = timezone.make_aware(dt.datetime(2026, 11, 13, 17, 0))
    jobs.generate_due_reports(evening, budget_seconds=600)
    c1_report = PeriodicReport.objects.get(kind="semimonthly", node=tree.c1, report_date=REPORT_DAY)
    street_report = PeriodicReport.objects.get(kind="semimonthly", node=tree.street, report_date=REPORT_DAY)
    from fanzha.outreach import evidence as ev

    assert jobs.make_due_pdfs(evening, limit=1) == 1
    made = [rep for rep in (c1_report, street_report) if ev.path_of(jobs.pdf_of(rep.docx_file)).exists()]
    assert len(made) <= 1
    c1_pdf = ev.path_of(jobs.pdf_of(c1_report.docx_file))
    community = login(personas.community)
    html = community.get("/outreach/reports/").content.decode()
    assert f"/outreach/reports/{c1_report.pk}/pdf/" in html and f"/outreach/reports/{street_report.pk}/pdf/" not in html
    assert community.get(f"/outreach/reports/{street_report.pk}/pdf/").status_code == 404
    d = community.get(f"/outreach/reports/{c1_report.pk}/pdf/")  # printed now if the worker has not yet
    assert d.status_code == 200 and d["Content-Type"] == "application/pdf"
    assert b"".join(d.streaming_content).startswith(b"%PDF") and c1_pdf.exists()
    # a report made again replaces its files, the PDF with them
    old_pdf = c1_pdf
    jobs.make_report(c1_report)
    assert not old_pdf.exists()


def test_no_pdf_without_libreoffice(login, personas, tree, monkeypatch):
    """Without LibreOffice on the server no PDF is offered, asked for (404) or made by the worker."""
    monkeypatch.setattr(pdf, "soffice", lambda: None)
    c = login(personas.office)
    page = c.get("/outreach/reports/").content.decode()
    assert 'value="pdf"' not in page and "/pdf/" not in page
    assert c.get(f"/outreach/reports/make/?kind=semimonthly&node={tree.street.pk}&date={REPORT_DAY}&fmt=pdf").status_code == 404
    assert jobs.make_due_pdfs() == 0
