"""Shared by the `import`, `import-template` and `export` commands: who acts, in which street."""

from __future__ import annotations

from django.core.management.base import CommandError

from fanzha.core.scoping import scope_of
from fanzha.org.importers import command_line_actor, streets_for
from fanzha.org.models import Level, Node, User

ACTOR_HELP = (
    "Without --user the command acts for the whole of one street: the only street in the database, "
    "or the one named by --street CODE (required when there are several); the audit log records it as "
    "'cli:<login name>'. With --user USERNAME it acts with that user's scope and permissions."
)


def add_actor_arguments(parser) -> None:
    parser.add_argument("--user", metavar="USERNAME", help="act as this user (their scope and permissions)")
    parser.add_argument("--street", metavar="CODE", help="code of the street to work in")


def resolve_actor(*, username: str | None, street_code: str | None, perm: str):
    """(actor, street) for a command, or CommandError saying what to pass."""
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user '{username}'")
        if not user.has_perm(perm):
            raise CommandError(f"user '{username}' lacks the permission {perm}")
        streets = streets_for(scope_of(user))
        if street_code:
            street = next((s for s in streets if s.code == street_code), None)
            if street is None:
                raise CommandError(f"street '{street_code}' is not in {username}'s scope")
            return user, street
        if len(streets) != 1:
            codes = ", ".join(s.code for s in streets) or "none"
            raise CommandError(f"{username}'s scope spans several streets ({codes}): pass --street CODE")
        return user, streets[0]
    streets = Node.objects.filter(level=Level.STREET).order_by("code")
    if street_code:
        street = streets.filter(code=street_code).first()
        if street is None:
            raise CommandError(f"no street with code '{street_code}'")
    else:
        found = list(streets[:21])
        if len(found) != 1:
            codes = ", ".join(s.code for s in found[:20]) or "none"
            raise CommandError(f"there are {len(found) if len(found) <= 20 else 'many'} streets ({codes}): pass --street CODE")
        street = found[0]
    return command_line_actor(street), street
