"""Each seed default's figure on hand-built records, the periods, and the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from fanzha.core.scoping import scope_of
from fanzha.duties import selectors, services
from fanzha.duties.models import Duty, DutyEntry, UnitSector
from fanzha.duties.seeds import DEFAULTS
from fanzha.duties.tests.conftest import TODAY, act


def rows_for(duty, key, **kw):
    return [r for r in selectors.status_rows(duties=[duty], today=kw.pop("today", TODAY), **kw) if r.key == key]


def test_periods():
    """Weeks run Monday–Sunday, quarters are calendar quarters, semesters Mar–Aug and Sep–Feb."""
    assert selectors.period_of("weekly", TODAY) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    assert selectors.period_of("quarterly", TODAY) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert selectors.period_of("semester", TODAY) == (dt.date(2026, 9, 1), dt.date(2027, 2, 28))
    assert selectors.period_of("semester", dt.date(2027, 1, 5)) == (dt.date(2026, 9, 1), dt.date(2027, 2, 28))
    assert selectors.period_of("semester", dt.date(2026, 4, 5)) == (dt.date(2026, 3, 1), dt.date(2026, 8, 31))
    assert selectors.period_of("monthly", dt.date(2024, 2, 10)) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert selectors.period_of("daily", TODAY) == (TODAY, TODAY)


def test_seed_defaults_loaded_by_migration(db):
    """Every seed default is present once (migration 0002 / load defaults); loading again creates nothing."""
    assert set(Duty.objects.values_list("seed_key", flat=True)) == {d["seed_key"] for d in DEFAULTS}
    assert services.defaults_load(user=None) == 0


@pytest.mark.parametrize("role,persona", [("grid_worker", "grid1"), ("safety_staff", "safety"), ("group_head", "grouphead")])
def test_six_entries_two_a_quarter(tree, personas, duty, role, persona):
    """A grid worker / 平安专干 / 联户长 with one 六进 activity in a quarter is behind; with two is not."""
    d = duty(f"six_entries_{role}")
    user = getattr(personas, persona)
    act(tree.g1, user=user, venue="residential")
    act(tree.g1, user=user, venue="online")  # online is not one of the six entries
    act(tree.g1, user=user, venue="school", on=dt.date(2026, 9, 30))  # last quarter
    [r] = rows_for(d, f"user:{user.id}")
    assert (r.done, r.due, r.behind) == (1, 2, True)
    act(tree.g1, user=user, venue="family")
    [r] = rows_for(d, f"user:{user.id}")
    assert (r.done, r.behind) == (2, False)


def test_group_two_pushes_a_week(tree, personas, duty):
    """A WeChat group with one push in a week shows as behind; two make it on track; counted per group."""
    g = services.group_create(user=personas.office, node=tree.c1, name="东关阳光村务群", kind="sunshine", owner=personas.community)
    g2 = services.group_create(user=personas.office, node=tree.c1, name="东关网格群", kind="grid")
    services.push_record(user=personas.community, group=g, pushed_on=dt.date(2026, 11, 23), title="防诈提醒", today=TODAY)
    services.push_record(user=personas.community, group=g2, pushed_on=dt.date(2026, 11, 24), title="防诈提醒", today=TODAY)
    services.push_record(user=personas.community, group=g, pushed_on=dt.date(2026, 11, 20), title="上周", today=TODAY)
    d = duty("group_pushes")
    [r] = rows_for(d, f"group:{g.id}")
    assert (r.done, r.behind, r.notify) == (1, True, [personas.community.id])
    assert any(x.key == f"group:{g.id}" for x in selectors.ranked_behind(selectors.status_rows(today=TODAY)))
    services.push_record(user=personas.community, group=g, pushed_on=dt.date(2026, 11, 25), title="二", today=TODAY)
    [r] = rows_for(d, f"group:{g.id}")
    assert (r.done, r.behind) == (2, False)
    [r2] = rows_for(d, f"group:{g2.id}")
    assert r2.done == 1


def test_pushes_linked_by_name(tree, personas, duty):
    """Pushes recorded on the outreach page with the group's name at its node are linked to the group."""
    from fanzha.outreach.services import wechat_push_record

    g = services.group_create(user=personas.office, node=tree.c1, name="东关家长群", kind="parents")
    for day in (23, 24):
        wechat_push_record(user=personas.community, node=tree.c1, group_name="东关家长群",
                           pushed_on=dt.date(2026, 11, day), title="t", today=TODAY)
    assert services.link_pushes_by_name() == 2
    [r] = rows_for(duty("group_pushes"), f"group:{g.id}")
    assert r.done == 2 and not r.behind


