"""What the risk page modules share: today's date, form errors, the people a user may pick, file answers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from fanzha.core.scoping import scoped
from fanzha.org.models import Level, Node, User


PAGE = 50


def _today():
    return timezone.localdate()


def _errors_to_form(form, e: ValidationError) -> None:
    if hasattr(e, "error_dict"):
        for field, msgs in e.message_dict.items():
            form.add_error(field if field in form.fields else None, msgs)
    else:
        form.add_error(None, e.messages)


def _users_of(user, roles) -> list[User]:
    """Users with one of `roles` at nodes the user sees (for the officer / community worker pickers)."""
    from fanzha.org.models import Assignment

    nodes = scoped(Node.objects.filter(level__in=[Level.STREET, Level.COMMUNITY]), user).values("id")
    ids = Assignment.objects.filter(role__in=roles, node_id__in=nodes).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("display_name", "username")[:300])


def _scoped_user(user, raw, roles) -> User | None:
    if not raw:
        return None
    for u in _users_of(user, roles):
        if u.pk == raw:
            return u
    raise ValidationError({"officer": [_("所选人员不在您的范围内")]})


def _grids(user):
    return scoped(Node.objects.filter(level=Level.GRID), user).order_by("sort", "code")[:3000]
