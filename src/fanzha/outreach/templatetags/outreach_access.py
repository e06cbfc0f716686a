"""`{% if request.user|can_open:"outreach.targets" %}`: a link is drawn only for a role that may open it."""

from django import template

from fanzha.core.access import can_open as _can_open

register = template.Library()


@register.filter
def can_open(user, key: str) -> bool:
    return _can_open(user, key)
