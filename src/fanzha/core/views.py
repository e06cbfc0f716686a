import datetime as dt

from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from fanzha.core.access import area_view, public_view
from fanzha.core.models import AuditAction, AuditLog
from fanzha.core.security import CheckedAuthenticationForm
from fanzha.core.scoping import scope_of, scoped


@public_view
@require_GET
def healthz(request):
    """200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
    except Exception as e:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": str(e)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True
    authentication_form = CheckedAuthenticationForm  # notes a demo/weak password that must be changed


login = public_view(LoginView.as_view())
logout = public_view(auth_views.LogoutView.as_view())


# --- audit log -----------------------------------------------------------------------

AUDIT_PAGE_SIZE = 50

# How a target written as "<kind>:<rest>" reads on the page. Kinds with a model
# are resolved to the record's name (and linked when the reader may open it).
TARGET_LABELS = {
    "resident": gettext_lazy("居民"),
    "alert": gettext_lazy("预警"),
    "case": gettext_lazy("案件"),
    "export": gettext_lazy("导出"),
    "import": gettext_lazy("导入"),
    "report": gettext_lazy("报表"),
    "token": gettext_lazy("接口令牌"),
    "case-stats": gettext_lazy("案件统计"),
    "alert-figures": gettext_lazy("预警统计"),
    "verdict": gettext_lazy("评定结果"),
    "assessment": gettext_lazy("无诈创建评定"),
    "campaign": gettext_lazy("专项活动"),
    "duty": gettext_lazy("职责"),
    "duties": gettext_lazy("职责"),
    "group": gettext_lazy("微信群"),
    "volunteer": gettext_lazy("志愿者"),
    "risk.key_person": gettext_lazy("重点人员"),
    "risk": gettext_lazy("风险防控统计"),
    "supervision.visit": gettext_lazy("督导检查"),
    "supervision.rectification": gettext_lazy("整改通知"),
    "supervision.ledger": gettext_lazy("任务台账"),
}
# Actions the apps write beside AuditAction's (assessment, duties): named here so the log reads and filters them.
APP_ACTIONS = {
    "assess.open": gettext_lazy("开始评定"),
    "assess.attest": gettext_lazy("认定指标"),
    "assess.override": gettext_lazy("复核改判"),
    "assess.publish": gettext_lazy("公布评定结果"),
    "duty.update": gettext_lazy("修改职责"),
    "duty.defaults": gettext_lazy("恢复默认职责"),
    "duty.group": gettext_lazy("登记微信群"),
    "duty.volunteer": gettext_lazy("登记志愿者"),
    "duty.campaign": gettext_lazy("登记专项活动"),
}
ACTION_LABELS = {**dict(AuditAction.choices), **APP_ACTIONS}
KIND_LABELS = {
    "residents": gettext_lazy("居民"), "households": gettext_lazy("户"), "units": gettext_lazy("单位"),
    "staff": gettext_lazy("单位职工"), "org": gettext_lazy("组织架构"), "cases": gettext_lazy("案件"),
    "alerts": gettext_lazy("预警"), "semimonthly": gettext_lazy("半月报"), "unit_monthly": gettext_lazy("单位月报"),
}


def _audit_base(user):
    """The log entries a user may read: their street's (a county office: every street of the county)."""
    qs = AuditLog.objects.all()
    scope = scope_of(user)
    if scope.everything:
        return qs
    from fanzha.org.models import Level, Node

    streets = list(scoped(Node.objects.filter(level=Level.STREET), user).values_list("id", flat=True))
    if scope.primary_street_id and scope.primary_street_id not in streets:
        streets.append(scope.primary_street_id)
    return qs.filter(street_id__in=streets)


