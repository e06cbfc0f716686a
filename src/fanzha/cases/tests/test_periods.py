import datetime as dt

import pytest

from fanzha.cases.periods import Period, pct_change, periods_between


@pytest.mark.parametrize("text, start, end", [
    ("2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    ("2024H2", dt.date(2024, 7, 1), dt.date(2024, 12, 31)),
    ("2024q1", dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
    ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
])
def test_period_dates(text, start, end):
    """Each period form covers exactly its dates (leap February included)."""
    p = Period.parse(text)
    assert (p.start, p.end) == (start, end)


def test_previous_and_year_before():
    """环比 compares with the period just before, 同比 with the same period a year earlier."""
    assert str(Period.parse("2024Q1").previous()) == "2023Q4"
    assert str(Period.parse("2024H2").previous()) == "2024H1"
    assert str(Period.parse("2024-01").previous()) == "2023-12"
    assert str(Period.parse("2024-03").year_before()) == "2023-03"
    assert str(Period.parse("2024").previous()) == "2023"


@pytest.mark.parametrize("bad", ["", "24", "2024H3", "2024Q5", "2024-13", "abcd", "1800"])
def test_bad_periods_refused(bad):
    """Unrecognisable periods raise ValueError with a message."""
    with pytest.raises(ValueError):
        Period.parse(bad)


def test_periods_between_and_pct():
    """A range of months lists each month once; percentages need a base."""
    months = periods_between(Period.parse("2023-11"), Period.parse("2024-02"))
    assert [str(m) for m in months] == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert pct_change(9, 10) == -10.0
    assert pct_change(5, 0) is None
