import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from fanzha.analysis import services
from fanzha.analysis.briefing import about, briefing_numbers
from fanzha.analysis.models import Briefing
from fanzha.cases.models import Case
from fanzha.cases.periods import Period
from fanzha.outreach.models import Activity, HomeVisit, WeChatPush
from fanzha.supervision.models import Meeting, Visit

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 4, 2)
MARCH = Period.parse("2025-03")


def _placed(model, where, **kw):
    obj = model(**kw)
    obj.place_at(where)
    obj.save()
    return obj


@pytest.fixture
def records(tree, case_maker):
    """A month of hand-made records in the street (and one outside the month, one outside the street)."""
    for i, (node, mat, people) in enumerate([(tree.c1, 1200, 300), (tree.c2, 846, 150), (tree.g1, 0, 20)]):
        _placed(Activity, node, node=node, held_on=dt.date(2025, 3, 5 + i), place="广场", organiser="社区",
                kind="lecture", venue="community", materials=mat, participants=people)
    _placed(Activity, tree.c1, node=tree.c1, held_on=dt.date(2025, 2, 27), place="x", organiser="x", kind="lecture",
            venue="community", materials=999)
    _placed(Activity, tree.c9, node=tree.c9, held_on=dt.date(2025, 3, 5), place="x", organiser="x", kind="lecture",
            venue="community", materials=999)
    for d in (3, 10):
        _placed(HomeVisit, tree.g1a, household=tree.h1, visited_on=dt.date(2025, 3, d), visitors="网格员", materials=5)
    _placed(HomeVisit, tree.g3a, household=tree.h3, visited_on=dt.date(2025, 3, 12), visitors="网格员")
    for d in (5, 12, 19):
        _placed(WeChatPush, tree.c1, node=tree.c1, group_name="群", pushed_on=dt.date(2025, 3, d), title="提示")
    for d, kind in ((4, "scheduling"), (18, "scheduling"), (25, "topic")):
        _placed(Meeting, tree.street, held_on=dt.date(2025, 3, d), kind=kind, title="会", chair="主任")
    _placed(Visit, tree.c2, visited_on=dt.date(2025, 3, 20), visitors="督导组")
    case_maker(victim=tree.r1, reported_on=dt.date(2025, 3, 20), loss_on=dt.date(2025, 3, 10), today=TODAY)
    case_maker(victim=tree.r3, reported_on=dt.date(2025, 3, 21), loss_on=dt.date(2025, 3, 11), today=TODAY)
    case_maker(victim=tree.r3, reported_on=dt.date(2024, 3, 21), loss_on=dt.date(2024, 3, 11), today=TODAY)
    case_maker(victim=tree.r2, reported_on=dt.date(2024, 3, 22), loss_on=dt.date(2024, 3, 12), today=TODAY)
    case_maker(victim=tree.r2, reported_on=dt.date(2024, 3, 23), loss_on=dt.date(2024, 3, 13), today=TODAY)


def test_about_rounding():
    """Office rounding: exact below 100, two leading digits plus 余 above, 万 from ten thousand."""
    assert about(87) == "87"
    assert about(2046) == "2000余"
    assert about(2000) == "2000"
    assert about(156) == "150余"
    assert about(12345) == "1.2万余"
    assert about(30000) == "3万"


def test_every_number_against_independent_counts(tree, personas, records):
    """Each briefing number equals a count made here directly on the tables."""
    n = briefing_numbers(personas.office, node=tree.street, period=MARCH, today=TODAY)
    s = dict(street_id=tree.street.id)
    march = dict(held_on__gte=dt.date(2025, 3, 1), held_on__lte=dt.date(2025, 3, 31))
    assert n["activities"] == Activity.objects.filter(**s, **march).count() == 3
    assert n["participants"] == 470
    assert n["materials"] == 1200 + 846 + 10
    assert n["visits"] == HomeVisit.objects.filter(**s, visited_on__month=3).count() == 3
    assert n["visited_households"] == 2
    assert n["pushes"] == 3
    assert n["scheduling_meetings"] == Meeting.objects.filter(**s, kind="scheduling").count() == 2
    assert n["meetings"] == 3
    assert n["inspections"] == 1
    assert n["cases"] == Case.objects.filter(**s, loss_on__year=2025, loss_on__month=3).count() == 2
    assert n["yoy_count_pct"] == round((2 - 3) / 3 * 100, 1)
    assert [r["name"] for r in n["worst"]][0] in ("东关社区", "南门社区")


