"""Office review, publishing, freezing, the year-end list, and who sees what."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fanzha.assessment import services
from fanzha.assessment.models import Assessment, Verdict
from fanzha.core.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(tree, personas, mk_case):
    """2025 for 西门街道: c1 with a 500,000-yuan case, c2 clean; the unit clean."""
    mk_case(node=tree.c1, loss="500000")
    return services.assessment_open(street=tree.street, period="2025", user=personas.office)


def attest_all(run, user):
    for v in run.verdicts.all():
        for c in v.criteria:
            if c["manual"]:
                services.criterion_attest(verdict=v, key=c["key"], ok=True, note="查阅台账及影像资料", user=user)


def test_period_without_records_refused(tree, personas):
    """A period with no record at all is refused with a clear message; a period not begun too."""
    with pytest.raises(ValidationError) as e:
        services.assessment_open(street=tree.street, period="2019", user=personas.office)
    assert "没有任何台账记录" in str(e.value)
    with pytest.raises(ValidationError) as e:
        services.assessment_open(street=tree.street, period="2031", user=personas.office)
    assert "尚未开始" in str(e.value)
    with pytest.raises(ValidationError):
        services.assessment_open(street=tree.street, period="2025Q1", user=personas.office)
    assert not Assessment.objects.exists()


def test_publish_refused_with_missing_list(run, personas):
    """Publishing with unattested manual criteria is refused and names each one missing."""
    with pytest.raises(ValidationError) as e:
        services.assessment_publish(run=run, user=personas.office)
    msgs = e.value.messages
    assert any("东关社区：各项工作职责落实到位" in m for m in msgs)
    assert any("西门小学：对职工和服务对象开展宣传" in m for m in msgs)
    run.refresh_from_db()
    assert run.status == "draft"


def test_override_needs_reason_and_is_audited(run, tree, personas):
    """An override without a reason is refused; with one it is kept, shown and audited."""
    v = Verdict.objects.get(assessment=run, subject=tree.c1)
    with pytest.raises(ValidationError):
        services.verdict_override(verdict=v, outcome="pass", reason="  ", user=personas.office)
    v.refresh_from_db()
    assert v.override == ""
    services.verdict_override(verdict=v, outcome="pass", reason="该案系外地人员冒用地址报案，经核实不属本社区", user=personas.office)
    v.refresh_from_db()
    assert v.outcome == "pass" and v.computed == "fail" and "冒用地址" in v.reason_text()
    assert AuditLog.objects.filter(action="assess.override", detail__contains="冒用地址").exists()


def test_published_verdicts_frozen_and_reassessment_keeps_old(run, tree, personas, mk_case):
    """After publishing, a new major case changes nothing in the run; a re-assessment is a new run."""
    attest_all(run, personas.office)
    services.assessment_publish(run=run, user=personas.office)
    c2 = Verdict.objects.get(assessment=run, subject=tree.c2)
    assert c2.outcome == "pass"
    before = c2.criteria
    mk_case(node=tree.c2, loss="800000", reported_on=dt.date(2025, 11, 1))
    with pytest.raises(ValidationError):
        services.assessment_refresh(run=run, user=personas.office)
    with pytest.raises(ValidationError):
        services.verdict_override(verdict=c2, outcome="fail", reason="x", user=personas.office)
    c2.refresh_from_db()
    assert c2.outcome == "pass" and c2.criteria == before
    new = services.assessment_reassess(run=run, user=personas.office)
    assert new.pk != run.pk and new.supersedes_id == run.pk
    assert Verdict.objects.get(assessment=new, subject=tree.c2).computed == "fail"
    assert Verdict.objects.get(assessment=run, subject=tree.c2).outcome == "pass"


def test_draft_refresh_keeps_attestations(run, tree, personas, mk_case):
    """Recomputing a draft picks up new records and keeps what the office attested."""
    v = Verdict.objects.get(assessment=run, subject=tree.c2)
    services.criterion_attest(verdict=v, key="duties", ok=True, note="台账齐全", user=personas.office)
    mk_case(node=tree.c2, loss="600000")
    services.assessment_refresh(run=run, user=personas.office)
    v.refresh_from_db()
    assert v.computed == "fail"
    assert next(c for c in v.criteria if c["key"] == "duties")["attested"]["note"] == "台账齐全"


def test_word_list_matches_api(run, tree, personas, login):
    """The Word list, opened back, holds the same names and verdicts as the API, in the same groups."""
    import docx

    attest_all(run, personas.office)
    client = login(personas.office)
    api = client.get(f"/api/v1/assessment/runs/{run.pk}").json()
    resp = client.get(reverse("assessment:run_export", args=[run.pk, "docx"]))
    assert resp.status_code == 200
    d = docx.Document(io.BytesIO(resp.content))
    got = []
    for table in d.tables:
        for row in table.rows[1:]:
            cells = [c.text for c in row.cells]
            got.append((cells[2], cells[3]))
    want = [(r["name"], r["outcome_label"]) for r in api["rows"] if r["outcome"] == "pass"] + \
           [(r["name"], r["outcome_label"]) for r in api["rows"] if r["outcome"] != "pass"]
    assert sorted(got) == sorted(want) and len(got) == 3
    assert ("东关社区", "未达标") in got
    text = "\n".join(p.text for p in d.paragraphs)
    assert api["title"] in text
    reasons = {row.cells[2].text: row.cells[4].text for t in d.tables for row in t.rows[1:]}
    assert "50万元以上" in reasons["东关社区"]
    x = client.get(reverse("assessment:run_export", args=[run.pk, "xlsx"]))
    assert x.status_code == 200 and x.content[:2] == b"PK"


def test_pages_and_access(run, tree, personas, login):
    """Office opens, attests, overrides through the pages; leader reads only; other street 404; GET-only 405."""
    office = login(personas.office)
    v = Verdict.objects.get(assessment=run, subject=tree.c1)
    assert office.get(reverse("assessment:run", args=[run.pk])).status_code == 200
    r = office.get(reverse("assessment:verdict", args=[v.pk]))
    assert r.status_code == 200 and "有1起50万元以上案件" in r.content.decode()
    r = office.post(reverse("assessment:verdict", args=[v.pk]), {"what": "override", "outcome": "pass", "reason": ""})
    assert r.status_code == 200 and "必须写明理由" in r.content.decode()
    r = office.post(reverse("assessment:verdict", args=[v.pk]), {"what": "attest", "key": "duties", "ok": "1",
                                                                  "note": "走访台账、活动照片齐全"})
    assert r.status_code == 302
    v.refresh_from_db()
    assert next(c for c in v.criteria if c["key"] == "duties")["attested"]["ok"] is True
    r = office.post(reverse("assessment:run_action", args=[run.pk, "publish"]), follow=True)
    assert "尚未认定" in r.content.decode()
    assert office.get(reverse("assessment:run_action", args=[run.pk, "publish"])).status_code == 405
    office.logout()
    leader = login(personas.leader)
    assert leader.get(reverse("assessment:run", args=[run.pk])).status_code == 200
    assert leader.post(reverse("assessment:run_action", args=[run.pk, "publish"])).status_code == 403
    assert leader.post(reverse("assessment:verdict", args=[v.pk]), {"what": "override"}).status_code == 403
    leader.logout()
    outsider = login(personas.outsider)
    assert outsider.get(reverse("assessment:run", args=[run.pk])).status_code == 404
    assert outsider.get(reverse("assessment:verdict", args=[v.pk])).status_code == 404
    assert outsider.get(f"/api/v1/assessment/runs/{run.pk}").status_code == 404


def test_community_and_unit_see_own_standing(run, tree, personas, login, mk_case):
    """The community sees "存在风险：有1起50万元以上案件" live; the liaison sees its unit only."""
    c = login(personas.community)
    page = c.get(reverse("assessment:home")).content.decode()
    assert "存在风险：" in page and "有1起50万元以上案件" in page and "东关社区" in page and "南门社区" not in page
    c2v = Verdict.objects.get(assessment=run, subject=tree.c2)
    assert c.get(reverse("assessment:verdict", args=[c2v.pk])).status_code == 404
    assert c.get(reverse("assessment:run", args=[run.pk])).status_code == 404
    c.logout()
    li = login(personas.liaison)
    page = li.get(reverse("assessment:home")).content.decode()
    assert "西门小学" in page and "东关社区" not in page
    mk_case(node=tree.c1, unit=tree.unit, staff_link="staff", victim_name="赵老师")
    page = li.get(reverse("assessment:home")).content.decode()
    assert "存在风险：职工或家属被骗1起" in page


def test_api_verdict_and_list_page_queries(run, tree, personas, login, django_assert_max_num_queries):
    """The API gives a verdict's criteria with evidence; the list page's queries do not grow with the rows."""
    client = login(personas.office)
    v = Verdict.objects.get(assessment=run, subject=tree.c1)
    body = client.get(f"/api/v1/assessment/verdicts/{v.pk}").json()
    major = next(c for c in body["criteria"] if c["key"] == "major")
    assert major["ok"] is False and major["evidence"]["major"][0]["loss"] == 500000.0
    runs = client.get("/api/v1/assessment/runs").json()
    assert [r["period"] for r in runs] == ["2025"]
    with django_assert_max_num_queries(12):
        assert client.get(reverse("assessment:run", args=[run.pk])).status_code == 200
