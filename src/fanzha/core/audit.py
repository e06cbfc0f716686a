"""Writing the audit log: every reveal, export and import goes through here."""

from __future__ import annotations

from fanzha.core.models import AuditAction, AuditLog


def client_ip(request) -> str | None:
    """The client's address. Behind the trusted reverse proxy (FANZHA_TRUSTED_PROXY, comma-separated)
    it is the right-most X-Forwarded-For entry the proxy added: gunicorn, unlike waitress, leaves
    REMOTE_ADDR at the proxy's address, and every audit row and per-address limit would name the proxy."""
    from django.conf import settings

    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or ""
    trusted = {a.strip() for a in str(getattr(settings, "FANZHA_TRUSTED_PROXY", "") or "").split(",") if a.strip()}
    if remote in trusted:
        chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        while chain and chain[-1] in trusted:
            chain.pop()
        if chain:
            return chain[-1][:64]
    return remote or None


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
