"""Reporting periods of outreach: the semimonthly report (13th and 28th) and
the units' monthly report (due by the 25th).

A semimonthly report dated D covers the days after the previous report day
up to D: the 13th covers the 29th (or the 1st, after a short February) of the
month before to the 13th, the 28th covers the 14th to the 28th.

The units' monthly report is due *by* the 25th (seed 002: 每月25日前 ... 将当月
防范工作开展情况报局办公室): it is made on the 24th, or on the last working day
before the 25th when the 24th is a weekend day or a listed holiday
(`FANZHA_NON_WORKING_DAYS`, ISO dates), and covers the month to date (the 1st
to the report day). A date that is not a report day gives the running period
up to that date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

SEMIMONTHLY_DAYS = (13, 28)
UNIT_MONTHLY_DUE = 25  # due by this day: made on the last working day before it
UNIT_MONTHLY_DAY = UNIT_MONTHLY_DUE  # kept for callers that name the due day


@dataclass(frozen=True)
class ReportPeriod:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        if self.start.year == self.end.year:
            return _("%(y)d年%(m1)d月%(d1)d日至%(m2)d月%(d2)d日") % {
                "y": self.start.year, "m1": self.start.month, "d1": self.start.day, "m2": self.end.month, "d2": self.end.day}
        return _("%(y1)d年%(m1)d月%(d1)d日至%(y2)d年%(m2)d月%(d2)d日") % {
            "y1": self.start.year, "m1": self.start.month, "d1": self.start.day,
            "y2": self.end.year, "m2": self.end.month, "d2": self.end.day}


def _month_before(day: dt.date) -> tuple[int, int]:
    return (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)


def _day_after(year: int, month: int, day: int) -> dt.date:
    """The day after `year-month-day`, where `day` may be past the month's end (29 February ...)."""
    first_of_next = dt.date(year + (month == 12), 1 if month == 12 else month + 1, 1)
    try:
        return dt.date(year, month, day) + dt.timedelta(days=1)
    except ValueError:
        return first_of_next


def semimonthly(report_date: dt.date) -> ReportPeriod:
    """The period the semimonthly report dated `report_date` covers."""
    if report_date.day <= 13:
        y, m = _month_before(report_date)
        start = _day_after(y, m, 28)
    elif report_date.day <= 28:
        start = report_date.replace(day=14)
    else:
        start = report_date.replace(day=29)
    return ReportPeriod(start, report_date)


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday, except the dates listed in settings.FANZHA_NON_WORKING_DAYS."""
    from django.conf import settings

    if day.weekday() >= 5:
        return False
    return day.isoformat() not in {str(d) for d in getattr(settings, "FANZHA_NON_WORKING_DAYS", ())}


def unit_monthly_day(year: int, month: int) -> dt.date:
    """The day the worker makes the units' monthly report of a month: the last working day before the 25th."""
    day = dt.date(year, month, UNIT_MONTHLY_DUE - 1)
    for _i in range(UNIT_MONTHLY_DUE - 1):
        if is_working_day(day):
            return day
        day -= dt.timedelta(days=1)
    return dt.date(year, month, UNIT_MONTHLY_DUE - 1)  # no working day at all: the 24th


def unit_monthly(report_date: dt.date) -> ReportPeriod:
    """The period the units' monthly report dated `report_date` covers: its month to date."""
    return ReportPeriod(report_date.replace(day=1), report_date)


def last_semimonthly_day(today: dt.date) -> dt.date:
    """The latest 13th or 28th on or before today."""
    if today.day >= 28:
        return today.replace(day=28)
    if today.day >= 13:
        return today.replace(day=13)
    y, m = _month_before(today)
    return dt.date(y, m, 28)


def last_unit_monthly_day(today: dt.date) -> dt.date:
    """The latest units' monthly report day (`unit_monthly_day`) on or before today."""
    day = unit_monthly_day(today.year, today.month)
    if today >= day:
        return day
    y, m = _month_before(today)
    return unit_monthly_day(y, m)


def issue_number(report_date: dt.date) -> int:
    """期数 within the year: the 13th of January is issue 1, the 28th of December issue 24."""
    return (report_date.month - 1) * 2 + (1 if report_date.day <= 13 else 2)


def week_start(day: dt.date) -> dt.date:
    """Monday of the ISO week holding `day`."""
    return day - dt.timedelta(days=day.weekday())


def year_start(day: dt.date) -> dt.date:
    return day.replace(month=1, day=1)


PRESETS = ("semimonth", "month", "quarter", "year")


def preset(kind: str, today: dt.date) -> ReportPeriod:
    """The running period of a kind that holds today (for the dashboard's quick choices)."""
    if kind == "semimonth":
        return ReportPeriod(semimonthly(today).start, today)
    if kind == "month":
        return ReportPeriod(today.replace(day=1), today)
    if kind == "quarter":
        return ReportPeriod(dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1), today)
    return ReportPeriod(year_start(today), today)
