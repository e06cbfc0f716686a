"""Issue 15 §2: the plan's real targets on hand-built records (seed 002 defaults)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fanzha.outreach import jobs, periods
from fanzha.outreach.models import PeriodicReport, ReportStatus

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, 0))


def test_monthly_report_day_is_the_24th_or_the_working_day_before():
    """Due by the 25th: made on the 24th, or on Friday the 23rd when the 24th is a Saturday; covers the month to date."""
    assert periods.unit_monthly_day(2026, 11) == dt.date(2026, 11, 24)  # Tuesday
    assert periods.unit_monthly_day(2026, 10) == dt.date(2026, 10, 23)  # the 24th is a Saturday
    assert periods.unit_monthly_day(2027, 1) == dt.date(2027, 1, 22)  # the 24th is a Sunday
    assert periods.unit_monthly(dt.date(2026, 10, 23)) == periods.ReportPeriod(dt.date(2026, 10, 1), dt.date(2026, 10, 23))
    assert periods.last_unit_monthly_day(dt.date(2026, 10, 22)) == dt.date(2026, 9, 24)
    assert periods.last_unit_monthly_day(dt.date(2026, 10, 25)) == dt.date(2026, 10, 23)


def test_monthly_report_holiday_moves_it_earlier(settings):
    """A listed holiday on the 24th moves the report to the working day before it."""
    settings.FANZHA_NON_WORKING_DAYS = ["2026-11-24"]
    assert periods.unit_monthly_day(2026, 11) == dt.date(2026, 11, 23)


def test_worker_makes_monthly_report_on_friday_23rd(tree, settings):
    """With the clock at Friday 23 October 2026 evening the worker makes each street's monthly report, once."""
    settings.FANZHA_REPORT_HOUR = 16
    day = dt.date(2026, 10, 23)
    assert not [d for d in jobs.reports_due(dt.date(2026, 10, 22)) if d.kind == "unit_monthly" and d.report_date.month == 10]
    assert jobs.generate_due_reports(_at(day, 9)) == 0  # before the report hour
    jobs.generate_due_reports(_at(day, 17), budget_seconds=600)
    rows = PeriodicReport.objects.filter(kind="unit_monthly", report_date=day, status=ReportStatus.DONE)
    assert {r.node_id for r in rows} == {tree.street.id, tree.street2.id}
    r = rows.get(node=tree.street)
    assert (r.period_start, r.period_end) == (dt.date(2026, 10, 1), day)
    assert not [d for d in jobs.reports_due(dt.date(2026, 10, 24)) if d.kind == "unit_monthly"]


def test_worker_makes_monthly_report_on_the_24th(tree, settings):
    """On a weekday 24th (Tuesday 24 November 2026) the monthly report is made that day, not on the 25th."""
    settings.FANZHA_REPORT_HOUR = 16
    day = dt.date(2026, 11, 24)
    due = [d for d in jobs.reports_due(day) if d.kind == "unit_monthly"]
    assert {d.report_date for d in due} == {day}
    jobs.generate_due_reports(_at(day, 17), budget_seconds=600)
    assert PeriodicReport.objects.filter(kind="unit_monthly", report_date=day, node=tree.street,
                                         status=ReportStatus.DONE).exists()


# --- app install targets -----------------------------------------------------------------------

from fanzha.org.models import StaffMember, Unit, UnitKind  # noqa: E402
from fanzha.outreach import selectors as sel  # noqa: E402
from fanzha.outreach import services  # noqa: E402
from fanzha.outreach.models import InstallStatus, InstallTarget, PersonKind, TargetGroup  # noqa: E402


def _unit_with_staff(tree, name: str, kind: str, n: int, installed: int, on: dt.date) -> Unit:
    u = Unit(node=tree.street, name=name, kind=kind)
    u.place_at(tree.street)
    u.save()
    for i in range(n):
        s = StaffMember(unit=u, name=f"{name}{i}")
        s.place_like(u)
        s.save()
        if i < installed:
            st = InstallStatus(kind=PersonKind.STAFF, staff=s, app_installed_on=on)
            st.place_like(u)
            st.save()
    return u


def test_campaign_department_at_55_percent_on_31_august_is_behind(tree, personas):
    """The 30/60/100 campaign holds for every department: one at 55% on 31 August is behind (60% due), one at 60% is not."""
    day = dt.date(2026, 8, 31)
    services.preset_targets_set(user=personas.office, node=tree.street, year=2026, kind="campaign", today=dt.date(2026, 6, 1))
    assert InstallTarget.objects.filter(node=tree.street, group=TargetGroup.DEPARTMENTS).count() == 3
    slow = _unit_with_staff(tree, "综合执法队", UnitKind.STREET_DEPARTMENT, 20, 11, dt.date(2026, 5, 1))
    ok = _unit_with_staff(tree, "党政办", UnitKind.STREET_DEPARTMENT, 20, 12, dt.date(2026, 5, 1))
    data = sel.install_progress(personas.office, tree.street, group=TargetGroup.DEPARTMENTS, as_of=day)
    rows = {p.node_id: p for p in data["rows"]}
    assert rows[slow.id].rate == 55.0 and float(rows[slow.id].target.rate) == 60
    assert rows[slow.id].status == "behind" and rows[slow.id].gap == 1
    assert rows[ok.id].status == "met"
    assert [p.node_id for p in data["behind"]] == [slow.id]


