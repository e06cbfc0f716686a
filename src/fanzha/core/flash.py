"""A page action's outcome as a flash message: the service's own words when it refuses, a short confirmation when not.

    ok = flash_outcome(request, lambda: services.sweep_join(user=user, sweep=sweep), done=_("已加入本次打卡"))
    return redirect(...)
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError


def flash_outcome(request, action: Callable[[], object], *, done: str | None = None) -> bool:
    """Run `action` (a service call); each message of its ValidationError becomes an error flash, otherwise `done`
    (if given) a success flash. Returns whether the action went through."""
    try:
        action()
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
        return False
    if done:
        messages.success(request, done)
    return True
