"""Alert pages: the queue that updates itself, the alert with its step buttons (phone first),
batch upload, the office's settings, conflicts to review, figures.

Seeing alerts follows the tree scope (alerts of another grid answer 404 like
ones that do not exist); acting on them needs `alerts.handle_alerts` (403 for
the read-only leader). Action posts come from htmx and get the re-rendered work
panel back; on a refusal (someone else signed, a newer edit) the panel shows
why and keeps what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from fanzha.alerts import selectors, services
from fanzha.alerts.figures import PERSON_PAGE, Window, alert_figures, minutes, sort_people
from fanzha.alerts.forms import (
    AssignForm,
    CloseForm,
    ContactForm,
    StepForm,
    RoutingRuleForm,
    TimeLimitForm,
    UploadForm,
    WebhookForm,
)
from fanzha.alerts.limits import DEFAULT_LIMITS, LimitBook
from fanzha.alerts.rules import DEFAULT_RULES, FLAGS, RuleBook, routing_rule_set
from fanzha.alerts.models import (
    AttemptResult,
    ContactChannel,
    ConflictStatus,
    Grade,
    Judgement,
    Notification,
    Outcome,
    Status,
    Webhook,
    WebhookDelivery,
)
from fanzha.core.access import area_view, can_open, require
from fanzha.core.audit import audit
from fanzha.core.models import AuditAction
from fanzha.core.scoping import crumbs_in_scope, node_param, scope_of, streets_for
from fanzha.org import selectors as org_selectors
from fanzha.org.models import Node, User

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_LIMIT = 1000


def _require_viewer(user) -> None:
    require(user, selectors.can_see_alerts, _("您的角色不处理预警"))


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- queue ------------------------------------------------------------------------------------


def _tab(request) -> str:
    tab = request.GET.get("tab", "open")
    return tab if tab in selectors.TABS else "open"


def _queue_context(request, tab: str) -> dict:
    now = timezone.now()
    items = []
    for a in selectors.alert_queue(request.user, tab=tab):
        items.append({"a": a, "left": selectors.time_left(a, now)})
    return {"items": items, "tab": tab, "counts": selectors.queue_counts(request.user), "now": now}


@area_view("alerts")
@require_safe
def queue(request):
    _require_viewer(request.user)
    tab = _tab(request)
    ctx = _queue_context(request, tab)
    ctx["notifications"] = list(Notification.objects.filter(user=request.user, read_at__isnull=True)
                                .order_by("-created_at", "-id")[:5])
    ctx["can_settings"] = can_open(request.user, "alerts.settings")
    if ctx["can_settings"]:
        ctx["conflicts_open"] = selectors.conflicts_for(request.user).count()
    ctx["tabs"] = [("open", _("待处置")), ("mine", _("我的")), ("pending", _("待分派")), ("escalated", _("已升级")),
                   ("transfer", _("待移交")), ("closed", _("已办结"))]
    return render(request, "alerts/queue.html", ctx)


@area_view("alerts")
@require_safe
def queue_fragment(request):
    """htmx, every few seconds: the list of one tab, with time left recomputed."""
    _require_viewer(request.user)
    response = render(request, "alerts/_queue.html", _queue_context(request, _tab(request)))
    response["Cache-Control"] = "no-store"
    return response


# --- one alert --------------------------------------------------------------------------------


def _work_context(request, alert, *, error: str = "", close_form: CloseForm | None = None, posted=None) -> dict:
    user = request.user
    can_handle = user.has_perm("alerts.handle_alerts")
    assign_groups = selectors.assignable_groups(alert, user) if can_handle and alert.status != Status.CLOSED else []
    return {
        "a": alert,
        "left": selectors.time_left(alert),
        "error": error,
        "posted": posted or {},
        "can_handle": can_handle,
        "can_transfer": user.has_perm("alerts.upload_alerts"),
        "close_form": close_form or CloseForm(initial={"version": alert.version}),
        "channels": [(c, c.label) for c in (ContactChannel.PHONE, ContactChannel.CALLBACK_96110)],
        "phone_results": [r for r in AttemptResult.choices if r[0] != AttemptResult.NOT_FOUND],
        "judgements": Judgement.choices,
        "assign_groups": assign_groups,
        "assign_count": sum(len(g["people"]) for g in assign_groups),
        "assignees": list(alert.assignees.select_related("user").order_by("id")),
        "unreachable_tries": services.UNREACHABLE_TRIES,
        "Status": Status,
    }


def _timeline(alert):
    return list(alert.events.select_related("user", "node").order_by("at", "id"))


@area_view("alerts")
@require_safe
def detail(request, pk: int):
    alert = selectors.alert_get(request.user, pk)
    ctx = _work_context(request, alert)
    ctx["events"] = _timeline(alert)
    ctx["resident_visible"] = bool(alert.resident_id) and org_selectors.residents_for(request.user).filter(pk=alert.resident_id).exists()
    return render(request, "alerts/detail.html", ctx)


@area_view("alerts")
@require_safe
def timeline_fragment(request, pk: int):
    alert = selectors.alert_get(request.user, pk)
    response = render(request, "alerts/_timeline.html", {"a": alert, "events": _timeline(alert)})
    response["Cache-Control"] = "no-store"
    return response


@area_view("alerts")
@require_safe
def assignable(request, pk: int):
    """htmx, from the reassign search box: the options of the picker, grouped by community and grid."""
    require(request.user, "alerts.handle_alerts")
    alert = selectors.alert_get(request.user, pk)
    q = request.GET.get("q", "")[:50]
    groups = selectors.assignable_groups(alert, request.user, q=q) if alert.status != Status.CLOSED else []
    return render(request, "alerts/_assign_options.html", {"assign_groups": groups, "q": q,
                                                           "assign_count": sum(len(g["people"]) for g in groups)})


def _work_response(request, alert, *, error: str = "", status: int = 200, close_form=None, posted=None):
    """The work panel (htmx) or, for a plain form post, the whole page / a redirect."""
    alert = selectors.alert_get(request.user, alert.pk)
    ctx = _work_context(request, alert, error=error, close_form=close_form, posted=posted)
    if _is_htmx(request):
        # The work panel, and the timeline out of band: the step just recorded shows at once (issue 8).
        ctx["events"] = _timeline(alert)
        ctx["timeline_oob"] = True
        return render(request, "alerts/_work.html", ctx)  # 200: htmx only swaps successful answers
    if not error:
        return redirect("alerts:detail", pk=alert.pk)
    ctx["events"] = _timeline(alert)
    return render(request, "alerts/detail.html", ctx, status=status)


def _message(e: ValidationError) -> str:
    return "；".join(e.messages)


def _action(request, pk: int):
    require(request.user, "alerts.handle_alerts")
    return selectors.alert_get(request.user, pk)


@area_view("alerts")
@require_POST
def sign(request, pk: int):
    alert = _action(request, pk)
    try:
        services.alert_sign(user=request.user, alert=alert)
    except ValidationError as e:
        return _work_response(request, alert, error=_message(e), status=409)
    return _work_response(request, alert)


@area_view("alerts")
@require_POST
def contact(request, pk: int):
    alert = _action(request, pk)
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _work_response(request, alert, error=_("请选择联系方式和结果"), status=400, posted=request.POST)
    d = form.cleaned_data
    try:
        services.alert_contact_add(user=request.user, alert=alert, channel=d["channel"], result=d["result"], note=d["note"])
    except ValidationError as e:
        return _work_response(request, alert, error=_message(e), status=400, posted=request.POST)
    return _work_response(request, alert)


@area_view("alerts")
@require_POST
def step(request, pk: int):
    alert = _action(request, pk)
    form = StepForm(request.POST)
    if not form.is_valid():
        return _work_response(request, alert, error=_("未知的处置步骤"), status=400, posted=request.POST)
    d = form.cleaned_data
    try:
        services.alert_step_record(user=request.user, alert=alert, step=d["step"], note=d["note"], judgement=d["judgement"])
    except ValidationError as e:
        return _work_response(request, alert, error=_message(e), status=400, posted=request.POST)
    return _work_response(request, alert)


@area_view("alerts")
@require_POST
def close(request, pk: int):
    alert = _action(request, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _work_response(request, alert, error=_("请选择处置结果"), status=400, close_form=form)
    d = form.cleaned_data
    # Check against the alert as the user saw it: the service refuses if the version moved on.
    seen = alert
    try:
        result = services.alert_close(user=request.user, alert=seen, version=d["version"], outcome=d["outcome"],
                                      note=d["note"], saved_amount=d["saved_amount"], loss=d["loss"])
    except services.AlertEditConflict as e:
        bound = CloseForm({**request.POST.dict(), "version": selectors.alert_get(request.user, pk).version})
        bound.is_valid()
        return _work_response(request, alert, error=_message(e), status=409, close_form=bound)
    except ValidationError as e:
        return _work_response(request, alert, error=_message(e), status=400, close_form=form)
    if result.case is not None:
        messages.success(request, _("已生成案件，请民警核实补充"))
        if request.user.has_perm("cases.manage_cases"):
            url = reverse("cases:edit", args=[result.case.pk])
            if _is_htmx(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return redirect(url)
    return _work_response(request, alert)


@area_view("alerts")
@require_POST
def assign(request, pk: int):
    alert = _action(request, pk)
    form = AssignForm(request.POST)
    if not form.is_valid():
        return _work_response(request, alert, error=_("请选择改派对象"), status=400, posted=request.POST)
    to_user = User.objects.filter(pk=form.cleaned_data["to_user"], is_active=True).first()
    if to_user is None:
        return _work_response(request, alert, error=_("请选择改派对象"), status=400, posted=request.POST)
    try:
        services.alert_assign(user=request.user, alert=alert, to_user=to_user, note=form.cleaned_data["note"],
                              scope=scope_of(request.user))
    except ValidationError as e:
        return _work_response(request, alert, error=_message(e), status=400, posted=request.POST)
    if not selectors.alerts_for(request.user).filter(pk=alert.pk).exists():
        messages.success(request, _("已改派"))
        return redirect("alerts:queue")
    return _work_response(request, alert)


@area_view("alerts")
@require_POST
def transfer_done(request, pk: int):
    require(request.user, "alerts.upload_alerts")
    alert = _action(request, pk)
    try:
        services.alert_transfer_done(user=request.user, alert=alert, note=request.POST.get("note", "")[:1000])
    except ValidationError as e:
        return _work_response(request, alert, error=_message(e), status=400)
    return _work_response(request, alert)


@area_view("alerts")
@require_POST
def reveal(request, pk: int):
    """The full phone and ID numbers (to call the person), written to the audit log."""
    require(request.user, "org.reveal_pii")
    alert = selectors.alert_get(request.user, pk)
    audit(user=request.user, action=AuditAction.REVEAL, target=f"alert:{alert.pk}",
          detail=_("查看预警#%(id)d的完整手机号和身份证号") % {"id": alert.pk}, request=request)
    return render(request, "alerts/_pii.html", {"a": alert, "revealed": True})


# --- notifications -----------------------------------------------------------------------------


@area_view("alerts")
@require_http_methods(["GET", "HEAD", "POST"])
def notifications(request):
    if request.method == "POST":
        Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
        nxt = request.POST.get("next", "")
        return redirect(nxt if nxt.startswith(reverse("alerts:queue")) else "alerts:notifications")
    items = list(selectors.notifications_for(request.user, limit=100))
    return render(request, "alerts/notifications.html", {"items": items})


@area_view("alerts")
@require_safe
def badge(request):
    """htmx, from the nav link: the number of unread notifications."""
    from fanzha.alerts.templatetags.alerts_tags import unread_badge

    response = HttpResponse(unread_badge(selectors.unread_count(request.user)) if selectors.can_see_alerts(request.user) else "")
    response["Cache-Control"] = "no-store"
    return response


@area_view("alerts")
@require_safe
def notification_open(request, pk: int):
    n = Notification.objects.filter(pk=pk, user=request.user).first()
    if n is None:
        raise Http404("not found")
    if n.read_at is None:
        Notification.objects.filter(pk=n.pk).update(read_at=timezone.now())
    return redirect(n.url if n.url.startswith(reverse("alerts:queue")) else "alerts:queue")


# --- batch upload ------------------------------------------------------------------------------


def _upload_areas(user) -> list[Node]:
    """Where a batch may go: the user's streets, and a whole county for a county-level user."""
    from fanzha.org.models import Level

    scope = scope_of(user)
    counties = Node.objects.filter(level=Level.COUNTY)
    if not scope.everything:
        counties = counties.filter(pk__in=sorted(scope.nodes.get(Level.COUNTY, ())))
    return list(counties.order_by("sort", "code")) + streets_for(user)


