"""The supervision panel of the home page: `{% load supervision %}{% supervision_panel %}`.

A leader's (or police leader's) contact points with their figures and the head
of the overdue list; nothing for roles that cannot open the supervision pages.
"""

from __future__ import annotations

from django import template

from fanzha.core.access import can_open

register = template.Library()


@register.inclusion_tag("supervision/_panel.html", takes_context=True)
def supervision_panel(context):
    from fanzha.supervision.selectors import leader_panel

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can_open(user, "supervision.plans"):
        return {"panel": None}
    return {"panel": leader_panel(user), "request": request}
