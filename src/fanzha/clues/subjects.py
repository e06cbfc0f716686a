"""Phone numbers, accounts, URLs and app names named in clues: normalised, hashed, shown.

Two reporters rarely write a number or a web address the same way
("+86 138-0013-8000", "13800138000"; "HTTPS://www.Example.com/", "example.com"),
so each value is normalised before its keyed hash is taken. Phone numbers use
the same hash kind as residents' phones (`pii.lookup_hash("phone", ...)`).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fanzha.clues.models import SubjectKind
from fanzha.core import pii
from fanzha.core.idnumbers import mask_phone

HASH_KIND = {SubjectKind.PHONE: "phone", SubjectKind.ACCOUNT: "clue-account", SubjectKind.URL: "clue-url",
             SubjectKind.APP: "clue-app"}
MAX_PER_CLUE = 20
_SPLIT = re.compile(r"[\s,，、;；]+")
_URL_SPLIT = re.compile(r"[\s，、;；]+")


def split_values(text: str, kind: str = "") -> list[str]:
    """Several values typed into one box, separated by spaces, commas, 、 or new lines."""
    if kind == SubjectKind.APP:  # app names may contain spaces: one per line or comma
        parts = re.split(r"[\n,，、;；]+", text or "")
    elif kind == SubjectKind.URL:
        parts = _URL_SPLIT.split(text or "")
    elif kind == SubjectKind.PHONE:
        # "138 0013 8000" is one number: split on separators other than single spaces between digits
        parts = re.split(r"[\n,，、;；/]+|\s{2,}", text or "")
    else:
        parts = _SPLIT.split(text or "")
    return [p.strip() for p in parts if p.strip()]


def normalise(kind: str, raw: str) -> str:
    """The canonical form of a value, or ValidationError saying what is wrong with it."""
    text = (raw or "").strip()
    if kind == SubjectKind.PHONE:
        digits = re.sub(r"[\s\-()（）+]", "", text)
        if not digits.isdigit():
            raise ValidationError(_("电话号码“%(v)s”只能包含数字") % {"v": text[:30]})
        for prefix in ("0086", "86"):
            if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
                digits = digits[len(prefix):]
        if not 5 <= len(digits) <= 20:
            raise ValidationError(_("电话号码“%(v)s”位数不对") % {"v": text[:30]})
        return digits
    if kind == SubjectKind.ACCOUNT:
        value = re.sub(r"\s+", "", text).lower()
        if not 3 <= len(value) <= 64:
            raise ValidationError(_("账号“%(v)s”应为3到64个字符") % {"v": text[:30]})
        return value
    if kind == SubjectKind.URL:
        value = text.lower()
        value = re.sub(r"^[a-z][a-z0-9+.\-]*://", "", value)
        value = re.sub(r"^www\.", "", value).rstrip("/")
        if not value or len(value) > 300 or " " in value:
            raise ValidationError(_("网址“%(v)s”无法识别") % {"v": text[:30]})
        return value
    if kind == SubjectKind.APP:
        value = re.sub(r"\s+", "", text).casefold()
        if not 1 <= len(value) <= 60:
            raise ValidationError(_("App名称“%(v)s”过长") % {"v": text[:30]})
        return value
    raise ValidationError(_("未知类型"))


def shown(kind: str, value: str, raw: str) -> str:
    """What lists show: phones and accounts masked, URLs and app names as typed."""
    if kind == SubjectKind.PHONE:
        return mask_phone(value)
    if kind == SubjectKind.ACCOUNT:
        return value[:2] + "***" + value[-3:] if len(value) > 6 else value[:1] + "***"
    return raw.strip()[:120]


def hash_of(kind: str, value: str) -> str:
    return pii.lookup_hash(HASH_KIND[kind], value)


def parse(pairs) -> list[tuple[str, str, str, str]]:
    """[(kind, raw)] → [(kind, normalised, hash, shown)], duplicates dropped; ValidationError listing every bad value."""
    out: dict[str, tuple[str, str, str, str]] = {}
    errors: list[str] = []
    for kind, raw in pairs:
        try:
            value = normalise(kind, raw)
        except ValidationError as e:
            errors.extend(e.messages)
            continue
        h = hash_of(kind, value)
        out.setdefault(h, (kind, value, h, shown(kind, value, raw)))
    if errors:
        raise ValidationError(errors)
    if len(out) > MAX_PER_CLUE:
        raise ValidationError(_("号码、账号、网址和App合计最多%(n)d个") % {"n": MAX_PER_CLUE})
    return list(out.values())


def pairs_from_texts(*, phones: str = "", accounts: str = "", urls: str = "", apps: str = "") -> list[tuple[str, str]]:
    """The four boxes of a form → [(kind, raw value)]."""
    pairs: list[tuple[str, str]] = []
    for kind, text in ((SubjectKind.PHONE, phones), (SubjectKind.ACCOUNT, accounts), (SubjectKind.URL, urls),
                       (SubjectKind.APP, apps)):
        pairs.extend((kind, v) for v in split_values(text, kind))
    return pairs
