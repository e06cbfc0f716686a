from django import template

from fanzha.duties.selectors import home_panel

register = template.Library()


@register.inclusion_tag("duties/_home_panel.html", takes_context=True)
def duties_panel(context):
    """`{% load duties %}{% duties_panel %}`: the home page's duties panel for the request's user."""
    return {"panel": home_panel(context["request"].user), "request": context["request"]}