@area_view("alerts.upload")
@require_http_methods(["GET", "HEAD", "POST"])
def upload(request):
    """Upload a spreadsheet of alerts: row report (nothing kept unless every row is good), then where they went."""
    require(request.user, "alerts.upload_alerts")
    from fanzha.alerts.importers import AlertImporter
    from fanzha.core.imports import run_import
    from fanzha.org.importers import import_context

    streets = _upload_areas(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, streets=streets)
    result = batch = None
    if request.method == "POST" and form.is_valid():
        street = form.target_street()
        if street is None:
            raise Http404("no street")
        upload_file = form.cleaned_data["file"]
        ctx = import_context(user=request.user, street=street, request=request)
        ctx.filename = upload_file.name
        result = run_import(AlertImporter, ctx, upload_file, filename=upload_file.name, dry_run=form.cleaned_data["dry_run"])
        batch = getattr(ctx, "batch", None)
        if result.applied:
            form = UploadForm(streets=streets)
    return render(request, "alerts/upload.html", {
        "form": form, "result": result, "batch": batch, "columns": AlertImporter.columns,
        "errors_shown": result.errors[:REPORT_LIMIT] if result else [], "report_limit": REPORT_LIMIT,
        "description": AlertImporter.description,
    })


@area_view("alerts.upload")
@require_safe
def upload_template(request):
    require(request.user, "alerts.upload_alerts")
    from fanzha.alerts.importers import AlertImporter
    from fanzha.core.exports import write_import_template
    from fanzha.org.importers import import_context

    streets = streets_for(request.user)
    if not streets:
        raise Http404("no street")
    data = write_import_template(AlertImporter(import_context(user=request.user, street=streets[0], request=request)))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename=\"alerts-template.xlsx\""
    return response


