"""The main menu and the tabs of an area, drawn from the role-access table."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from fanzha.core.access import BY_KEY, menu_for, tabs_for

register = template.Library()


def _link(area, current: str, query: str) -> tuple:
    badge = ""
    if area.badge_url:
        badge = format_html('<span hx-get="{}" hx-trigger="load, every 30s" hx-swap="innerHTML"></span>',
                            reverse(area.badge_url))
    on = mark_safe(' class="on" aria-current="page"') if area.key == current else ""
    return (area.url() + query, on, area.label, badge)


@register.simple_tag(takes_context=True)
def main_menu(context, current: str = "") -> str:
    """Every top-level area the user may open, nothing else."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    current = current or context.get("area", "")
    current = current.split(".")[0] if current else ""
    return format_html_join("\n", '<a href="{}"{}>{}{}</a>', (_link(a, current, "") for a in menu_for(user)))


@register.simple_tag(takes_context=True)
def area_tabs(context, parent: str, current: str = "", query: str = "") -> str:
    """The tabs of `parent`'s pages that the user may open; `query` (e.g. "?node=3") is kept on each."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    tabs = tabs_for(user, parent)
    if len(tabs) < 2:
        return ""
    links = format_html_join("\n", '<a href="{}"{}>{}{}</a>', (_link(a, current, query) for a in tabs))
    return format_html('<nav class="tabs" aria-label="{}">{}</nav>', BY_KEY[parent].label, links)
