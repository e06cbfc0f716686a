"""One definition of each outreach figure: the semimonthly report's 汇总 sheet, its per-community sheet and
合计, the summary sentence, the API and the dashboard give the same activities and materials; what the street
did itself is a visible 街道本级 row."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from fanzha.outreach.tests.test_reports import REPORT_DAY, records  # noqa: F401  (fixture)


def _cells(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def _right_of(rows: list[list], label: str):
    for row in rows:
        for i, v in enumerate(row):
            if v == label:
                return next(x for x in row[i + 1:] if x not in (None, ""))
    raise AssertionError(f"{label} not found")


def test_materials_and_activities_agree_everywhere(login, personas, tree, records):  # noqa: F811
    """发放资料 = activity + home-visit materials in the API, 汇总, summary, per-community rows + 本级 and 合计, dashboard."""
    c = login(personas.office)
    api = c.get(f"/api/v1/outreach/reports/semimonthly?node={tree.street.pk}&date={REPORT_DAY}").json()
    f = api["figures"]
    assert f["materials"] == f["activity_materials"] + f["visit_materials"] == 965
    children = next(t for t in api["tables"] if t["key"] == "children")
    own = [r for r in children["rows"] if r[0] == "街道本级"]
    assert own and own[0][1] == 1 and own[0][2] == 40  # the school's training, held at street level
    assert sum(r[1] for r in children["rows"]) == children["total"][1] == f["activities"] == 4
    assert sum(r[2] for r in children["rows"]) == children["total"][2] == f["materials"]
    assert re.search(r"发放宣传资料(\d+)份", api["summary"]).group(1) == str(f["materials"])

    wb = openpyxl.load_workbook(io.BytesIO(c.get(
        f"/outreach/reports/make/?kind=semimonthly&node={tree.street.pk}&date={REPORT_DAY}&fmt=xlsx").content))
    summary = _cells(wb.worksheets[0])
    assert _right_of(summary, "发放宣传资料（份）") == f["materials"]
    assert _right_of(summary, "宣传活动（次）") == f["activities"]
    sheet = _cells(wb.worksheets[1])
    total = next(r for r in sheet if r[0] == "合计")
    body = [r for r in sheet if r[0] in {row[0] for row in children["rows"]}]
    assert len(body) == len(children["rows"])
    assert total[2] == sum(r[2] for r in body) == f["materials"]
    assert total[1] == sum(r[1] for r in body) == f["activities"]

    period = api["period"]
    html = c.get(f"/outreach/?node={tree.street.pk}&start={period['start']}&end={period['end']}").content.decode()
    tile = re.search(r'id="fig-materials">([\d,]+)<', html).group(1).replace(",", "")
    assert int(tile) == f["materials"]
    assert re.search(r'id="fig-activities">(\d+)<', html).group(1) == str(f["activities"])
    assert re.search(r'id="total-activities">(\d+)<', html).group(1) == str(f["activities"])
    assert 'id="row-own"' in html and "街道本级" in html
    own_cell = re.search(r'id="row-own">.*?<td class="num"[^>]*>(\d+)</td>', html, re.S).group(1)
    assert own_cell == "1"


@pytest.mark.django_db
def test_rows_add_up_without_own_level(login, personas, tree):
    """With nothing held at the street itself there is no 本级 row and the table still adds up."""
    html = login(personas.office).get(f"/outreach/?node={tree.street.pk}").content.decode()
    assert 'id="row-own"' not in html