# --- the office's settings ---------------------------------------------------------------------


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


# --- conflicts ---------------------------------------------------------------------------------


@area_view("alerts.settings")
@require_safe
def conflicts(request):
    require(request.user, "alerts.configure_alerts")
    status = request.GET.get("status", ConflictStatus.OPEN)
    if status not in ConflictStatus.values and status != "all":
        status = ConflictStatus.OPEN
    items = selectors.conflicts_for(request.user, status="" if status == "all" else status)[:200]
    return render(request, "alerts/conflicts.html", {"items": items, "status": status, "statuses": ConflictStatus.choices})


@area_view("alerts.settings")
@require_POST
def conflict_resolve(request, pk: int):
    require(request.user, "alerts.configure_alerts")
    conflict = selectors.conflict_get(request.user, pk)
    action = request.POST.get("action")
    if action not in ("keep", "apply"):
        messages.error(request, _("请选择保留原预警或按新内容更正"))
        return redirect("alerts:conflicts")
    try:
        services.alert_conflict_resolve(user=request.user, conflict=conflict, apply=action == "apply")
    except ValidationError as e:
        messages.error(request, _message(e))
    else:
        messages.success(request, _("已处理编号冲突#%(id)d") % {"id": conflict.pk})
    return redirect("alerts:conflicts")


