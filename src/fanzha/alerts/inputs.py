"""Turning what a sender pushes (JSON) or a spreadsheet row holds into a clean `AlertInput`.

One parser for both intakes, so an alert means the same whichever way it came,
and its content hash (used to tell a retry from a conflicting second version)
is computed from the canonical values, not from how they were typed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, fields
from functools import cached_property

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fanzha.alerts.models import Grade
from fanzha.core import pii
from fanzha.core.idnumbers import (
    mask_id_number,
    mask_phone,
    normalise_digits,
    parse_id_number,
    parse_phone,
)

#: How far in the future an alert time may lie (the sender's clock may run ahead a little).
CLOCK_SKEW = dt.timedelta(minutes=5)
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

GRADES = {
    "高": Grade.HIGH, "high": Grade.HIGH, "h": Grade.HIGH, "高风险": Grade.HIGH, "高危": Grade.HIGH, "一级": Grade.HIGH,
    "中": Grade.MEDIUM, "medium": Grade.MEDIUM, "m": Grade.MEDIUM, "中风险": Grade.MEDIUM, "中危": Grade.MEDIUM, "二级": Grade.MEDIUM,
    "低": Grade.LOW, "low": Grade.LOW, "l": Grade.LOW, "低风险": Grade.LOW, "低危": Grade.LOW, "三级": Grade.LOW,
}

LIMITS = {"external_id": 64, "name": 50, "fraud_type": 50, "fraud_contact": 500, "note": 2000, "area_code": 40}

FIELD_LABELS = {
    "external_id": gettext_lazy("预警编号"), "occurred_at": gettext_lazy("预警时间"), "grade": gettext_lazy("预警级别"),
    "name": gettext_lazy("姓名"), "phone": gettext_lazy("手机号"), "id_number": gettext_lazy("身份证号"),
    "fraud_type": gettext_lazy("诈骗类型"), "fraud_contact": gettext_lazy("涉诈号码/网址"), "note": gettext_lazy("备注"),
    "area_code": gettext_lazy("区域编码"),
}


def parse_grade(raw) -> str:
    text = str(raw or "").strip()
    if not text:
        raise ValueError(_("请填写预警级别（高/中/低）"))
    grade = GRADES.get(text.lower()) or GRADES.get(text.removesuffix("级").removesuffix("预警"))
    if grade is None:
        raise ValueError(_("预警级别“%(v)s”无法识别，应为 高/中/低（或 high/medium/low）") % {"v": text[:20]})
    return grade


_DATETIME = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]+(\d{1,2})\s*[:时点]\s*(\d{1,2})(?:\s*[:分]\s*(?:(\d{1,2})(?:\.\d+)?\s*秒?)?)?)?\s*$"
)


def parse_alert_time(raw, *, now: dt.datetime | None = None) -> dt.datetime:
    """An aware datetime from ISO 8601 (with or without zone), '2025/3/1 14:22', '2025年3月1日 14时22分',
    a spreadsheet date-time or epoch seconds/milliseconds. Times without a zone are local (TIME_ZONE).
    Refused: empty, unreadable, before 2000, or later than now plus a small clock skew."""
    now = now or timezone.now()
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        raise ValueError(_("请填写预警时间"))
    value: dt.datetime | None = None
    if isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
        seconds = raw / 1000 if raw > 1e11 else raw
        try:
            value = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            value = None
    else:
        text = normalise_digits(str(raw)).strip()
        if text.isdigit() and len(text) in (10, 13):
            return parse_alert_time(int(text), now=now)
        m = _DATETIME.match(text)
        try:
            if m:
                value = dt.datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4] or 0), int(m[5] or 0), int(m[6] or 0))
            else:
                value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            value = None
    if value is None:
        raise ValueError(_("预警时间“%(v)s”无法识别，请写成 2025-03-01 14:22:00 的形式") % {"v": str(raw)[:30]})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + CLOCK_SKEW:
        raise ValueError(_("预警时间%(t)s在未来，请检查发送方的时钟") % {"t": timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")})
    if value < EARLIEST:
        raise ValueError(_("预警时间过早，请检查"))
    return value.replace(microsecond=0)


@dataclass(frozen=True)
class AlertInput:
    """One alert's content in canonical form (numbers parsed, grade coded, time aware)."""

    external_id: str
    occurred_at: dt.datetime
    grade: str
    name: str = ""
    phone: str = ""
    id_number: str = ""
    fraud_type: str = ""
    fraud_contact: str = ""
    note: str = ""
    area_code: str = ""

    def canonical(self) -> str:
        """The content (everything but the id) as sorted JSON, time in UTC."""
        d = {f: getattr(self, f) for f in CONTENT_FIELDS}
        d["occurred_at"] = self.occurred_at.astimezone(dt.UTC).isoformat()
        return json.dumps(d, ensure_ascii=False, sort_keys=True)

    def content_hash(self) -> str:
        """Keyed (the content holds ID and phone numbers), so equal hashes leak nothing; computed once."""
        return self._content_hash

    @cached_property
    def _content_hash(self) -> str:
        return pii.lookup_hash("alert", self.canonical())

    def masked(self, field: str) -> str:
        value = getattr(self, field)
        if field == "phone":
            return mask_phone(value) if value else ""
        if field == "id_number":
            return mask_id_number(value) if value else ""
        if field == "occurred_at":
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
        if field == "grade":
            return str(Grade(value).label)
        return str(value)

    @classmethod
    def from_canonical(cls, external_id: str, text: str) -> AlertInput:
        d = json.loads(text)
        d["occurred_at"] = dt.datetime.fromisoformat(d["occurred_at"])
        return cls(external_id=external_id, **d)


