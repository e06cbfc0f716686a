"""Plans, measures, progress, rectifications and criticism: the services' rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from fanzha.supervision import example_plan, selectors, services
from fanzha.supervision.models import Measure, Plan, RectificationStatus, Responsibility
from fanzha.supervision.services import Holder

from .conftest import TODAY, jpeg


def test_example_plan_loads_eleven_measures_with_seed_units(tree, personas, department):
    """Seed 002's plan loads as eleven measures; 各社区 becomes every community, named leads become units."""
    plan, created = services.plan_load_example(user=personas.office, street=tree.street, year=2026)
    measures = list(plan.measures.order_by("number"))
    assert len(measures) == 11 and plan.is_example
    assert [m.title for m in measures] == [m["title"] for m in example_plan.MEASURES]
    first = measures[0].responsibilities.select_related("unit")
    leads = sorted(r.unit.name for r in first if r.is_lead)
    assert leads == sorted(["办平安办", "办纪工委"])
    communities = {r.community_id for r in first if not r.unit_id}
    assert communities == {tree.c1.pk, tree.c2.pk}
    assert department.unit.pk in {r.unit_id for r in first}  # 各部门 includes the street's departments
    assert "西街派出所" in created
    assert measures[3].deadline == dt.date(2026, 9, 30)
    assert measures[4].responsibilities.filter(is_lead=False).count() == 1  # 责任单位：西街派出所 only


def test_copy_last_years_plan(sv):
    """A new year's plan copies measures and holders, moves dates a year on and starts progress at zero."""
    services.progress_report(user=sv.dept.user, responsibility=sv.r_dept, percent=100, text="完成", today=TODAY)
    new = services.plan_copy(user=sv.p.office, plan=sv.plan, year=2027)
    assert new.copied_from == sv.plan and new.year == 2027 and new.start_on == dt.date(2027, 1, 1)
    m = new.measures.get()
    assert (m.title, m.deadline, m.completed_on) == ("宣传进社区", dt.date(2027, 6, 1), None)
    rs = list(m.responsibilities.all())
    assert len(rs) == 3 and all(r.percent == 0 and r.completed_on is None for r in rs)
    assert {r.unit_id for r in rs if r.is_lead} == {sv.dept.unit.pk}
    # the old plan is untouched
    assert Responsibility.objects.get(pk=sv.r_dept.pk).percent == 100
    with pytest.raises(ValidationError):
        services.plan_copy(user=sv.p.office, plan=sv.plan, year=2027)  # same title and year twice


def test_deadline_before_start_is_refused(sv):
    """A measure whose deadline is before its start is refused with a message on the deadline."""
    with pytest.raises(ValidationError) as e:
        services.measure_save(user=sv.p.office, plan=sv.plan, title="x", start_on=dt.date(2026, 5, 1),
                              deadline=dt.date(2026, 4, 1), leads=[Holder(community=sv.tree.c1)], responsible=[])
    assert "早于开始日期" in e.value.message_dict["deadline"][0]
    with pytest.raises(ValidationError) as e:
        services.rectification_issue(user=sv.p.office, holder=Holder(unit=sv.dept.unit), problem="p", requirement="r",
                                     issued_on=dt.date(2026, 5, 1), deadline=dt.date(2026, 4, 30))
    assert "deadline" in e.value.message_dict


def test_progress_over_100_is_refused_and_nothing_changes(sv):
    """A report over 100% is refused; the responsibility keeps its progress."""
    with pytest.raises(ValidationError) as e:
        services.progress_report(user=sv.dept.user, responsibility=sv.r_dept, percent=120, text="超额", today=TODAY)
    assert "100" in e.value.message_dict["percent"][0]
    sv.r_dept.refresh_from_db()
    assert sv.r_dept.percent == 0 and not sv.r_dept.reports.exists()


def test_measure_completes_when_every_holder_reaches_100(sv):
    """The measure is complete on the day the last holder reports 100%; falling back reopens it."""
    for r in (sv.r_dept, sv.r_c1):
        services.progress_report(user=sv.p.office, responsibility=r, percent=100, text="完成", today=dt.date(2026, 5, 1))
    assert Measure.objects.get(pk=sv.measure.pk).completed_on is None
    services.progress_report(user=sv.p.office, responsibility=sv.r_school, percent=100, text="完成",
                             files=[jpeg()], today=dt.date(2026, 5, 20))
    assert Measure.objects.get(pk=sv.measure.pk).completed_on == dt.date(2026, 5, 20)
    assert sv.r_school.reports.get().photos.count() == 1
    services.progress_report(user=sv.p.office, responsibility=sv.r_school, percent=90, text="返工", today=dt.date(2026, 5, 21))
    assert Measure.objects.get(pk=sv.measure.pk).completed_on is None