def test_generated_text_edit_publish_and_word(tree, personas, records, login):
    """The text reads the numbers in the seeds' style; the office edits and publishes; the numbers stay with it."""
    b = services.briefing_generate(user=personas.office, node=tree.street, period=MARCH, today=TODAY)
    assert "开展宣传活动3次" in b.text and "发放资料2000余份" in b.text and "召开调度会2次" in b.text
    assert "督导检查1次" in b.text and "本期发案2起，发案数同比下降33.3%" in b.text
    c = login(personas.office)
    r = c.post(f"/analysis/briefings/{b.pk}/", {"title": b.title, "text": "改过的正文\n第二段", "action": "publish"})
    assert r.status_code == 302
    b.refresh_from_db()
    assert b.status == "published" and b.text == "改过的正文\n第二段" and b.numbers["activities"] == 3
    r = c.post(f"/analysis/briefings/{b.pk}/", {"title": "x", "text": "再改", "action": "save"})
    assert r.status_code == 422
    b.refresh_from_db()
    assert b.text == "改过的正文\n第二段"
    r = c.get(f"/analysis/briefings/{b.pk}.docx")
    assert r.status_code == 200
    from docx import Document
    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert "改过的正文" in text
    assert login(personas.leader).post(f"/analysis/briefings/{b.pk}/", {"text": "x"}).status_code == 403


def test_bad_periods_and_empty_data(tree, personas, login):
    """A future period and a period with no records are refused with a clear message; out-of-scope is 404."""
    with pytest.raises(ValidationError, match="尚未开始"):
        services.briefing_generate(user=personas.office, node=tree.street, period=Period.parse("2025-06"), today=TODAY)
    with pytest.raises(ValidationError, match="没有任何台账或案件记录"):
        services.briefing_generate(user=personas.office, node=tree.street, period=Period.parse("2020-01"), today=TODAY)
    c = login(personas.office)
    r = c.post(f"/analysis/briefings/?node={tree.street.id}", {"period": "2020-01", "node": tree.street.id})
    assert r.status_code == 422 and "没有任何台账或案件记录" in r.content.decode()
    assert Briefing.objects.count() == 0
    assert c.get(f"/analysis/briefings/?node={tree.street2.id}").status_code == 404


def _overdue_notice(community, problem, deadline=dt.date(2025, 3, 25)):
    from fanzha.supervision.models import Rectification

    return _placed(Rectification, community, community=community, problem=problem, requirement="补齐",
                   issued_on=dt.date(2025, 3, 1), deadline=deadline)


def test_overdue_items_are_those_of_the_briefed_node(tree, personas, records):
    """A county office's briefing of one street lists that street's overdue items only; the county's lists all."""
    from fanzha.org import services as org_services

    _overdue_notice(tree.c1, "西门台账缺失")
    _overdue_notice(tree.c9, "东门台账缺失")
    _overdue_notice(tree.c2, "未到期", deadline=dt.date(2025, 5, 1))
    county_office = org_services.user_create(username="county_office", password="pw", role="office", node=tree.county)
    street = briefing_numbers(county_office, node=tree.street, period=MARCH, today=TODAY)
    assert street["overdue_total"] == 1 and [i["title"] for i in street["overdue"]] == [" 西门台账缺失"]
    county = briefing_numbers(county_office, node=tree.county, period=MARCH, today=TODAY)
    assert county["overdue_total"] == 2
    assert sorted(i["title"] for i in county["overdue"]) == [" 东门台账缺失", " 西门台账缺失"]
    b = services.briefing_generate(user=county_office, node=tree.street, period=MARCH, today=TODAY)
    assert "逾期未完成事项1项" in b.text and "西门台账缺失" in b.text and "东门台账缺失" not in b.text
    own = briefing_numbers(personas.office, node=tree.street, period=MARCH, today=TODAY)
    assert own["overdue_total"] == 1  # the street's own office: the same item