CONTENT_FIELDS = tuple(f.name for f in fields(AlertInput) if f.name != "external_id")


def _text(raw, field: str, errors: dict) -> str:
    if raw is None:
        return ""
    text = str(raw).strip()
    if len(text) > LIMITS[field]:
        errors.setdefault(field, []).append(_("过长（最多 %(n)d 个字符）") % {"n": LIMITS[field]})
        return ""
    return text


def clean_alert(data: dict, *, now: dt.datetime | None = None, require_id: bool = True) -> AlertInput:
    """Check one alert's fields; ValidationError with a message per bad field (nothing stored).

    `data` keys: external_id, occurred_at, grade, name, phone, id_number, fraud_type, fraud_contact, note,
    area_code. A phone number or an ID number is required: without either nobody can be found.
    """
    errors: dict[str, list[str]] = {}
    external_id = _text(data.get("external_id"), "external_id", errors)
    if require_id and not external_id and "external_id" not in errors:
        errors["external_id"] = [_("请提供预警编号（发送方自己的编号，重发时保持不变）")]
    occurred_at = None
    try:
        occurred_at = parse_alert_time(data.get("occurred_at"), now=now)
    except ValueError as e:
        errors["occurred_at"] = [str(e)]
    grade = ""
    try:
        grade = parse_grade(data.get("grade"))
    except ValueError as e:
        errors["grade"] = [str(e)]
    phone = id_number = ""
    raw_phone = str(data.get("phone") or "").strip()
    if raw_phone:
        try:
            phone = parse_phone(raw_phone)
        except ValueError as e:
            errors["phone"] = [str(e)]
    raw_id = str(data.get("id_number") or "").strip()
    if raw_id:
        try:
            id_number = parse_id_number(raw_id, today=timezone.localdate(now) if now else None)
        except ValueError as e:
            errors["id_number"] = [str(e)]
    if not raw_phone and not raw_id:
        errors.setdefault("phone", []).append(_("手机号和身份证号至少填写一项"))
    fields = {k: _text(data.get(k), k, errors) for k in ("name", "fraud_type", "fraud_contact", "note", "area_code")}
    if errors:
        raise ValidationError(errors)
    return AlertInput(external_id=external_id, occurred_at=occurred_at, grade=grade, phone=phone,
                      id_number=id_number, **fields)


def differences(old: AlertInput, new: AlertInput) -> list[dict]:
    """The fields that differ between two versions, with numbers masked (safe to show and store)."""
    out = []
    for field in ("occurred_at", "grade", "name", "phone", "id_number", "fraud_type", "fraud_contact", "note",
                  "area_code"):
        if getattr(old, field) != getattr(new, field):
            out.append({"field": field, "label": str(FIELD_LABELS[field]), "old": old.masked(field)[:200],
                        "new": new.masked(field)[:200]})
    return out