# --- figures -----------------------------------------------------------------------------------


def _figures_params(request):
    """(node, window, problem): the node in scope, the period from the date-range control (start/end), an
    older `period` code, or the recent months; a bad period is said and replaced by the recent months."""
    user = request.user
    node = node_param(request)
    start, end = request.GET.get("start", ""), request.GET.get("end", "")
    problem = ""
    try:
        if start or end:
            today = timezone.localdate()
            window = Window.between(start or Window.parse("").start, end or today)
        else:
            window = Window.parse(request.GET.get("period", ""))
    except ValueError as e:
        problem = str(e) if start or end else _("期间格式不正确")
        window = Window.parse("")
    return node, window, problem


def _presets(today) -> list[tuple[str, str, str]]:
    """(label, start, end) of the quick choices beside the date range."""
    import datetime as dt

    recent = Window.parse("", today=today)
    quarter = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return [(str(recent.label), recent.start.isoformat(), today.isoformat()),
            (_("本月"), today.replace(day=1).isoformat(), today.isoformat()),
            (_("本季度"), quarter.isoformat(), today.isoformat()),
            (_("本年"), today.replace(month=1, day=1).isoformat(), today.isoformat()),
            (_("上一年"), dt.date(today.year - 1, 1, 1).isoformat(), dt.date(today.year - 1, 12, 31).isoformat())]


