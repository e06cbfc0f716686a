from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from fanzha.core.audit import audit
from fanzha.core.models import AuditAction


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit(user=user, action=AuditAction.LOGIN, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    audit(user=None, action=AuditAction.LOGIN_FAILED, target=str(credentials.get("username", ""))[:150], request=request)
