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


@register.inclusion_tag("clues/_from_finding.html", takes_context=True)
def clue_from_finding_button(context, what: str, record):
    """The one-tap "转为线索" button beside a premises check's finding or a flagged sweep person, for the roles
    that may add clues; nothing for a record without a finding."""
    request = context.get("request")
    user = getattr(request, "user", None)
    found = record.finding != "none" if what == "premises-check" else record.is_finding
    show = bool(found and user is not None and can_open(user, "clues.new"))
    return {"show": show, "what": what, "record": record, "csrf_token": context.get("csrf_token")}
