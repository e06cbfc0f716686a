"""The office's alert settings for one street: time limits, routing rules, group-chat bots, senders."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fanzha.alerts import services
from fanzha.alerts.forms import RoutingRuleForm, TimeLimitForm, WebhookForm
from fanzha.alerts.limits import DEFAULT_LIMITS, LimitBook
from fanzha.alerts.rules import DEFAULT_RULES, FLAGS, RuleBook, routing_rule_set
from fanzha.alerts.models import Grade, Webhook, WebhookDelivery
from fanzha.core.access import area_view, require
from fanzha.core.scoping import streets_for
from fanzha.org.models import Node



def _settings_street(request) -> Node:
    streets = streets_for(request.user)
    raw = request.GET.get("street") or request.POST.get("street") or ""
    if raw:
        street = next((s for s in streets if str(s.pk) == raw), None)
        if street is None:
            raise Http404("unknown street")
        return street
    if not streets:
        raise Http404("no street")
    return streets[0]


@area_view("alerts.settings")
@require_http_methods(["GET", "HEAD", "POST"])
def alert_settings(request):
    """Time limits and routing rules per grade, and the group-chat bots of one street."""
    require(request.user, "alerts.configure_alerts")
    street = _settings_street(request)
    book = LimitBook([street.pk])
    rules = RuleBook([street.pk])
    forms_by_grade = {}
    rule_forms: dict[str, RoutingRuleForm] = {}
    webhook_form = WebhookForm(prefix="hook")
    if request.method == "POST":
        if request.POST.get("what") == "routing":
            grade = request.POST.get("grade", "")
            if grade in Grade.values:
                form = RoutingRuleForm(request.POST, prefix=f"route-{grade}")
                if form.is_valid():
                    try:
                        routing_rule_set(street=street, grade=grade, **form.cleaned_data)
                    except ValidationError as e:
                        for field, msgs in (e.message_dict.items() if hasattr(e, "error_dict") else [(None, e.messages)]):
                            form.add_error(field if field in form.fields else None, msgs)
                    else:
                        messages.success(request, _("%(g)s级预警的分派规则已保存，对此后收到的预警生效") % {"g": Grade(grade).label})
                        return redirect(f"{request.path}?street={street.pk}")
                rule_forms[grade] = form
        elif request.POST.get("what") == "webhook":
            webhook_form = WebhookForm(request.POST, prefix="hook")
            if webhook_form.is_valid():
                try:
                    services.webhook_add(street=street, url=webhook_form.cleaned_data["url"], name=webhook_form.cleaned_data["name"])
                except ValidationError as e:
                    webhook_form.add_error("url", e.messages)
                else:
                    messages.success(request, _("群机器人已添加"))
                    return redirect(f"{request.path}?street={street.pk}")
        else:
            grade = request.POST.get("grade", "")
            if grade in Grade.values:
                form = TimeLimitForm(request.POST, prefix=grade)
                if form.is_valid():
                    d = form.cleaned_data
                    try:
                        services.time_limit_set(street=street, grade=grade, sign_minutes=d["sign_minutes"],
                                                contact_minutes=d["contact_minutes"], onsite_minutes=d["onsite_minutes"])
                    except ValidationError as e:
                        for field, msgs in e.message_dict.items():
                            form.add_error(field if field in form.fields else None, msgs)
                    else:
                        messages.success(request, _("%(g)s级预警的时限已保存，对此后收到的预警生效") % {"g": Grade(grade).label})
                        return redirect(f"{request.path}?street={street.pk}")
                forms_by_grade[grade] = form
    rows = []
    for grade, label in Grade.choices:
        limits = book.get(street.pk, grade)
        form = forms_by_grade.get(grade) or TimeLimitForm(prefix=grade, initial={
            "sign_minutes": limits.sign, "contact_minutes": limits.contact, "onsite_minutes": limits.onsite})
        rule = rules.get(street.pk, grade)
        rule_form = rule_forms.get(grade) or RoutingRuleForm(prefix=f"route-{grade}", initial={f: getattr(rule, f) for f in FLAGS})
        rows.append({"grade": grade, "label": label, "form": form, "default": DEFAULT_LIMITS[grade], "rule_form": rule_form,
                     "rule_default": DEFAULT_RULES[grade], "rule_is_default": rule == DEFAULT_RULES[grade]})
    from fanzha.alerts.models import Sender

    return render(request, "alerts/settings.html", {
        "street": street, "streets": streets_for(request.user), "rows": rows, "webhook_form": webhook_form,
        "webhooks": list(Webhook.objects.filter(street=street).order_by("id")),
        "senders": list(Sender.objects.filter(node_id__in=[street.pk, street.county_id]).order_by("name")),
        "deliveries": list(WebhookDelivery.objects.filter(webhook__street=street).select_related("webhook")
                           .order_by("-id")[:10]),
    })


@area_view("alerts.settings")
@require_POST
def webhook_delete(request, pk: int):
    require(request.user, "alerts.configure_alerts")
    hook = Webhook.objects.filter(pk=pk, street__in=streets_for(request.user)).first()
    if hook is None:
        raise Http404("not found")
    street_id = hook.street_id
    services.webhook_remove(webhook=hook)
    messages.success(request, _("群机器人已删除"))
    return redirect(f"{reverse('alerts:settings')}?street={street_id}")
