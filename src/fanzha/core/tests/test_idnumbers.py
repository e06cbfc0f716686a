"""ID-number (GB 11643) and phone parsing, by example and by property."""

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from fanzha.core.idnumbers import (
    id_check_char,
    make_id_number,
    mask_id_number,
    mask_phone,
    parse_id_number,
    parse_phone,
)

births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2024, 12, 31))
regions = st.from_regex(r"[1-6][0-9]{5}", fullmatch=True)
mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def test_known_valid_id():
    """The textbook number 11010519491231002X validates (check char X)."""
    assert parse_id_number("11010519491231002X") == "11010519491231002X"
    assert parse_id_number("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("110105194912310021", "校验位"),
        ("11010519491231002", "18位"),
        ("1101051949123100AX", "数字"),
        ("110105194913310028", "出生日期"),
        ("", "为空"),
    ],
)
def test_bad_ids_say_why(raw, reason):
    """A bad ID number is refused with the reason in the message."""
    with pytest.raises(ValueError, match=reason):
        parse_id_number(raw)


def test_id_birth_in_future_refused():
    """An ID whose birth date is after today is refused."""
    future = make_id_number("110101", dt.date(2030, 1, 1), 1)
    with pytest.raises(ValueError, match="未来"):
        parse_id_number(future, today=dt.date(2026, 1, 1))


@given(regions, births, st.integers(0, 999))
def test_generated_ids_roundtrip(region, birth, seq):
    """Every number built with a correct check char parses to itself, in any spacing or width."""
    idn = make_id_number(region, birth, seq)
    assert parse_id_number(idn) == idn
    spaced = f" {idn[:6]} {idn[6:14]}-{idn[14:]} ".translate(FULLWIDTH)
    assert parse_id_number(spaced) == idn


@given(regions, births, st.integers(0, 999), st.sampled_from("0123456789X"))
def test_any_wrong_check_char_is_refused(region, birth, seq, wrong):
    """Changing the check character always breaks the checksum."""
    idn = make_id_number(region, birth, seq)
    assume(wrong != idn[17])
    with pytest.raises(ValueError):
        parse_id_number(idn[:17] + wrong)


@given(regions, births, st.integers(0, 999), st.integers(0, 16), st.integers(1, 9))
def test_single_digit_change_is_detected(region, birth, seq, pos, delta):
    """GB 11643 detects every single-digit substitution in the first 17 digits."""
    idn = make_id_number(region, birth, seq)
    d = (int(idn[pos]) + delta) % 10
    changed = idn[:pos] + str(d) + idn[pos + 1:]
    assert id_check_char(changed[:17]) != idn[17]


@given(mobiles, st.sampled_from(["{}", "+86{}", "+86 {}", "0086{}", "86{}", "{a} {b} {c}", "{a}-{b}-{c}", "+86 {a}-{b}-{c}", "({a}){b}{c}"]), st.booleans())
def test_phone_formats_normalise(mobile, fmt, fullwidth):
    """+86, spaces, dashes, brackets and full-width digits all give the bare 11-digit number."""
    text = fmt.format(mobile, a=mobile[:3], b=mobile[3:7], c=mobile[7:])
    if fullwidth:
        text = text.translate(FULLWIDTH)
    assert parse_phone(text) == mobile


@pytest.mark.parametrize("raw", ["1380013800", "12800138000", "138001380001", "phone", "138-0013-800a", ""])
def test_bad_phones_refused(raw):
    """Wrong length, invalid prefix or letters are refused."""
    with pytest.raises(ValueError):
        parse_phone(raw)


def test_landline_with_area_code_accepted():
    """A landline with its area code (0855-8222000) is a valid contact number."""
    assert parse_phone("0855-8222000") == "08558222000"


def test_spreadsheet_number_cells():
    """A phone read from a numeric spreadsheet cell (13800138000.0) still parses."""
    assert parse_phone("13800138000.0") == "13800138000"


def test_masks():
    """Masks keep the first three and last four characters only."""
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_phone("13812345678") == "138****5678"