def test_rectification_closes_only_with_evidence_and_acceptance(sv):
    """Submitting without a photo is refused; the office accepts only a submitted notice."""
    r = services.rectification_issue(user=sv.p.office, holder=Holder(unit=sv.dept.unit), problem="台账缺失",
                                     requirement="补齐", issued_on=TODAY, deadline=TODAY + dt.timedelta(days=10))
    assert r.number.startswith("整改〔2026〕")
    with pytest.raises(ValidationError) as e:
        services.rectification_submit(user=sv.dept.user, rectification=r, fix_note="已补齐", files=[])
    assert "照片" in e.value.message_dict["files"][0]
    with pytest.raises(ValidationError):
        services.rectification_accept(user=sv.p.office, rectification=r)
    services.rectification_submit(user=sv.dept.user, rectification=r, fix_note="已补齐", files=[jpeg()])
    r.refresh_from_db()
    assert r.status == RectificationStatus.SUBMITTED and r.photos.count() == 1
    services.rectification_return(user=sv.p.office, rectification=r, note="照片不清楚")
    r.refresh_from_db()
    assert r.status == RectificationStatus.OPEN and r.return_note == "照片不清楚"
    services.rectification_submit(user=sv.dept.user, rectification=r, fix_note="已补齐，重拍", files=[])  # earlier photo counts
    services.rectification_accept(user=sv.p.office, rectification=r, today=TODAY)
    r.refresh_from_db()
    assert r.status == RectificationStatus.ACCEPTED and r.accepted_on == TODAY
    with pytest.raises(ValidationError):
        services.rectification_submit(user=sv.dept.user, rectification=r, fix_note="again", files=[jpeg()])


def test_unit_criticised_in_period(sv):
    """The assessment's selector finds criticism of a unit inside the period only, county-only on request."""
    services.criticism_record(user=sv.p.office, holder=Holder(unit=sv.dept.unit), kind="criticism", issuer="street",
                              issued_on=dt.date(2025, 12, 30), reason="不到位", today=TODAY)
    c = services.criticism_record(user=sv.p.office, holder=Holder(unit=sv.dept.unit), kind="summons", issuer="county",
                                  issued_on=dt.date(2026, 3, 1), reason="约谈", today=TODAY)
    assert selectors.unit_criticised_in(sv.dept.unit, 2026) == [c]
    assert len(selectors.unit_criticised_in(sv.dept.unit, (dt.date(2025, 1, 1), dt.date(2026, 12, 31)))) == 2
    assert selectors.unit_criticised_in(sv.dept.unit, 2025, county_only=True) == []
    assert selectors.unit_criticised_in(sv.tree.unit, 2026) == []
    assert selectors.units_criticised_in([sv.dept.unit.pk, sv.tree.unit.pk], 2026) == {sv.dept.unit.pk: [c]}


def test_decision_becomes_a_task_tracked_like_a_measure(sv):
    """A meeting decision becomes a task with an owner and deadline, overdue like a measure."""
    m = services.meeting_record(user=sv.p.office, street=sv.tree.street, held_on=dt.date(2026, 5, 1), kind="scheduling",
                                title="5月调度会", chair="组长", decisions=["补齐名单", "", "通报"], today=TODAY)
    assert [d.text for d in m.decisions.all()] == ["补齐名单", "通报"]
    d = m.decisions.first()
    task = services.decision_to_task(user=sv.p.office, decision=d, holders=[Holder(community=sv.tree.c2)],
                                     deadline=dt.date(2026, 5, 20))
    assert task.kind == "task" and task.street_id == sv.tree.street.pk
    with pytest.raises(ValidationError):
        services.decision_to_task(user=sv.p.office, decision=d, holders=[Holder(community=sv.tree.c2)],
                                  deadline=dt.date(2026, 5, 20))
    items, total = selectors.overdue_items(sv.p.leader, today=TODAY)
    assert [(i.kind, i.days) for i in items] == [("task", 26), ("measure", 14)]
    assert total == 2


def test_groups_missing_by_deadline(sv):
    """Communities and departments without a group by the office's deadline show up, late ones with their date."""
    services.setting_set(user=sv.p.office, street=sv.tree.street, group_deadline=dt.date(2026, 3, 1))
    services.group_save(user=sv.p.office, kind="community", node=sv.tree.c1, name="东关社区领导小组",
                        established_on=dt.date(2026, 2, 1), members=[("王五", "head", "书记")], today=TODAY)
    services.group_save(user=sv.p.office, kind="department", node=sv.tree.street, unit=sv.dept.unit, name="执法队小组",
                        established_on=dt.date(2026, 4, 1), today=TODAY)
    miss = selectors.missing_groups(sv.tree.street, today=TODAY)
    assert miss["passed"]
    assert [c.name for c, _on in miss["communities"]] == ["南门社区"]
    assert {u.name: on for u, on in miss["departments"]} == {"西门街道综合行政执法队": dt.date(2026, 4, 1), "西门街道财政所": None}


def test_holder_keys_outside_the_street_are_refused(sv):
    """A unit or community of another street cannot be given a measure."""
    with pytest.raises(ValidationError):
        services.holders_from_keys(sv.tree.street, [f"c{sv.tree.c9.pk}"])
    assert services.holders_from_keys(sv.tree.street, [f"c{sv.tree.c1.pk}", f"u{sv.dept.unit.pk}"])[1].unit == sv.dept.unit


def test_plans_scoped_to_street(sv):
    """Another street's office does not see this street's plan."""
    assert list(selectors.plans_for(sv.p.outsider)) == []
    assert Plan.objects.count() == 1
