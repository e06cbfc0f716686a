"""Writing the audit log: every reveal, export and import goes through here."""

from __future__ import annotations

from fanzha.core.models import AuditAction, AuditLog


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit(*, user, action: AuditAction | str, target: str = "", detail: str = "", request=None) -> AuditLog:
    street_id = None
    if user is not None and getattr(user, "is_authenticated", False):
        from fanzha.core.scoping import scope_of

        street_id = scope_of(user).primary_street_id
    return AuditLog.objects.create(
        user=user if user is not None and getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or "",
        action=action,
        target=target[:200],
        detail=detail,
        ip=client_ip(request),
        street_id=street_id,
    )