def test_government_units_count_as_street_staff(tree, personas):
    """机关 and the police station belong to the street-staff group (100%), not to industry staff."""
    _unit_with_staff(tree, "西门派出所", UnitKind.GOVERNMENT, 10, 10, dt.date(2026, 5, 1))
    counts = sel.group_counts(personas.office, tree.street, "community", as_of=dt.date(2026, 8, 31))
    assert counts[tree.street.id][TargetGroup.STREET_STAFF].people == 10
    assert counts[tree.street.id][TargetGroup.INDUSTRY_STAFF].installed == 0 or \
        counts[tree.street.id][TargetGroup.INDUSTRY_STAFF].people == sum(
            1 for s in StaffMember.objects.filter(street=tree.street).exclude(unit__kind__in=sel.STREET_STAFF_KINDS))


def test_past_plan_is_accepted_and_flagged_historical(tree, personas):
    """The 2021–2024 plan entered in 2026: accepted, every target flagged historical; seed figures kept."""
    ts = services.preset_targets_set(user=personas.office, node=tree.street, year=2021, kind="plan", today=dt.date(2026, 11, 26))
    got = {(t.group, t.deadline.year): float(t.rate) for t in ts}
    assert got[(TargetGroup.STREET_STAFF, 2021)] == 100
    assert got[(TargetGroup.INDUSTRY_STAFF, 2021)] == 60
    assert got[(TargetGroup.RESIDENTS, 2021)] == 30
    assert got[(TargetGroup.ALL, 2024)] == 95
    assert got[(TargetGroup.ALL, 2022)] < got[(TargetGroup.ALL, 2023)] < 95
    assert all(t.historical for t in ts)
    current = services.install_target_set(user=personas.office, node=tree.community_c1 if hasattr(tree, "community_c1") else tree.c1,
                                          group=TargetGroup.RESIDENTS, rate=50, deadline=dt.date(2026, 12, 31),
                                          today=dt.date(2026, 11, 26))
    assert not current.historical


def test_yearly_steps_must_rise(tree, personas):
    """The office's yearly steps are checked to rise: a later year-end target not above an earlier one is refused."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as e:
        services.preset_targets_set(user=personas.office, node=tree.street, year=2021, kind="plan", steps=(70, 60),
                                    today=dt.date(2026, 11, 26))
    assert "逐年上升" in str(e.value)
    assert not InstallTarget.objects.filter(node=tree.street).exists()  # all or nothing


# --- home-visit publicity rate --------------------------------------------------------------------


def test_home_visit_rate_target_100_with_households_not_reached(tree, personas, login):
    """入户宣传率 target 100%: one of two households of 东关 visited this month is in progress at 50%, the other is listed."""
    from fanzha.outreach.models import HomeVisit
    from fanzha.outreach.periods import ReportPeriod

    today = timezone.localdate()
    v = HomeVisit(household=tree.h1, visited_on=today, visitors="网格员", recorded_by=personas.grid1)
    v.place_like(tree.h1)
    v.save()
    period = ReportPeriod(today.replace(day=1), today)
    data = sel.visit_coverage(personas.office, tree.street, period=period)
    c1 = next(r for r in data["rows"] if r["node"]["id"] == tree.c1.id)
    assert data["target"] == 100.0
    assert (c1["households"], c1["reached"], c1["not_reached"], c1["status"]) == (2, 1, 1, "in_progress")
    past = sel.visit_coverage(personas.office, tree.street, period=ReportPeriod(dt.date(2020, 1, 1), dt.date(2020, 1, 31)),
                              today=today)
    assert next(r for r in past["rows"] if r["node"]["id"] == tree.c1.id)["status"] == "missed"
    page = login(personas.office).get(f"/outreach/coverage/?node={tree.c1.pk}&p=month")
    html = page.content.decode()
    assert page.status_code == 200 and tree.h2.address in html and f"/outreach/households/{tree.h2.pk}/visit/" in html
    assert f"/outreach/households/{tree.h1.pk}/visit/" not in html
    api = login(personas.office).get(f"/api/v1/outreach/visit-coverage?node={tree.street.pk}").json()
    assert api["target"] == 100.0 and api["root"]["reached"] == 1
