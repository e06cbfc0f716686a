"""`fanzha alerts sender create|list|disable|enable NAME`: the machines allowed to push alerts.

    fanzha alerts sender create 县反诈中心 --node DEMO-K    # prints the token once
    fanzha alerts sender disable 县反诈中心                 # its pushes now answer 403
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fanzha.alerts import services
from fanzha.alerts.models import Sender
from fanzha.org.models import Level, Node


def _default_area() -> Node:
    """The only street, else the only county; otherwise the caller must say."""
    for level in (Level.STREET, Level.COUNTY):
        nodes = list(Node.objects.filter(level=level)[:2])
        if len(nodes) == 1:
            return nodes[0]
    raise CommandError("several (or no) streets: name the sender's area with --node CODE (a county or street code)")


class Command(BaseCommand):
    help = "Manage alert senders (the county centre's systems that push alerts with a token)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        sender = sub.add_parser("sender", help="alert senders")
        actions = sender.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a sender and print its token (shown once)")
        create.add_argument("name")
        create.add_argument("--node", default="", help="code of the county or street whose alerts it sends")
        actions.add_parser("list", help="list senders")
        for name in ("disable", "enable"):
            p = actions.add_parser(name, help=f"{name} a sender")
            p.add_argument("name")

    def handle(self, *args, what: str, action: str, **opts):
        if action == "create":
            node = None
            if opts["node"]:
                node = Node.objects.filter(code=opts["node"]).first()
                if node is None:
                    raise CommandError(f"no node with code {opts['node']!r}")
            else:
                node = _default_area()
            try:
                sender, token = services.sender_create(name=opts["name"], node=node)
            except ValidationError as e:
                raise CommandError("; ".join(e.messages)) from None
            self.stdout.write(f"sender {sender.name!r} for {node.name} ({node.code}); its token (shown once, keep it safe):")
            self.stdout.write(token)
            return
        if action == "list":
            for s in Sender.objects.select_related("node").order_by("name"):
                state = "active" if s.active else "DISABLED"
                used = s.last_used_at.isoformat(timespec="seconds") if s.last_used_at else "never"
                self.stdout.write(f"{s.name}\t{s.node.code}\t{s.token_prefix}…\t{state}\tlast used {used}")
            return
        sender = Sender.objects.filter(name=opts["name"]).first()
        if sender is None:
            raise CommandError(f"no sender named {opts['name']!r}")
        services.sender_set_active(sender=sender, active=action == "enable")
        self.stdout.write(f"sender {sender.name!r} {'enabled' if action == 'enable' else 'disabled'}")
