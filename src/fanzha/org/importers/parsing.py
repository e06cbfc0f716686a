"""Cell parsers shared by the import kinds (org's and the other apps'): yes/no,
gender, residency, unit kind, employment, family relation, dates, ID and phone
numbers. A parser returns the value or raises ValueError with the reason the
row error shows."""

from __future__ import annotations

import datetime as dt
import operator
import re

from django.utils.translation import gettext as _

from fanzha.core.idnumbers import id_birth_date, parse_id_number, parse_phone
from fanzha.core.imports import looks_scientific
from fanzha.org.models import Employment, Relation, Residency, UnitKind

def short(text: str, n: int = 24) -> str:
    return text if len(text) <= n else text[:n] + "…"


YES = {"是", "y", "yes", "true", "t", "1", "√", "✓", "✔", "有", "对"}
NO = {"否", "n", "no", "false", "f", "0", "无", "×", "x", "不是", ""}


BOOLS = {"是": True, "否": False, "": False}  # the common cells, looked up before parse_bool


def parse_bool(text: str) -> bool:
    t = text.strip().lower()
    if t in YES:
        return True
    if t in NO:
        return False
    raise ValueError(_("应填“是”或“否”，不能是“%(v)s”") % {"v": short(text)})


GENDERS = {"男": "M", "m": "M", "male": "M", "男性": "M", "女": "F", "f": "F", "female": "F", "女性": "F"}

RESIDENCIES = {str(label): value for value, label in Residency.choices} | {
    "常住": Residency.PERMANENT, "常住人口": Residency.PERMANENT, "户籍": Residency.PERMANENT, "户籍人口": Residency.PERMANENT,
    "本地": Residency.PERMANENT, "permanent": Residency.PERMANENT,
    "暂住": Residency.TEMPORARY, "暂住人口": Residency.TEMPORARY, "寄住": Residency.TEMPORARY, "temporary": Residency.TEMPORARY,
    "流动": Residency.FLOATING, "流动人口": Residency.FLOATING, "外来": Residency.FLOATING, "floating": Residency.FLOATING,
}

UNIT_KINDS = {str(label): value for value, label in UnitKind.choices} | {v: v for v in UnitKind.values} | {
    "部门": UnitKind.STREET_DEPARTMENT, "街道": UnitKind.STREET_DEPARTMENT, "机关": UnitKind.GOVERNMENT,
    "事业单位": UnitKind.GOVERNMENT, "机关单位": UnitKind.GOVERNMENT, "学校": UnitKind.SCHOOL, "幼儿园": UnitKind.SCHOOL,
    "中学": UnitKind.SCHOOL, "小学": UnitKind.SCHOOL, "银行": UnitKind.BANK, "金融机构": UnitKind.BANK,
    "酒店": UnitKind.HOTEL, "宾馆": UnitKind.HOTEL, "旅馆": UnitKind.HOTEL, "医院": UnitKind.HOSPITAL,
    "卫生院": UnitKind.HOSPITAL, "企业": UnitKind.COMPANY, "公司": UnitKind.COMPANY, "行业": UnitKind.INDUSTRY,
    "其他": UnitKind.OTHER, "其它": UnitKind.OTHER,
}

EMPLOYMENTS = {str(label): value for value, label in Employment.choices} | {v: v for v in Employment.values} | {
    "正式": Employment.FORMAL, "编内": Employment.FORMAL, "在编人员": Employment.FORMAL, "正式工": Employment.FORMAL,
    "合同工": Employment.CONTRACT, "劳务派遣": Employment.CONTRACT, "派遣": Employment.CONTRACT, "编外": Employment.CONTRACT,
    "聘用": Employment.CONTRACT, "劳务": Employment.CONTRACT,
    "临时工": Employment.TEMPORARY, "临聘": Employment.TEMPORARY, "实习": Employment.TEMPORARY, "兼职": Employment.TEMPORARY,
}

