"""`fanzha token`: bearer tokens for machine clients of the JSON API.

    fanzha token create USERNAME [--name NAME]   prints the key once
    fanzha token list USERNAME                   prefix, name, created, last used, state
    fanzha token revoke PREFIX [--user USERNAME] the token stops working at once
                                                 (PREFIX may also be the whole key)

Only a hash of the key is stored; a lost key cannot be shown again, only
revoked and replaced. A token acts as its user, with that user's scope and
permissions.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from fanzha.core.audit import audit
from fanzha.core.models import ApiToken, AuditAction


def _user(username: str):
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"no user {username!r}") from None


class Command(BaseCommand):
    help = "Create, list and revoke API bearer tokens (Authorization: Bearer fz_...)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{create,list,revoke}")
        create = sub.add_parser("create", help="create a token for USERNAME and print its key once")
        create.add_argument("username")
        create.add_argument("--name", default="", help="what the token is for, e.g. the sending system")
        listing = sub.add_parser("list", help="list USERNAME's tokens")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="revoke the token whose key starts with PREFIX")
        revoke.add_argument("prefix", help="the key's first characters (fz_xxxxx) as `list` shows them, or the whole key")
        revoke.add_argument("--user", dest="revoke_user", default="", help="only among this user's tokens")

    def handle(self, *args, action: str, **opts):
        if action == "create":
            self.create(opts["username"], opts["name"])
        elif action == "list":
            self.list(opts["username"])
        else:
            self.revoke(opts["prefix"], opts["revoke_user"])

    def create(self, username: str, name: str) -> None:
        user = _user(username)
        if not user.is_active:
            raise CommandError(f"user {username!r} is inactive; a token for it would not work")
        with transaction.atomic():
            token, key = ApiToken.issue(user=user, name=name)
            audit(user=user, action=AuditAction.TOKEN, target=f"token:{token.prefix}", detail=name or "created by command")
        self.stderr.write(f"token {token.prefix} for {username}{f' ({name})' if name else ''}; "
                          "the key is shown only now — store it safely:")
        self.stdout.write(key)

    def list(self, username: str) -> None:
        user = _user(username)
        tokens = list(ApiToken.objects.filter(user=user).order_by("created_at", "id"))
        if not tokens:
            self.stdout.write(f"{username} has no tokens")
            return
        for t in tokens:
            used = f"{timezone.localtime(t.last_used_at):%Y-%m-%d %H:%M}" if t.last_used_at else "never"
            state = "active" if t.active else "revoked"
            self.stdout.write(f"{t.prefix}  {state:<7}  created {timezone.localtime(t.created_at):%Y-%m-%d %H:%M}  last used {used}  {t.name}")

    def revoke(self, prefix: str, username: str) -> None:
        if not prefix.startswith("fz_"):
            prefix = "fz_" + prefix  # `list` shows fz_xxxxx; the part after fz_ is accepted too
        if len(prefix) < 4 + 3:
            raise CommandError("give at least the first 4 characters after fz_")
        found = []
        if len(prefix) > 8:  # the whole key: exactly that token
            exact = ApiToken.find(prefix)
            found = [exact] if exact is not None and (not username or exact.user.username == username) else []
        if not found:
            # Only the first 8 characters are stored in the clear; a longer start of a key matches on them.
            qs = ApiToken.objects.filter(prefix__startswith=prefix[:8], active=True)
            if username:
                qs = qs.filter(user=_user(username))
            found = list(qs.select_related("user"))
        if not found:
            raise CommandError(f"no active token with prefix {prefix!r}")
        if len(found) > 1:
            owners = ", ".join(f"{t.prefix} ({t.user.username})" for t in found)
            raise CommandError(f"{len(found)} active tokens match {prefix!r}: {owners}; add --user or a longer prefix")
        token = found[0]
        ApiToken.objects.filter(pk=token.pk).update(active=False)
        self.stdout.write(f"revoked {token.prefix} of {token.user.username}")
