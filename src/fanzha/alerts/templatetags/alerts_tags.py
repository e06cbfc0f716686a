"""Template helpers of the alert pages: the nav link with its unread badge, time-left badges."""

from __future__ import annotations

from django import template
from django.urls import reverse
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


@register.simple_tag(takes_context=True)
def alerts_nav(context) -> str:
    """The nav link to the alert queue, nothing for roles that do not handle alerts (group heads, unit
    liaisons). The unread count is fetched by htmx after the page loads (and every 30 s), so the link
    adds no query to any page."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    from fanzha.alerts.selectors import can_see_alerts

    if not can_see_alerts(user):
        return ""
    return format_html('<a href="{}">{}<span hx-get="{}" hx-trigger="load, every 30s" hx-swap="innerHTML"></span></a>',
                       reverse("alerts:queue"), _("预警"), reverse("alerts:badge"))


def unread_badge(n: int) -> str:
    if not n:
        return ""
    return format_html(
        ' <span id="alerts-unread" style="background:#fff;color:#b3261e;border-radius:999px;padding:0 .45rem;'
        'font-size:.75rem;font-weight:700">{}</span>', n)