def test_school_two_a_semester_covering_staff(tree, personas, duty):
    """A school with one staff activity in the semester is behind; two (for teachers) make it on track."""
    d = duty("school_activities")
    act(None, unit=tree.unit, audiences=["teachers"], on=dt.date(2026, 9, 10))
    act(None, unit=tree.unit, audiences=["students"], on=dt.date(2026, 10, 10))  # not the staff
    [r] = rows_for(d, f"unit:{tree.unit.id}")
    assert (r.done, r.behind, r.notify) == (1, True, [personas.liaison.id])
    act(None, unit=tree.unit, audiences=["parents", "teachers"], on=dt.date(2027, 1, 10), )
    [r] = rows_for(d, f"unit:{tree.unit.id}", today=dt.date(2027, 1, 20))
    assert (r.done, r.behind) == (2, False)


def test_high_school_daily_tick(tree, personas, duty):
    """A high school's daily broadcast: not ticked today is behind; a tick today makes it done."""
    d = duty("high_school_broadcast")
    assert rows_for(d, f"unit:{tree.unit.id}") == []  # not a high school
    UnitSector.objects.create(unit=tree.unit, sector="high_school")
    services.entry_record(user=personas.liaison, duty=d, on=TODAY - dt.timedelta(days=1), unit=tree.unit, today=TODAY)
    [r] = rows_for(d, f"unit:{tree.unit.id}")
    assert r.behind
    services.entry_record(user=personas.liaison, duty=d, on=TODAY, unit=tree.unit, today=TODAY)
    [r] = rows_for(d, f"unit:{tree.unit.id}")
    assert not r.behind


def test_units_staff_and_finance_education(tree, personas, duty):
    """Units: staff education each quarter, and finance posts explicitly (a staff-only activity does not count for finance)."""
    staff, finance = duty("unit_staff_education"), duty("unit_finance_education")
    act(None, unit=tree.unit, audiences=["unit_staff"])
    assert not rows_for(staff, f"unit:{tree.unit.id}")[0].behind
    assert rows_for(finance, f"unit:{tree.unit.id}")[0].behind
    act(None, unit=tree.unit, audiences=["finance_staff"])
    assert not rows_for(finance, f"unit:{tree.unit.id}")[0].behind


@pytest.mark.parametrize("key,sector", [("cinema_micro_film", "cinema"), ("bank_prompts", "bank"),
                                        ("property_loudspeaker", "property"), ("property_notices", "property")])
def test_sector_ledgers(tree, personas, duty, key, sector):
    """Cinemas, banks and property companies: the sector ledger entry recorded by the liaison counts for the period."""
    UnitSector.objects.create(unit=tree.unit, sector=sector)
    d = duty(key)
    assert rows_for(d, f"unit:{tree.unit.id}")[0].behind
    services.entry_record(user=personas.liaison, duty=d, on=TODAY, unit=tree.unit, note="已播放", today=TODAY)
    [r] = rows_for(d, f"unit:{tree.unit.id}")
    assert (r.done, r.behind) == (1, False)


def test_community_monthly_self_check(tree, personas, duty):
    """Each community owes a monthly self-check; last month's does not count."""
    d = duty("community_self_check")
    services.entry_record(user=personas.community, duty=d, on=dt.date(2026, 10, 30), node=tree.c1, today=TODAY)
    [r1] = rows_for(d, f"node:{tree.c1.id}")
    assert r1.behind and r1.notify == [personas.community.id]
    services.entry_record(user=personas.community, duty=d, on=TODAY, node=tree.c1, today=TODAY)
    assert not rows_for(d, f"node:{tree.c1.id}")[0].behind
    assert rows_for(d, f"node:{tree.c2.id}")[0].behind


def test_entry_refuses_counted_duties_and_future(tree, personas, duty):
    """Ledger entries only for ledger duties, never dated in the future."""
    with pytest.raises(ValidationError):
        services.entry_record(user=personas.liaison, duty=duty("school_activities"), on=TODAY, unit=tree.unit, today=TODAY)
    with pytest.raises(ValidationError):
        services.entry_record(user=personas.community, duty=duty("community_self_check"), on=TODAY + dt.timedelta(days=1),
                              node=tree.c1, today=TODAY)