STAFF_SELF = {"", "本人", "职工", "员工", "自己", "self"}
FAMILY_RELATIONS = {str(label): value for value, label in Relation.choices} | {v: v for v in Relation.values} | {
    "父亲": Relation.PARENT, "母亲": Relation.PARENT, "父": Relation.PARENT, "母": Relation.PARENT,
    "岳父": Relation.PARENT, "岳母": Relation.PARENT, "公公": Relation.PARENT, "婆婆": Relation.PARENT,
    "丈夫": Relation.SPOUSE, "妻子": Relation.SPOUSE, "夫": Relation.SPOUSE, "妻": Relation.SPOUSE, "爱人": Relation.SPOUSE,
    "儿子": Relation.CHILD, "女儿": Relation.CHILD, "子": Relation.CHILD, "女": Relation.CHILD, "长子": Relation.CHILD,
    "长女": Relation.CHILD, "次子": Relation.CHILD, "次女": Relation.CHILD,
}

HEAD_RELATIONS = {"户主", "本人"}

_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(text: str, today: dt.date) -> dt.date:
    """2024-01-31, 2024/1/31, 2024.1.31, 2024年1月31日, 20240131 or an Excel day number; not in the future."""
    t = text.strip()
    m = _DATE.match(t)
    try:
        if m:
            d = dt.date(int(m[1]), int(m[2]), int(m[3]))
        elif len(t) == 8 and t.isdigit():
            d = dt.date(int(t[:4]), int(t[4:6]), int(t[6:]))
        elif t.isdigit() and 1 <= int(t) <= 80000:
            d = _EXCEL_EPOCH + dt.timedelta(days=int(t))
        else:
            raise ValueError
    except ValueError:
        raise ValueError(_("日期“%(v)s”无法识别，请写成 2024-01-31 的形式") % {"v": short(t)}) from None
    if d > today:
        raise ValueError(_("日期%(d)s在未来") % {"d": d.isoformat()})
    if d.year < 1880:
        raise ValueError(_("日期%(d)s过早，请检查") % {"d": d.isoformat()})
    return d


def parse_id(text: str, today: dt.date) -> str:
    if looks_scientific(text):
        raise ValueError(_("身份证号被Excel当成了数字（%(v)s），后几位已丢失；请把该列设为“文本”格式后重新填写") % {"v": text})
    return parse_id_number(text, today=today)


_ID_CANONICAL = re.compile(r"[0-9]{17}[0-9X]\Z")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_DIGIT_BIAS = 48 * sum(_ID_WEIGHTS)  # the weighted sum of the ASCII codes of '0'
_ID_CHECK = "10X98765432"


def _birth(digits: str, _cache: dict[str, dt.date | None] = {}) -> dt.date | None:  # noqa: B006 - a deliberate memo
    """The date of 'YYYYMMDD' (None if there is no such day); residents share birthdays, so remembered."""
    try:
        return _cache[digits]
    except KeyError:
        pass
    try:
        d = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        d = None
    if len(_cache) < 100_000:
        _cache[digits] = d
    return d


def parse_id_fast(text: str, today: dt.date) -> tuple[str, dt.date]:
    """(canonical ID number, birth date): an already canonical number is checked here in a
    fraction of the general parser's time; anything else (or anything wrong) goes through
    `parse_id_number`, which says what is wrong."""
    if _ID_CANONICAL.match(text):
        birth = _birth(text[6:14])
        if (birth is not None and 1880 <= birth.year and birth <= today
                and _ID_CHECK[(sum(map(operator.mul, text[:17].encode(), _ID_WEIGHTS)) - _ID_DIGIT_BIAS) % 11] == text[17]):
            return text, birth
    idn = parse_id(text, today)
    return idn, id_birth_date(idn)


_MOBILE_CANONICAL = re.compile(r"1[3-9][0-9]{9}\Z")


def parse_phone_cell(text: str) -> str:
    if _MOBILE_CANONICAL.match(text):
        return text  # already what parse_phone would return
    if looks_scientific(text):
        raise ValueError(_("电话号码被Excel当成了数字（%(v)s），请把该列设为“文本”格式后重新填写") % {"v": text})
    return parse_phone(text)