def _date_param(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _people(user_ids) -> dict[int, dict]:
    """{user id: {"name", "roles"}} with each person's roles and where they hold them (two queries)."""
    from fanzha.org.models import Assignment, User

    ids = [i for i in set(user_ids) if i]
    out = {u.id: {"name": str(u), "username": u.username, "roles": []} for u in User.objects.filter(pk__in=ids)}
    for a in Assignment.objects.filter(user_id__in=ids).select_related("node", "unit").order_by("id"):
        where = a.node or a.unit
        out[a.user_id]["roles"].append(f"{a.get_role_display()}（{where}）" if where else a.get_role_display())
    return out


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _resolve_targets(entries, user) -> None:
    """Give each entry `target_text` and `target_url`: the record's name, linked when the reader may open it.

    1. Split each target "<kind>:<rest>"; collect the ids of the kinds backed by a model.
    2. Fetch those records through the reader's scope (one query per kind): a
       record outside it, or deleted since, is named by kind and number only.
    3. Other kinds read as their label and the rest made readable (export kind, node name).
    """
    from fanzha.core.access import can_open
    from fanzha.org.models import Node, Resident

    ids: dict[str, set[int]] = {}
    node_ids: set[int] = set()
    for e in entries:
        kind, _sep, rest = (e.target or "").partition(":")
        e.target_kind, e.target_rest = kind, rest
        head = rest.split(":", 1)[0]
        if kind in ("resident", "alert", "case", "verdict") and head.isdigit():
            ids.setdefault(kind, set()).add(int(head))
        elif kind in ("report", "case-stats", "alert-figures"):
            parts = rest.split(":")
            cand = parts[1] if kind == "report" and len(parts) > 1 else parts[0]
            if cand.isdigit():
                node_ids.add(int(cand))
    names: dict[str, dict[int, str]] = {}
    if ids.get("resident"):
        names["resident"] = dict(scoped(Resident.objects.filter(pk__in=ids["resident"]), user).values_list("id", "name"))
    if ids.get("alert"):
        from fanzha.alerts.models import Alert

        names["alert"] = {i: f"{n}（{timezone.localtime(t):%Y-%m-%d %H:%M}）" for i, n, t in scoped(Alert.objects.filter(pk__in=ids["alert"]), user)
                          .values_list("id", "name", "received_at")}
    if ids.get("case"):
        from fanzha.cases.models import Case

        names["case"] = {i: num or f"#{i}" for i, num in scoped(Case.objects.filter(pk__in=ids["case"]), user)
                         .values_list("id", "number")}
    nodes = dict(scoped(Node.objects.filter(pk__in=node_ids), user).values_list("id", "name")) if node_ids else {}
    verdicts: dict[int, str] = {}
    if ids.get("verdict"):
        from fanzha.assessment.models import Verdict

        verdicts = dict(scoped(Verdict.objects.filter(pk__in=ids["verdict"]), user).values_list("id", "name"))
    links = {"resident": ("resident_detail", "residents"), "alert": ("alerts:detail", "alerts"), "case": ("cases:detail", "cases")}
    for e in entries:
        kind, rest = e.target_kind, e.target_rest
        e.action_text = ACTION_LABELS.get(e.action, e.action)
        label = str(TARGET_LABELS.get(kind, ""))
        e.target_url = ""
        if kind in links:
            head = rest.split(":", 1)[0]
            pk = int(head) if head.isdigit() else None
            name = names.get(kind, {}).get(pk)
            if name:
                e.target_text = f"{label}：{name}"
                url_name, area = links[kind]
                if can_open(user, area):
                    e.target_url = _url(url_name, pk)
            else:
                e.target_text = _("%(label)s（编号%(pk)s，不在您的范围内或已删除）") % {"label": label, "pk": head}
        elif kind in ("export", "import"):
            e.target_text = f"{label}：{KIND_LABELS.get(rest, rest)}"
        elif kind == "report":
            parts = rest.split(":")
            what = str(KIND_LABELS.get(parts[0], parts[0]))
            node = nodes.get(int(parts[1])) if len(parts) > 1 and parts[1].isdigit() else (parts[1] if len(parts) > 1 else "")
            e.target_text = " · ".join(x for x in (what, node or "", parts[2] if len(parts) > 2 else "") if x)
        elif kind in ("case-stats", "alert-figures"):
            parts = rest.split(":")
            node = nodes.get(int(parts[0])) if parts[0].isdigit() else _("全部")
            e.target_text = f"{label}：{node or ''} · {parts[1] if len(parts) > 1 else ''}".rstrip(" ·")
        elif kind == "token":
            e.target_text = _("接口令牌 %(prefix)s…") % {"prefix": rest}
        elif kind == "verdict" and verdicts.get(int(rest) if rest.isdigit() else None):
            e.target_text = f"{label}：{verdicts[int(rest)]}"
        elif label and rest.isdigit():
            e.target_text = _("%(label)s（编号%(pk)s）") % {"label": label, "pk": rest}
        elif label:
            e.target_text = label
        elif e.action == AuditAction.LOGIN_FAILED:
            e.target_text = _("用户名：%(name)s") % {"name": e.target} if e.target else ""
        else:
            e.target_text = e.target


@area_view("audit")
@require_GET
def audit_log(request):
    """Who did what to people's data: filter by person, action and dates; people and records by name."""
    user = request.user
    base = _audit_base(user)
    qs = base
    action = request.GET.get("action", "")
    if action not in ACTION_LABELS:
        action = ""
    if action:
        qs = qs.filter(action=action)
    person = request.GET.get("user", "")
    person_id = int(person) if person.isdigit() else None
    if person_id:
        qs = qs.filter(user_id=person_id)
    start, end = _date_param(request.GET.get("start", "")), _date_param(request.GET.get("end", ""))
    date_error = ""
    if start and end and end < start:
        date_error = _("结束日期早于开始日期，已对调")
        start, end = end, start
    if start:
        qs = qs.filter(at__gte=_day_start(start))
    if end:
        qs = qs.filter(at__lt=_day_start(end + dt.timedelta(days=1)))
    page = Paginator(qs.select_related("user"), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    # People to choose from: everyone who appears in this log (a few dozen per street).
    choice_ids = list(base.exclude(user_id=None).order_by().values_list("user_id", flat=True).distinct())
    people = _people(set(choice_ids) | {e.user_id for e in entries})
    for e in entries:
        e.person = people.get(e.user_id)
    _resolve_targets(entries, user)
    choices = sorted(((i, people[i]) for i in choice_ids if i in people), key=lambda p: p[1]["name"])
    return render(request, "core/audit_log.html", {
        "page": page, "entries": entries, "action": action, "actions": list(ACTION_LABELS.items()),
        "person_id": person_id, "people": choices, "start": start, "end": end, "date_error": date_error,
        "filtered": bool(action or person_id or start or end),
    })