def test_office_edits_the_figure(tree, personas, duty):
    """The office changes a count: the same records are then judged against the new figure."""
    d = duty("six_entries_grid_worker")
    act(tree.g1, user=personas.grid1)
    act(tree.g1, user=personas.grid1)
    assert not rows_for(d, f"user:{personas.grid1.id}")[0].behind
    services.duty_update(user=personas.office, duty=d, count=3, count_max=None, rhythm="quarterly", remind_days=10, active=True)
    assert rows_for(d, f"user:{personas.grid1.id}")[0].behind
    with pytest.raises(ValidationError):
        services.duty_update(user=personas.office, duty=d, count=0, rhythm="quarterly", remind_days=1, active=True)


def test_volunteers_counted(tree, personas):
    """A volunteer without a login gets the activities and sweeps they took part in counted to them."""
    from fanzha.risk.models import Sweep

    v = services.volunteer_create(user=personas.community, node=tree.g1, name="陈志愿")
    a = act(tree.g1, user=personas.grid1, venue="residential")
    s = Sweep(held_on=TODAY)
    s.place_at(tree.g1)
    s.save()
    services.volunteer_part_add(volunteer=v, activity=a)
    services.volunteer_part_add(volunteer=v, sweep=s)
    d = Duty.objects.create(name="志愿者六进", who="role", who_value="volunteer", record="activity",
                            venues=["residential"], rhythm="quarterly", count=2)
    [r] = rows_for(d, f"vol:{v.id}")
    assert (r.done, r.behind) == (1, True)
    sd = Duty.objects.create(name="志愿者打卡", who="role", who_value="volunteer", record="sweep", rhythm="monthly", count=1)
    assert not rows_for(sd, f"vol:{v.id}")[0].behind


def test_scope_and_community_filter(tree, personas, duty):
    """A grid worker sees only rows of their grid's people; a community filter keeps its community's."""
    rows = selectors.status_rows(scope=scope_of(personas.grid1), today=TODAY)
    keys = {r.key for r in rows}
    assert f"user:{personas.grid1.id}" in keys and f"user:{personas.grid2.id}" not in keys
    rows = selectors.status_rows(community_id=tree.c2.id, today=TODAY)
    assert rows and all(r.community_id == tree.c2.id for r in rows)


def test_reminder_once_per_period(tree, personas, duty):
    """The job reminds whoever is behind near the period's end, once per person per period, also on a second run."""
    import datetime as _dt

    from fanzha.alerts.models import Notification
    from fanzha.duties.jobs import remind_due

    now = _dt.datetime(2026, 12, 28, 9, 0, tzinfo=_dt.timezone.utc)
    told = remind_due(now)
    assert told > 0
    assert remind_due(now) == 0
    n = Notification.objects.filter(user=personas.grid1, kind="duty")
    assert n.count() == 1 and "六进" in n.get().text


def test_campaign_report(tree, personas):
    """A campaign's summary counts its tagged activities by phase and community; xlsx and Word are made."""
    from fanzha.duties import reports

    c = services.campaign_create(user=personas.office, node=tree.street, name="2027年集中宣传月",
                                 starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2026, 11, 30),
                                 summary_due_on=dt.date(2026, 12, 5),
                                 phases=[("动员部署", dt.date(2026, 11, 1), dt.date(2026, 11, 10)),
                                         ("集中宣传", dt.date(2026, 11, 11), dt.date(2026, 11, 30))])
    a1, a2 = act(tree.g1, on=dt.date(2026, 11, 5)), act(tree.g3, on=dt.date(2026, 11, 20))
    act(tree.g3, on=dt.date(2026, 11, 21))  # not tagged
    for a in (a1, a2):
        services.campaign_tag(campaign=c, activity=a)
    with pytest.raises(ValidationError):
        services.campaign_tag(campaign=c, activity=act(tree.g1, on=dt.date(2026, 10, 1)))
    r = reports.campaign_report(c)
    assert r["totals"]["activities"] == 2 and [p["activities"] for p in r["phases"]] == [1, 1]
    assert sorted(x["name"] for x in r["communities"]) == ["东关社区", "南门社区"]
    assert reports.campaign_xlsx(r)[:2] == b"PK" and reports.campaign_docx(r)[:2] == b"PK"
