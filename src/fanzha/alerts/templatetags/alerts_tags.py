"""Template helpers of the alert pages: the unread badge, time-left badges, durations (money goes through `fz`'s |yuan and |wan)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from fanzha.alerts.models import Grade, Stage

register = template.Library()


def duration(seconds: int) -> str:
    """'45秒', '3分12秒', '2小时5分', '1天3小时'."""
    s = abs(int(seconds))
    if s < 60:
        return _("%(s)d秒") % {"s": s}
    if s < 3600:
        return _("%(m)d分%(s)02d秒") % {"m": s // 60, "s": s % 60}
    if s < 86400:
        return _("%(h)d小时%(m)d分") % {"h": s // 3600, "m": s % 3600 // 60}
    return _("%(d)d天%(h)d小时") % {"d": s // 86400, "h": s % 86400 // 3600}


@register.filter
def left_badge(left) -> str:
    """The countdown to the next time limit, red once it has passed."""
    if not left:
        return ""
    stage = Stage(left["stage"]).label
    if left["seconds"] >= 0:
        return format_html('<span class="due" data-seconds="{}">{}</span>', left["seconds"],
                           _("%(stage)s剩余%(t)s") % {"stage": stage, "t": duration(left["seconds"])})
    return format_html('<span class="due overdue" data-seconds="{}">{}</span>', left["seconds"],
                       _("%(stage)s超时%(t)s") % {"stage": stage, "t": duration(left["seconds"])})


@register.filter
def grade_class(grade: str) -> str:
    return {Grade.HIGH: "high", Grade.MEDIUM: "medium", Grade.LOW: "low"}.get(grade, "")


@register.filter
def seconds_text(seconds) -> str:
    return "—" if seconds is None else duration(seconds)


def unread_badge(n: int) -> str:
    if not n:
        return ""
    return format_html(
        ' <span id="alerts-unread" style="background:#fff;color:#b3261e;border-radius:999px;padding:0 .45rem;'
        'font-size:.75rem;font-weight:700">{}</span>', n)
