from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    REVEAL = "reveal", _("查看完整号码")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    TOKEN = "token", _("创建令牌")
    LOCKOUT = "lockout", _("登录锁定")
    UNLOCK = "unlock", _("解除锁定")
    LOGOUT_ALL = "logout_all", _("全部下线")
    PASSWORD = "password", _("修改密码")
    VIEW = "view", _("查看档案")
    CHANGE = "change", _("修改记录")
    DELETE = "delete", _("删除记录")
    SEARCH = "search", _("按号码查询")
    REFUSED = "refused", _("拒绝登记")


class AuditLog(models.Model):
    """Who did what to people's data, when and from where. Append-only."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, verbose_name=_("用户"))
    username = models.CharField(_("用户名"), max_length=150, blank=True, default="")
    action = models.CharField(_("操作"), max_length=16, choices=AuditAction.choices, db_index=True)
    target = models.CharField(_("对象"), max_length=200, blank=True, default="")
    detail = models.TextField(_("详情"), blank=True, default="")
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    street_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("审计日志")
        ordering = ["-at", "-id"]


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for a machine client; only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100, blank=True, default="")
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("接口令牌")

    @classmethod
    def issue(cls, *, user, name: str = "") -> tuple["ApiToken", str]:
        key = "fz_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=key[:8], key_hash=_digest(key))
        return token, key

    @classmethod
    def find(cls, key: str) -> "ApiToken | None":
        return cls.objects.select_related("user").filter(key_hash=_digest(key), active=True, user__is_active=True).first()


class PiiKeyFingerprint(models.Model):
    """Which PII key the stored numbers are encrypted under (a keyed fingerprint, never the key).

    One row. A process that starts with another key on a database that holds
    encrypted numbers refuses to start (`fanzha.core.keycheck`), instead of
    silently generating a new key that can read and find nothing.
    """

    fingerprint = models.CharField(max_length=64)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("号码加密密钥指纹")


class UserSession(models.Model):
    """A logged-in browser session of a user, so the office can see them and end them all at once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("登录会话")
        indexes = [models.Index(fields=["user", "last_seen_at"])]


class SearchCounter(models.Model):
    """How many exact number searches (ID, phone, last four) a user made in one window (a minute, a day).

    Shared by every worker process (Django's cache is per process): a search is
    allowed by a conditional UPDATE ... SET count = count + 1 WHERE count < limit,
    so two workers cannot both take the last one (`fanzha.core.ratelimit`).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    window = models.CharField(max_length=20)  # "m:202611261227" / "d:20261126"
    count = models.PositiveIntegerField(default=0)
    misses = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("号码查询计数")
        constraints = [models.UniqueConstraint(fields=["user", "window"], name="core_searchcounter_user_window")]
