"""Case pages and API: permission matrix, forms keeping input, stats export opened back."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from fanzha.cases.models import Case


@pytest.fixture
def c1_case(tree, case_maker):
    return case_maker(victim=tree.r1, reported_on=dt.date(2025, 5, 5), loss_on=dt.date(2025, 5, 4), loss=Decimal("2000"))


@pytest.fixture
def c2_case(tree, case_maker):
    return case_maker(victim=tree.r3, reported_on=dt.date(2025, 6, 5), loss_on=dt.date(2025, 6, 5), loss=Decimal("3000"))


@pytest.mark.parametrize("who, status", [("police", 200), ("office", 200), ("leader", 200), ("community", 200), ("grid1", 200), ("grid2", 404), ("outsider", 404)])
def test_detail_scoped(login, personas, c1_case, who, status):
    """A case of grid 1 is visible in its tree and 404 elsewhere."""
    assert login(getattr(personas, who)).get(f"/cases/{c1_case.pk}/").status_code == status


def test_community_list_only_own(login, personas, c1_case, c2_case):
    """The community user's case list holds its own community's case only."""
    html = login(personas.community).get("/cases/").content.decode()
    assert f"/cases/{c1_case.pk}/" in html and f"/cases/{c2_case.pk}/" not in html


@pytest.mark.parametrize("who, status", [("leader", 403), ("community", 403), ("grid1", 403)])
def test_only_police_and_office_register(login, personas, tree, who, status):
    """Only police and the office register cases; others get 403."""
    r = login(getattr(personas, who)).post("/cases/new/", {"reported_on": "2025-01-02"})
    assert r.status_code == status


def test_wrong_method(login, personas, c1_case):
    """Detail answers GET only; classify answers POST only."""
    c = login(personas.police)
    assert c.post(f"/cases/{c1_case.pk}/").status_code == 405
    assert c.get("/cases/classify/").status_code == 405


def test_register_through_form_and_keep_input_on_error(login, personas, tree):
    """A bad form keeps what was typed and says why; a good one registers the case."""
    c = login(personas.police)
    data = {"reported_on": "2025-04-01", "loss_on": "2025-04-03", "loss": "5000", "stopped": "9000", "channel": "phone",
            "fraud_type": "fake_loan", "victim": tree.r2.pk, "narrative": "网上申请贷款，对方称需缴纳解冻金"}
    r = c.post("/cases/new/", data)
    html = r.content.decode()
    assert r.status_code == 200
    assert "网上申请贷款，对方称需缴纳解冻金" in html
    assert "发案日期不能晚于报案日期" in html and "止付冻结返还金额不能大于损失金额" in html
    assert not Case.objects.exists()
    data.update(loss_on="2025-03-30", stopped="100")
    r = c.post("/cases/new/", data)
    assert r.status_code == 302
    case = Case.objects.get()
    assert case.community_id == tree.c1.id and case.fraud_type == "fake_loan"


def test_victim_out_of_scope_is_404(login, personas, tree):
    """Registering a case on a resident outside one's scope answers 404."""
    c = login(personas.police)
    r = c.post("/cases/new/", {"reported_on": "2025-04-01", "loss_on": "2025-04-01", "loss": "5", "channel": "phone",
                               "fraud_type": "other", "victim": tree.r9.pk})
    assert r.status_code == 404


def test_classify_fragment_shows_evidence(login, personas):
    """The form's live suggestion names the type and quotes the deciding words."""
    r = login(personas.police).post("/cases/classify/", {"narrative": "对方自称公安局民警，说我涉嫌洗钱，要求把钱转到安全账户"})
    html = r.content.decode()
    assert "冒充公检法" in html and "安全账户" in html


def test_stats_page_and_export_match_api(login, personas, tree, c1_case, c2_case, django_assert_max_num_queries):
    """The dashboard, the stats API and the .xlsx export give the same totals, in bounded queries."""
    c = login(personas.office)
    with django_assert_max_num_queries(20):
        r = c.get(f"/cases/stats/?node={tree.street.pk}&period=2025")
    assert r.status_code == 200
    api = c.get(f"/api/v1/stats/cases?node={tree.street.pk}&period=2025").json()
    assert api["total"]["count"] == 2 and api["total"]["loss"] == 5000.0
    x = c.get(f"/cases/stats.xlsx?node={tree.street.pk}&period=2025")
    wb = openpyxl.load_workbook(io.BytesIO(x.content))
    ws = wb.worksheets[0]
    assert ws.cell(2, 3).value == api["total"]["count"]
    assert ws.cell(2, 4).value == api["total"]["loss"]
    ranking = {r["name"]: r["count"] for r in api["ranking"]}
    assert ranking == {"东关社区": 1, "南门社区": 1}


def test_stats_api_scope_and_bad_input(login, personas, tree, c1_case):
    """A community cannot ask for another node's stats (404); a bad period is a 4xx, never 500."""
    c = login(personas.community)
    assert c.get(f"/api/v1/stats/cases?node={tree.c2.pk}").status_code == 404
    assert c.get("/api/v1/stats/cases?period=2025H9").status_code == 422  # refused by the schema (period pattern, 98460b5)
    assert c.get("/api/v1/stats/cases?by=week").status_code == 422
    assert c.get(f"/api/v1/stats/cases?node={tree.c1.pk}&period=2025").json()["total"]["count"] == 1


