"""Reporting periods: a year (2024), half (2024H1), quarter (2024Q3) or month (2024-07).

Each period knows its dates, the period before it (环比) and the same period
a year earlier (同比).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_RE = re.compile(r"^(\d{4})(?:(H)([12])|(Q)([1-4])|-(\d{1,2}))?$", re.I)

GRANULARITIES = ("month", "quarter", "half", "year")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str  # year / half / quarter / month
    index: int  # 1-based within the year; 1 for a year

    @classmethod
    def parse(cls, text: str) -> "Period":
        m = _RE.match((text or "").strip())
        if not m:
            raise ValueError(_("无法识别的期间“%(p)s”：应为 2024、2024H1、2024Q3 或 2024-07") % {"p": text})
        year = int(m.group(1))
        if not 1990 <= year <= 2100:
            raise ValueError(_("年份超出范围：%(y)s") % {"y": year})
        if m.group(2):
            return cls(year, "half", int(m.group(3)))
        if m.group(4):
            return cls(year, "quarter", int(m.group(5)))
        if m.group(6):
            month = int(m.group(6))
            if not 1 <= month <= 12:
                raise ValueError(_("月份应在1到12之间"))
            return cls(year, "month", month)
        return cls(year, "year", 1)

    @classmethod
    def containing(cls, day: dt.date, kind: str) -> "Period":
        if kind == "year":
            return cls(day.year, "year", 1)
        if kind == "half":
            return cls(day.year, "half", 1 if day.month <= 6 else 2)
        if kind == "quarter":
            return cls(day.year, "quarter", (day.month - 1) // 3 + 1)
        if kind == "month":
            return cls(day.year, "month", day.month)
        raise ValueError(kind)

    @property
    def months(self) -> int:
        return {"year": 12, "half": 6, "quarter": 3, "month": 1}[self.kind]

    @property
    def first_month(self) -> int:
        return (self.index - 1) * self.months + 1

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        last = self.first_month + self.months - 1
        return dt.date(self.year, last, calendar.monthrange(self.year, last)[1])

    def month_keys(self) -> list[tuple[int, int]]:
        return [(self.year, m) for m in range(self.first_month, self.first_month + self.months)]

    def previous(self) -> "Period":
        """The period just before (环比)."""
        per_year = 12 // self.months
        if self.index > 1:
            return Period(self.year, self.kind, self.index - 1)
        return Period(self.year - 1, self.kind, per_year)

    def year_before(self) -> "Period":
        """The same period a year earlier (同比)."""
        return Period(self.year - 1, self.kind, self.index)

    def next(self) -> "Period":
        per_year = 12 // self.months
        if self.index < per_year:
            return Period(self.year, self.kind, self.index + 1)
        return Period(self.year + 1, self.kind, 1)

    def __str__(self) -> str:
        if self.kind == "year":
            return f"{self.year}"
        if self.kind == "half":
            return f"{self.year}H{self.index}"
        if self.kind == "quarter":
            return f"{self.year}Q{self.index}"
        return f"{self.year}-{self.index:02d}"

    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("%(y)d年") % {"y": self.year}
        if self.kind == "half":
            return (_("%(y)d年上半年") if self.index == 1 else _("%(y)d年下半年")) % {"y": self.year}
        if self.kind == "quarter":
            return _("%(y)d年第%(q)d季度") % {"y": self.year, "q": self.index}
        return _("%(y)d年%(m)d月") % {"y": self.year, "m": self.index}


def periods_between(first: Period, last: Period) -> list[Period]:
    out, p = [], first
    while p <= last and len(out) < 1000:
        out.append(p)
        p = p.next()
    return out


def pct_change(now: float, before: float) -> float | None:
    """Percentage change, None when there is nothing to compare against."""
    if not before:
        return None
    return round((now - before) / before * 100, 1)
