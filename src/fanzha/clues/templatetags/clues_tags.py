"""`{% load clues_tags %}{% clues_overdue_box %}`: the overdue hand-offs box for a home page."""

from __future__ import annotations

from django import template

from fanzha.core.access import can_open

register = template.Library()


@register.inclusion_tag("clues/_overdue.html", takes_context=True)
def clues_overdue_box(context, limit: int = 10):
    """Clues handed off and past their deadline in the user's scope; renders nothing when there are none."""
    from fanzha.clues.selectors import clues_overdue_for

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can_open(user, "clues"):
        return {"clues_overdue": []}
    return {"clues_overdue": clues_overdue_for(user, limit=limit)}
