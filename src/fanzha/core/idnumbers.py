"""Resident identity card numbers (GB 11643-1999) and mainland phone numbers.

Both parsers take what people type or what a spreadsheet holds (full-width
digits, spaces, dashes, +86, a lower-case x) and return the canonical form,
or raise ValueError with a message a user can act on.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９ｘＸ＋－（）　", "0123456789xX+-() "
)
_SEPARATORS = re.compile(r"[\s\-()\u2010-\u2015\u00a0.]")


def normalise_digits(text: str) -> str:
    return str(text).translate(_FULLWIDTH)


def id_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS))
    return _CHECK[total % 11]


def parse_id_number(raw: object, *, today: dt.date | None = None) -> str:
    """Canonical 18-character ID number, or ValueError saying what is wrong."""
    if raw is None:
        raise ValueError(_("身份证号为空"))
    text = _SEPARATORS.sub("", normalise_digits(str(raw))).upper()
    if text.endswith(".0") and text[:-2].isdigit():  # a number cell from a spreadsheet
        text = text[:-2]
    if not text:
        raise ValueError(_("身份证号为空"))
    if len(text) != 18:
        raise ValueError(_("身份证号应为18位，实际为%(n)d位") % {"n": len(text)})
    if not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        raise ValueError(_("身份证号只能包含数字和末位X"))
    birth = id_birth_date(text)
    if birth is None:
        raise ValueError(_("身份证号中的出生日期无效"))
    if birth > (today or dt.date.today()):
        raise ValueError(_("身份证号中的出生日期在未来"))
    if birth.year < 1880:
        raise ValueError(_("身份证号中的出生日期无效"))
    if id_check_char(text[:17]) != text[17]:
        raise ValueError(_("身份证号校验位错误"))
    return text


def id_birth_date(id_number: str) -> dt.date | None:
    try:
        return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def id_gender(id_number: str) -> str:
    """'M' or 'F' from the sequence digit (odd: male)."""
    return "M" if int(id_number[16]) % 2 else "F"


def make_id_number(region: str, birth: dt.date, seq: int) -> str:
    """A syntactically valid ID number (used for demo data and tests)."""
    first17 = f"{region[:6]}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + id_check_char(first17)


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{9,11}$")


def parse_phone(raw: object) -> str:
    """Canonical phone number: 11-digit mobile, or landline with area code.

    Accepts +86 / 0086 / 86 prefixes, spaces, dashes, brackets and full-width
    digits: '+86 138-0013-8000' and '１３８００１３８０００' both give
    '13800138000'.
    """
    if raw is None:
        raise ValueError(_("手机号为空"))
    text = normalise_digits(str(raw)).strip()
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    text = _SEPARATORS.sub("", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if not text:
        raise ValueError(_("手机号为空"))
    if not text.isdigit():
        raise ValueError(_("电话号码只能包含数字（可带+86、空格或横线）"))
    if _MOBILE.match(text) or _LANDLINE.match(text):
        return text
    if len(text) == 11 and text.startswith("1"):
        raise ValueError(_("手机号号段无效"))
    raise ValueError(_("电话号码应为11位手机号或带区号的固定电话，实际为%(n)d位") % {"n": len(text)})


def mask_id_number(id_number: str) -> str:
    """110***********1234: the region prefix and the last four stay."""
    if len(id_number) < 8:
        return "*" * len(id_number)
    return id_number[:3] + "*" * (len(id_number) - 7) + id_number[-4:]


def mask_phone(phone: str) -> str:
    """138****5678."""
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
