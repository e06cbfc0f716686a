"""Alert pages of the response: the queue that updates itself, the alert with its step buttons (phone first).

Seeing alerts follows the tree scope (alerts of another grid answer 404 like
ones that do not exist); acting on them needs `alerts.handle_alerts` (403 for
the read-only leader). Action posts come from htmx and get the re-rendered work
panel back; on a refusal (someone else signed, a newer edit) the panel shows
why and keeps what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from fanzha.alerts import selectors, services
from fanzha.alerts.forms import (
    AssignForm,
    CloseForm,
    ContactForm,
    StepForm,
)
from fanzha.alerts.models import (
    AttemptResult,
    ContactChannel,
    Judgement,
    Notification,
    Status,
)
from fanzha.core.access import allowed, area_view, can_open, require
from fanzha.core.audit import audit
from fanzha.core.models import AuditAction
from fanzha.core.scoping import scope_of
from fanzha.org import selectors as org_selectors
from fanzha.org.models import User


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
    can_handle = allowed(user, "alerts.handle_alerts")
    assign_groups = selectors.assignable_groups(alert, user) if can_handle and alert.status != Status.CLOSED else []
    return {
        "a": alert,
        "left": selectors.time_left(alert),
        "error": error,
        "posted": posted or {},
        "can_handle": can_handle,
        "can_transfer": allowed(user, "alerts.upload_alerts"),
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
        if allowed(request.user, "cases.manage_cases"):
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
