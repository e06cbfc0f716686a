"""Reporting periods of outreach: the semimonthly report (13th and 28th) and
the units' monthly report (25th).

A report dated D covers the days after the previous report day up to D:
the 13th covers the 29th (or the 1st, after a short February) of the month
before to the 13th, the 28th covers the 14th to the 28th; the 25th covers the
26th of the month before to the 25th. A date that is not a report day gives
the running period up to that date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

SEMIMONTHLY_DAYS = (13, 28)
UNIT_MONTHLY_DAY = 25


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


def unit_monthly(report_date: dt.date) -> ReportPeriod:
    """The period the units' monthly report dated `report_date` covers."""
    if report_date.day <= UNIT_MONTHLY_DAY:
        y, m = _month_before(report_date)
        start = _day_after(y, m, UNIT_MONTHLY_DAY)
    else:
        start = report_date.replace(day=UNIT_MONTHLY_DAY + 1)
    return ReportPeriod(start, report_date)


def last_semimonthly_day(today: dt.date) -> dt.date:
    """The latest 13th or 28th on or before today."""
    if today.day >= 28:
        return today.replace(day=28)
    if today.day >= 13:
        return today.replace(day=13)
    y, m = _month_before(today)
    return dt.date(y, m, 28)


def last_unit_monthly_day(today: dt.date) -> dt.date:
    if today.day >= UNIT_MONTHLY_DAY:
        return today.replace(day=UNIT_MONTHLY_DAY)
    y, m = _month_before(today)
    return dt.date(y, m, UNIT_MONTHLY_DAY)


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
