"""The org app's spreadsheet imports: the tree, residents with their households,
units, and unit staff with their families.

- `parsing`: cell parsers (dates, ID and phone numbers, yes/no, vocabularies),
  shared with the other apps' import kinds;
- `common`: the street's nodes and units looked up without queries;
- one module per kind: `tree` ("org"), `residents`, `units`, `staff`.

Every kind works inside one street (`ctx.root`) and only sees the nodes, units
and people of that street that the importing user may see: a row naming a
community, grid or unit outside it is reported exactly like one that does not
exist. Nothing is written while validating; `apply()` writes in bulk inside the
framework's transaction (see `fanzha.core.imports`).

Matching, so that importing the same file twice changes nothing:
- nodes by code, else by name under their parent;
- households by (grid, address);
- residents, staff and family members by the keyed hash of their ID number,
  else (no ID number) by name within their household / unit / staff member;
- units by name within the street.
A cell left empty in a column the file has means "empty" (or the column's
default); a column the file does not have leaves that field as it is.

The kinds are registered with the import framework (`fanzha.core.imports.register`);
the page and the commands list `kinds()`.
"""

from __future__ import annotations

from fanzha.core.imports import ImportContext, register
from fanzha.core.scoping import Scope, scope_of, streets_for, system_actor
from fanzha.org.importers.common import BATCH, IN_CHUNK, NodeIndex, UnitIndex, ancestors_of, chunked
from fanzha.org.importers.parsing import (
    BOOLS,
    EMPLOYMENTS,
    FAMILY_RELATIONS,
    GENDERS,
    HEAD_RELATIONS,
    RESIDENCIES,
    STAFF_SELF,
    UNIT_KINDS,
    parse_bool,
    parse_date,
    parse_id,
    parse_id_fast,
    parse_phone_cell,
    short,
)
from fanzha.org.importers.residents import NEW_RESIDENT_COLUMNS, ResidentImporter
from fanzha.org.importers.staff import StaffImporter
from fanzha.org.importers.tree import OrgImporter
from fanzha.org.importers.units import UnitImporter
from fanzha.org.models import Node

__all__ = [
    "BATCH", "BOOLS", "EMPLOYMENTS", "FAMILY_RELATIONS", "GENDERS", "HEAD_RELATIONS", "IN_CHUNK", "NEW_RESIDENT_COLUMNS",
    "RESIDENCIES", "STAFF_SELF", "UNIT_KINDS", "NodeIndex", "OrgImporter", "ResidentImporter", "StaffImporter",
    "UnitImporter", "UnitIndex", "ancestors_of", "chunked", "command_line_actor", "import_context", "parse_bool",
    "parse_date", "parse_id", "parse_id_fast", "parse_phone_cell", "short", "streets_for",
]

for _cls in (OrgImporter, ResidentImporter, UnitImporter, StaffImporter):
    register(_cls.kind, _cls)


def import_context(*, user, street: Node, scope: Scope | None = None, request=None, **kwargs) -> ImportContext:
    return ImportContext(user=user, root=street, scope=scope or scope_of(user), request=request, **kwargs)


def command_line_actor(street: Node, username: str = ""):
    """Who runs a command without --user: the whole street in scope, named in the audit log as cli:<login name>."""
    import getpass

    try:
        who = username or getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        who = "?"
    return system_actor(f"cli:{who}", street=street)
