"""Periodic reports: files opened back (openpyxl, python-docx) carry the API's figures;
periods of the 13th/28th/25th; the command; the worker's due reports made once."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.core.management import call_command
from docx import Document

from fanzha.outreach import jobs, periods, services
from fanzha.outreach.models import PeriodicReport, ReportStatus
from fanzha.outreach.tests.conftest import jpeg_bytes, upload

REPORT_DAY = dt.date(2026, 11, 13)


@pytest.fixture
def records(tree, personas):
    """Activities, visits with installs, pushes, a school letter and a target inside the period of 13 November."""
    day = dt.date(2026, 11, 5)
    today = dt.date(2026, 11, 23)
    for node, kind, part, mat in ((tree.c1, "lecture", 60, 120), (tree.g1, "leaflet", 25, 300), (tree.c2, "concentrated", 200, 500)):
        services.activity_record(user=personas.office, node=node, today=today, data=services.ActivityData(
            held_on=day, place=f"{node.name}广场", organiser=node.name, kind=kind, venue="community",
            audiences=["elderly"], participants=part, materials=mat, fraud_types=["rebate_task", "impersonate_authority"]))
    services.activity_record(user=personas.office, node=tree.c1, today=today, data=services.ActivityData(
        held_on=dt.date(2026, 10, 20), place="outside the period", organiser="x", kind="film", venue="community",
        audiences=[], participants=999, materials=999, fraud_types=[]))
    services.activity_record(user=personas.liaison, node=None, unit=tree.unit, today=today, data=services.ActivityData(
        held_on=day, place="西门小学", organiser="西门小学", kind="training", venue="school", audiences=["teachers"],
        participants=40, materials=40, fraud_types=["romance"]), files=[upload("t.jpg", jpeg_bytes())])
    services.home_visit_record(user=personas.grid1, household=tree.h1, visited_on=day, visitors="grid1", actions=["explained"],
                               materials=3, installs=[services.InstallChange(tree.r1, "app", True),
                                                      services.InstallChange(tree.r1b, "app", True),
                                                      services.InstallChange(tree.r1b, "call_warning", True)], today=today)
    services.home_visit_record(user=personas.grid2, household=tree.h2, visited_on=dt.date(2026, 11, 12), visitors="grid2",
                               actions=["materials"], materials=2, today=today)
    services.installs_apply(user=personas.liaison, changes=[services.InstallChange(tree.staff, "app", True)],
                            on=dt.date(2026, 11, 1), today=today)
    for d in (dt.date(2026, 11, 2), dt.date(2026, 11, 4)):
        services.wechat_push_record(user=personas.community, node=tree.c1, group_name="东关居民群", pushed_on=d, title="提醒", today=today)
    services.school_letter_create(user=personas.liaison, unit=tree.unit, title="致家长的一封信", sent_on=day,
                                  classes=[("一年级1班", 40), ("一年级2班", 38)], today=today)
    services.install_target_set(user=personas.office, node=tree.street, group="residents", rate=80,
                                deadline=dt.date(2026, 12, 31), today=today)
    # The households and residents were registered before the reports' dates (a past report counts
    # the population as of its date).
    from django.utils import timezone

    from fanzha.org.models import Household, Resident

    registered = timezone.make_aware(dt.datetime(2026, 10, 1, 9))
    Household.objects.update(created_at=registered)
    Resident.objects.update(created_at=registered)


def test_periods():
    """13th: from the 29th before (1 March after a short February); 28th: from the 14th; monthly: the month to date."""
    assert periods.semimonthly(dt.date(2026, 11, 13)) == periods.ReportPeriod(dt.date(2026, 10, 29), dt.date(2026, 11, 13))
    assert periods.semimonthly(dt.date(2026, 11, 28)) == periods.ReportPeriod(dt.date(2026, 11, 14), dt.date(2026, 11, 28))
    assert periods.semimonthly(dt.date(2026, 3, 13)).start == dt.date(2026, 3, 1)
    assert periods.semimonthly(dt.date(2028, 3, 13)).start == dt.date(2028, 2, 29)
    assert periods.semimonthly(dt.date(2026, 1, 13)).start == dt.date(2025, 12, 29)
    assert periods.semimonthly(dt.date(2026, 11, 30)).start == dt.date(2026, 11, 29)
    assert periods.unit_monthly(dt.date(2026, 11, 24)) == periods.ReportPeriod(dt.date(2026, 11, 1), dt.date(2026, 11, 24))
    assert periods.issue_number(dt.date(2026, 11, 28)) == 22
    assert periods.last_semimonthly_day(dt.date(2026, 11, 5)) == dt.date(2026, 10, 28)


def _summary_numbers(text: str) -> list[str]:
    m = re.match(r"本期开展宣传活动(\d+)次，发放宣传资料(\d+)份，入户走访(\d+)户，国家反诈中心APP安装率([\d.]+|—)%?", text)
    assert m, text
    return list(m.groups())


def test_semimonthly_files_match_the_api(login, personas, tree, records):
    """The .xlsx and .docx of the street's report show exactly the figures the API returns, all computed."""
    c = login(personas.office)
    api = c.get(f"/api/v1/outreach/reports/semimonthly?node={tree.street.pk}&date={REPORT_DAY}").json()
    f = api["figures"]
    # independent expectations for this small world
    # the school's training is an activity inside the street too (placed at the street, in no community)
    assert f["activities"] == 4 and f["participants"] == 325 and f["activity_materials"] == 960
    assert f["visit_materials"] == 5 and f["materials"] == 965 and f["visited_households"] == 2
    assert f["residents"] == 4 and f["app"] == 2 and f["app_rate"] == 50.0 and f["call_warning"] == 1
    assert f["pushes"] == 2 and f["letters_sent"] == 78 and f["staff"] == 1 and f["staff_app"] == 1
    assert f["target_rate"] == 80.0 and f["target_gap"] == 2 and f["households"] == 3
    assert _summary_numbers(api["summary"]) == ["4", "965", "2", "50.0"]

    x = c.get(f"/outreach/reports/make/?kind=semimonthly&node={tree.street.pk}&date={REPORT_DAY}&fmt=xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(x.content))
    summary = wb.worksheets[0]
    assert summary["A1"].value == api["title"]
    cells = {row[0].value: row[1].value for row in summary.iter_rows(min_row=3) if row[0].value}
    assert cells["总体情况"] == api["summary"]
    for label, value, _kind in api["key_figures"]:
        assert cells[label] == value, label
    children = wb.worksheets[1]
    header = [cell.value for cell in children[3]]
    api_children = next(t for t in api["tables"] if t["key"] == "children")
    assert header == [col["title"] for col in api_children["columns"]]
    for i, row in enumerate(api_children["rows"], start=4):
        got = [cell.value for cell in children[i]]
        assert got == [v if v not in ("", None) else None for v in row]
    total_row = [cell.value for cell in children[4 + len(api_children["rows"])]]
    assert total_row[0] == "合计" and total_row[9] == f["app"] and total_row[10] == f["app_rate"]

    d = c.get(f"/outreach/reports/make/?kind=semimonthly&node={tree.street.pk}&date={REPORT_DAY}&fmt=docx")
    doc = Document(io.BytesIO(d.content))
    paras = [p.text for p in doc.paragraphs if p.text.strip()]
    assert paras[0] == api["title"] and "2026年第21期" in paras[1]
    assert "填报单位：西门街道" in paras[2] and "统计时段：2026年10月29日至11月13日" in paras[2]
    body = next(p for p in paras if p.startswith("本期开展宣传活动"))
    assert body == api["summary"]
    assert _summary_numbers(body) == ["4", "965", "2", "50.0"]
    table = doc.tables[0]
    assert [cell.text for cell in table.rows[0].cells] == [col["title"] for col in api_children["columns"]]
    c1_row = next(r for r in table.rows if r.cells[0].text == "东关社区")
    c1_api = next(r for r in api_children["rows"] if r[0] == "东关社区")
    assert c1_row.cells[9].text == str(c1_api[9]) and c1_row.cells[10].text == f"{c1_api[10]:.1f}"


def test_unit_monthly_report(login, personas, tree, records):
    """The units' report: staff rates by type and by unit, unit activities only; Word opens."""
    c = login(personas.liaison)
    api = c.get(f"/api/v1/outreach/reports/unit-monthly?unit={tree.unit.pk}&date=2026-11-23").json()
    assert api["figures"]["activities"] == 1 and api["figures"]["staff"] == 1 and api["figures"]["app_rate"] == 100.0
    assert api["summary"].startswith("本期开展宣传活动1次，发放宣传资料40份")
    d = c.get(f"/outreach/reports/make/?kind=unit_monthly&unit={tree.unit.pk}&date=2026-11-23&fmt=docx")
    doc = Document(io.BytesIO(d.content))
    assert any(p.text == api["summary"] for p in doc.paragraphs)
    wb = openpyxl.load_workbook(io.BytesIO(c.get(f"/outreach/reports/make/?kind=unit_monthly&unit={tree.unit.pk}&date=2026-11-23&fmt=xlsx").content))
    units = wb["各单位情况"]
    assert units["A4"].value == "西门小学" and units["F4"].value == 1 and units["H4"].value == 100.0


def test_report_command(tree, records, tmp_path):
    """`fanzha report semimonthly --node CODE --date D --out FILE` writes the format of the extension."""
    out = tmp_path / "s.xlsx"
    call_command("report", "semimonthly", "--node", "S", "--date", "2026-11-13", "--out", str(out))
    wb = openpyxl.load_workbook(out)
    assert wb.worksheets[0]["A1"].value.startswith("西门街道")
    out_docx = tmp_path / "u.docx"
    call_command("report", "unit-monthly", "--node", "S", "--date", "2026-11-23", "--out", str(out_docx))
    assert any("各单位" in p.text for p in Document(out_docx).paragraphs)
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("report", "semimonthly", "--node", "NOPE", "--date", "2026-11-13", "--out", str(out))
    with pytest.raises(CommandError):
        call_command("report", "semimonthly", "--node", "S", "--date", "2026-11-13", "--out", str(tmp_path / "x.pdf"))


def test_worker_makes_due_reports_once(tree, records, settings):
    """On the 13th after the report hour every community, street and county gets its report, once; downloads work."""
    settings.FANZHA_REPORT_HOUR = 16
    due = jobs.reports_due(REPORT_DAY)
    kinds = {(d.kind, d.node_id) for d in due}
    assert ("semimonthly", tree.c1.id) in kinds and ("semimonthly", tree.street.id) in kinds and ("semimonthly", tree.county.id) in kinds
    assert not any(k == "unit_monthly" for k, _n in kinds)  # 25 October is past the catch-up window
    from django.utils import timezone

    morning = timezone.make_aware(dt.datetime(2026, 11, 13, 9, 0))
    evening = timezone.make_aware(dt.datetime(2026, 11, 13, 17, 0))
    assert jobs.generate_due_reports(morning) == 0
    made = jobs.generate_due_reports(evening, budget_seconds=600)
    semis = PeriodicReport.objects.filter(kind="semimonthly", report_date=REPORT_DAY, status=ReportStatus.DONE)
    assert semis.count() == 3 + 2 + 1  # communities C1, C2, C9; streets S, T; county K
    assert made == semis.count()
    assert jobs.generate_due_reports(evening) == 0
    r = semis.get(node=tree.street)
    assert r.figures["activities"] == 4 and r.period_start == dt.date(2026, 10, 29)
    assert jobs.claim(r.id, evening) is False


def test_stored_report_download_is_scoped(login, personas, tree, records):
    """Stored periodic reports are listed and downloaded only within the user's scope (404 otherwise)."""
    from django.utils import timezone

    jobs.generate_due_reports(timezone.make_aware(dt.datetime(2026, 11, 13, 17, 0)), budget_seconds=600)
    street_report = PeriodicReport.objects.get(kind="semimonthly", node=tree.street, report_date=REPORT_DAY)
    c1_report = PeriodicReport.objects.get(kind="semimonthly", node=tree.c1, report_date=REPORT_DAY)
    c = login(personas.community)
    assert c.get(f"/outreach/reports/{c1_report.pk}/docx/").status_code == 200
    assert c.get(f"/outreach/reports/{street_report.pk}/xlsx/").status_code == 404
    html = c.get("/outreach/reports/").content.decode()
    assert f"/outreach/reports/{c1_report.pk}/xlsx/" in html and f"/outreach/reports/{street_report.pk}/xlsx/" not in html
    x = login(personas.office).get(f"/outreach/reports/{street_report.pk}/xlsx/")
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(x.streaming_content)))
    assert wb.worksheets[0]["A1"].value.startswith("西门街道")