@area_view("alerts.figures")
@require_safe
def figures(request):
    _require_viewer(request.user)
    node, window, problem = _figures_params(request)
    if problem:
        messages.error(request, _("%(why)s，已显示近6个月") % {"why": problem})
    data = alert_figures(request.user, node=node, window=window)
    ancestors = crumbs_in_scope(request.user, node)
    people, sort = sort_people(data["by_person"], request.GET.get("sort", "-received"))
    from django.core.paginator import Paginator

    person_page = Paginator(people, PERSON_PAGE).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    for k in ("sort", "page"):
        keep.pop(k, None)
    keep["start"], keep["end"] = window.start.isoformat(), window.end.isoformat()
    keep.pop("period", None)
    columns = [("name", _("姓名")), ("received", _("签收")), ("signed_pct", _("按时签收")),
               ("contacted_pct", _("按时联系上")), ("contact_median", _("联系用时中位数")), ("dissuaded", _("劝阻成功"))]
    heads = []
    for key, label in columns:
        on = sort.lstrip("-") == key
        desc = on and sort.startswith("-")
        # First click: names A→Z, figures largest first; a second click reverses.
        nxt = (key if desc else f"-{key}") if on else (key if key == "name" else f"-{key}")
        heads.append({"key": key, "label": label, "sort": nxt, "on": on,
                      "aria": ("descending" if desc else "ascending") if on else ""})
    sort_choices = [("name", _("姓名 A→Z")), ("-name", _("姓名 Z→A"))]
    for key, label in columns[1:]:
        sort_choices += [(f"-{key}", _("%(c)s 从高到低") % {"c": label}), (key, _("%(c)s 从低到高") % {"c": label})]
    return render(request, "alerts/figures.html", {
        "sort_choices": sort_choices, "keep_items": [(k, v) for k in keep for v in keep.getlist(k)],
        "data": data, "node": node, "window": window, "ancestors": ancestors, "minutes": minutes,
        "outcome_labels": dict(Outcome.choices), "person_page": person_page, "person_heads": heads, "sort": sort,
        "keep": keep.urlencode(), "range_query": f"start={window.start.isoformat()}&end={window.end.isoformat()}",
        "presets": _presets(timezone.localdate()), "today": timezone.localdate().isoformat(),
        "chart_labels": {"received": _("接收"), "contacted_pct": _("按时联系上%")},
    })


@area_view("alerts.figures")
@require_safe
def figures_export(request):
    _require_viewer(request.user)
    require(request.user, "org.export_data")
    node, window, _problem = _figures_params(request)
    data = alert_figures(request.user, node=node, window=window)
    from fanzha.alerts.exports import figures_workbook

    content = figures_workbook(data)
    audit(user=request.user, action=AuditAction.EXPORT, target=f"alert-figures:{node.pk if node else 'all'}:{window.key}",
          request=request)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="alert-figures-{window.key}.xlsx"'
    return response
