"""The office's alert settings: senders and their tokens, time limits per street and grade, group-chat bots."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fanzha.alerts.models import Grade, Sender, TimeLimit, Webhook
from fanzha.org.models import Level, Node


def sender_create(*, name: str, node: Node) -> tuple[Sender, str]:
    """A sender and its token (shown once; only the hash is kept)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写名称")})
    if node.level not in (Level.COUNTY, Level.STREET):
        raise ValidationError({"node": _("预警来源的服务区域应为区县或街道")})
    if Sender.objects.filter(name=name).exists():
        raise ValidationError({"name": _("已有同名的预警来源")})
    token, prefix, digest = Sender.new_token()
    sender = Sender.objects.create(name=name, node=node, token_prefix=prefix, token_hash=digest)
    return sender, token


def sender_set_active(*, sender: Sender, active: bool) -> Sender:
    from fanzha.alerts.models import forget_senders

    Sender.objects.filter(pk=sender.pk).update(active=active)
    forget_senders()
    sender.active = active
    return sender


def time_limit_set(*, street: Node, grade: str, sign_minutes: int | None, contact_minutes: int | None,
                   onsite_minutes: int | None) -> TimeLimit:
    """Set a grade's limits for a street; applies to alerts received from now on."""
    if street.level != Level.STREET:
        raise ValidationError({"street": _("时限按街道设置")})
    if grade not in Grade.values:
        raise ValidationError({"grade": _("未知的预警级别")})
    errors: dict[str, list[str]] = {}
    values = {"sign_minutes": sign_minutes, "contact_minutes": contact_minutes, "onsite_minutes": onsite_minutes}
    for k, v in values.items():
        if v is not None and not 1 <= v <= 7 * 24 * 60:
            errors[k] = [_("应为 1 到 10080 之间的分钟数，或留空表示不设此时限")]
    ordered = [v for v in values.values() if v is not None]
    if not errors and ordered != sorted(ordered):
        errors["__all__"] = [_("时限应按 签收 ≤ 联系 ≤ 到场 的顺序")]
    if contact_minutes is None and not errors:
        errors["contact_minutes"] = [_("每个级别都需要联系时限")]
    if errors:
        raise ValidationError(errors)
    limit, _created = TimeLimit.objects.update_or_create(street=street, grade=grade, defaults=values)
    return limit


def webhook_add(*, street: Node, url: str, name: str = "") -> Webhook:
    from django.core.validators import URLValidator

    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError({"url": _("请填写完整的网址（http:// 或 https:// 开头）")}) from None
    return Webhook.objects.create(street=street, url=url, name=(name or "").strip()[:100])


def webhook_remove(*, webhook: Webhook) -> None:
    webhook.delete()

