"""Account security pages: the office's 账号安全 (lockouts, sessions, log out everywhere) and password change."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.sessions.models import Session
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fanzha.core.access import area_view
from fanzha.core.audit import audit
from fanzha.core.models import AuditAction, UserSession
from fanzha.core.scoping import scoped
from fanzha.core.security import logout_everywhere, password_changed


def _users_in_scope(user):
    """The accounts the office administers: those assigned at nodes or units inside its scope."""
    from fanzha.org.models import Assignment, Node, Unit, User

    nodes = scoped(Node.objects.all(), user).values("pk")
    units = scoped(Unit.objects.all(), user).values("pk")
    ids = Assignment.objects.filter(Q(node__in=nodes) | Q(unit__in=units)).values("user_id")
    return User.objects.filter(pk__in=ids)


@area_view("security")
@require_http_methods(["GET", "HEAD"])
def security(request):
    from axes.models import AccessAttempt

    users = _users_in_scope(request.user)
    usernames = set(users.values_list("username", flat=True))
    limit = settings.AXES_FAILURE_LIMIT
    cutoff = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = [a for a in AccessAttempt.objects.filter(failures_since_start__gte=limit, attempt_time__gte=cutoff)
                .order_by("-attempt_time")[:200] if a.username in usernames]
    sessions = (UserSession.objects.filter(user__in=users).select_related("user").order_by("-last_seen_at")[:200])
    return render(request, "core/security/security.html", {
        "area": "security", "attempts": attempts, "sessions": sessions, "limit": limit,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    })


@area_view("security")
@require_POST
def unlock(request):
    from axes.utils import reset

    username = request.POST.get("username", "")
    if username not in set(_users_in_scope(request.user).values_list("username", flat=True)):
        messages.error(request, _("没有这个账号"))
        return redirect("security")
    reset(username=username)
    audit(user=request.user, action=AuditAction.UNLOCK, target=f"username:{username}", request=request)
    messages.success(request, _("已解除 %(u)s 的登录锁定") % {"u": username})
    return redirect("security")


@area_view("security")
@require_POST
def logout_all(request, pk: int):
    target = _users_in_scope(request.user).filter(pk=pk).first()
    if target is None:
        messages.error(request, _("没有这个账号"))
        return redirect("security")
    n = logout_everywhere(user=target, by=request.user, request=request)
    messages.success(request, _("%(u)s 的 %(n)d 个登录会话已全部下线") % {"u": target.get_username(), "n": n})
    return redirect("security")


@area_view("home")  # anyone who may log in
@require_http_methods(["GET", "HEAD", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        password_changed(request)
        # Other browsers still logged in with the old password are logged out (Django refuses
        # their session hash anyway; this also clears them from the sessions list).
        others = UserSession.objects.filter(user=user).exclude(session_key=request.session.session_key)
        Session.objects.filter(session_key__in=others.values("session_key")).delete()
        others.delete()
        audit(user=user, action=AuditAction.PASSWORD, target=f"user:{user.pk}", request=request)
        messages.success(request, _("密码已修改"))
        return redirect("home")
    return render(request, "core/security/password_change.html", {"form": form, "area": "home"})


@area_view("home")  # anyone who may log in
@require_POST
def logout_mine_everywhere(request):
    n = logout_everywhere(user=request.user, by=request.user, request=request)
    messages.success(request, _("已在所有设备上退出（%(n)d 个会话）") % {"n": n})
    return redirect("login")
