"""Display filters every app uses the same way: numbers, money and stored Chinese labels.

    {% load fz %}
    {{ n|num }}          26,700 in both languages (never 26700 or 2,67,00)
    {{ n|num:1 }}        1,234.5
    {{ amount|yuan }}    12,345 元 / CNY 12,345   — one money unit per page: either yuan or wan
    {{ amount|wan }}     1.23 万元 / CNY 1.23 × 10,000
    {{ case.get_fraud_type_display|tr }}   a label stored as plain Chinese (fraud types), translated at render time
    {% chart_empty data.trend %}<div id="chart-trend">…   "暂无" instead of an empty chart (lists get {% empty %} rows)
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_noop

register = template.Library()

# Labels kept as plain Chinese strings in code (fanzha.cases.fraud_types, so the classifier runs without Django);
# named here so `makemessages` keeps their English in the catalogue. `|tr` translates them on the page.
FRAUD_TYPE_LABELS = (
    gettext_noop("刷单返利"), gettext_noop("虚假网络投资理财"), gettext_noop("虚假购物服务"), gettext_noop("冒充电商物流客服"),
    gettext_noop("虚假贷款"), gettext_noop("虚假征信"), gettext_noop("冒充领导熟人"), gettext_noop("冒充公检法及政府机关"),
    gettext_noop("网络婚恋交友"), gettext_noop("网络游戏产品虚假交易"), gettext_noop("虚假扶贫/冒充扶贫"), gettext_noop("高回报集资"),
    gettext_noop("冒充亲属"), gettext_noop("养老诈骗/保健品"), gettext_noop("邮件诈骗"), gettext_noop("其他"),
)


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


@register.filter
def num(value, places: int = 0) -> str:
    """A number with "," between thousands and `places` decimals, the same in Chinese and English; '—' if empty."""
    d = _decimal(value)
    if d is None:
        return "—" if value in (None, "") else str(value)
    return f"{d:,.{int(places)}f}"


@register.filter
def yuan(value) -> str:
    """An amount in yuan: "12,345 元" (Chinese) / "CNY 12,345" (English)."""
    d = _decimal(value)
    if d is None:
        return "—"
    places = 0 if d == d.to_integral_value() else 2
    return gettext("%(n)s 元") % {"n": f"{d:,.{places}f}"}


@register.filter
def wan(value) -> str:
    """An amount in 万元 (ten thousand yuan), two decimals: "1.23 万元" / "CNY 1.23 × 10,000"."""
    d = _decimal(value)
    if d is None:
        return "—"
    return gettext("%(n)s 万元") % {"n": f"{d / 10000:,.2f}"}


@register.filter
def tr(value) -> str:
    """Translate a label stored as plain Chinese (see FRAUD_TYPE_LABELS) into the page's language."""
    return gettext(str(value)) if value not in (None, "") else ""


def _has_figure(value) -> bool:
    """True when a chart's data holds any non-zero number (labels, dates and None do not count)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return False
    if isinstance(value, (int, float, Decimal)):
        return value != 0
    if isinstance(value, dict):
        return any(_has_figure(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_figure(v) for v in value)
    return False


@register.simple_tag
def chart_empty(data) -> str:
    """Placed right before a chart's element: when the chart has nothing to draw, a translated "暂无" that also
    hides the blank chart (app.css `.chart-empty + *`), so an empty period reads as empty, not as a broken chart."""
    if _has_figure(data):
        return ""
    return format_html('<p class="muted chart-empty">{}</p>', gettext("暂无"))
