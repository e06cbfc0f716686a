"""Who may see and do what in the risk pages, on top of the access table and the scope.

The access table lets every field role open the risk area; inside it:

- key-person *detail* (the offence, contacts, follow-ups, documents, history) is for the
  officer, the office, the leader (read-only) and the community staff in charge (their
  community, by scope); grid leaders and grid workers see only that a resident has a
  file, its categories and what to watch for;
- files are written by officers, the office and community staff; a grid worker opens
  one only from a sweep finding (the "one tap"), and sees the flag afterwards;
- premises, checks and sweeps are field work: every field role but the leader records them;
- review intervals are the office's.
"""

from __future__ import annotations

from fanzha.core.access import COMMUNITY, GRID_LEADER, GRID_WORKER, LEADER, OFFICE, OFFICER
from fanzha.core.scoping import scope_of

DETAIL_ROLES = frozenset({OFFICE, LEADER, OFFICER, COMMUNITY})
FILE_WRITERS = frozenset({OFFICE, OFFICER, COMMUNITY})
FIELD_WRITERS = frozenset({OFFICE, OFFICER, COMMUNITY, GRID_LEADER, GRID_WORKER})
SCREENING_WRITERS = frozenset({OFFICE, COMMUNITY})


def _roles(user) -> frozenset[str]:
    return scope_of(user).roles


def _writes(user) -> bool:
    return user.is_authenticated and user.has_perm("org.change_records")


def sees_detail(user) -> bool:
    return user.is_superuser or bool(_roles(user) & DETAIL_ROLES)


def can_write_files(user) -> bool:
    return user.is_superuser or (bool(_roles(user) & FILE_WRITERS) and _writes(user))


def can_record_field(user) -> bool:
    return user.is_superuser or (bool(_roles(user) & FIELD_WRITERS) and _writes(user))


def can_file_screening(user) -> bool:
    return user.is_superuser or (bool(_roles(user) & SCREENING_WRITERS) and _writes(user))


def can_set_intervals(user) -> bool:
    return user.is_superuser or OFFICE in _roles(user)