def test_classify_api(login, personas):
    """POST /api/v1/cases/classify returns type, confidence and evidence; bad body is 4xx."""
    c = login(personas.grid1)
    r = c.post("/api/v1/cases/classify", {"text": "在游戏里买装备账号，卖家说账户被冻结要交解冻费"}, content_type="application/json")
    body = r.json()
    assert r.status_code == 200 and body["type"] == "game_trade" and body["evidence"]
    assert 0 < body["confidence"] <= 1
    assert c.post("/api/v1/cases/classify", {"txt": 1}, content_type="application/json").status_code == 422


def test_case_api_write_rules(login, personas, tree):
    """The API registers cases for police, refuses the leader (403) and bad amounts (400)."""
    body = {"reported_on": "2025-02-02", "loss_on": "2025-02-01", "victim_id": tree.r2.pk, "loss": "800",
            "fraud_type": "fake_shopping", "channel": "wechat"}
    assert login(personas.leader).post("/api/v1/cases", body, content_type="application/json").status_code == 403
    c = login(personas.police)
    r = c.post("/api/v1/cases", body, content_type="application/json")
    assert r.status_code == 201 and r.json()["community_id"] == tree.c1.pk
    bad = dict(body, stopped="900")
    r = c.post("/api/v1/cases", bad, content_type="application/json")
    assert r.status_code == 400 and "stopped" in r.json()["errors"]


def test_targets_page(login, personas, tree, c1_case):
    """The office sets a target on the page and sees it with its status; the leader cannot set one."""
    c = login(personas.office)
    r = c.post("/cases/targets/?year=2025", {"node": tree.street.pk, "kind": "all", "period": "2025", "base_period": "2024", "change_pct": "-5"})
    assert r.status_code == 302
    html = c.get("/cases/targets/?year=2025").content.decode()
    assert "西门街道" in html and "-5" in html
    r = login(personas.leader).post("/cases/targets/?year=2025", {"node": tree.street.pk, "kind": "all", "period": "2025", "base_period": "2024", "change_pct": "-5"})
    assert r.status_code == 403


def test_form_has_one_victim_input_and_no_english_label(login, personas, tree):
    """The case form draws no stray hidden `victim` field nor an English "Victim" label."""
    html = login(personas.police).get("/cases/new/").content.decode()
    assert 'name="victim"' not in html  # only the search results carry it
    assert ">Victim" not in html
    assert 'name="_find"' in html and "cases/case_form.js" in html


def test_picked_victim_saves_and_survives_an_error(login, personas, tree):
    """A picked resident registers the case; on a form error the pick is kept, not lost."""
    c = login(personas.police)
    data = {"reported_on": "2025-04-01", "loss_on": "2025-04-01", "loss": "", "channel": "phone",
            "fraud_type": "fake_loan", "victim_q": "李秀英", "victim": str(tree.r2.pk), "community": ""}
    r = c.post("/cases/new/", data)
    html = r.content.decode()
    assert r.status_code == 200 and not Case.objects.exists()
    assert f'name="victim" value="{tree.r2.pk}" checked' in html and "请选择社区" not in html
    data["loss"] = "800"
    r = c.post("/cases/new/", data)
    assert r.status_code == 302
    case = Case.objects.get()
    assert case.victim_id == tree.r2.pk and case.community_id == tree.c1.id


def test_find_button_searches_without_saving(login, personas, tree):
    """With JS off, Enter or 查找 in the victim search lists residents and saves nothing, showing no errors."""
    r = login(personas.police).post("/cases/new/", {"victim_q": "李秀英", "_find": "1", "loss": "12",
                                                    "narrative": "刷单返利"})
    html = r.content.decode()
    assert r.status_code == 200 and not Case.objects.exists()
    assert f'name="victim" value="{tree.r2.pk}"' in html and "刷单返利" in html
    assert "errorlist" not in html


@pytest.mark.parametrize("url", ["/cases/", "/cases/new/", "/cases/stats/", "/cases/targets/", "/cases/victims/?victim_q=王"])
def test_group_head_cannot_open_cases(login, personas, url):
    """Group heads (联户长) open no case page, statistics or targets (SPEC §1)."""
    assert login(personas.grouphead).get(url).status_code == 403


def test_grid_worker_list_hides_targets_link(login, personas):
    """A grid worker may not open the targets, so the case list does not link them."""
    html = login(personas.grid1).get("/cases/").content.decode()
    assert "/cases/targets/" not in html
    assert login(personas.grid1).get("/cases/targets/").status_code == 403


def test_date_inputs_are_iso(login, personas):
    """type=date inputs carry ISO values (a browser drops "2026/11/26" and the date is lost)."""
    html = login(personas.police).get("/cases/new/").content.decode()
    import re
    values = re.findall(r'type="date" name="\w+" value="([^"]+)"', html)
    assert len(values) == 2 and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for v in values)
