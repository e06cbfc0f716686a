"""Writes on alerts, one module per sub-domain (HackSoft "services as a folder", zulip's `actions/`).

- `intake`: a pushed alert checked, routed and stored; repeated ids; id conflicts kept.
- `response`: signing, contact attempts and steps, closing, transfer, reassignment, resolving id conflicts.
- `settings`: the office's senders, time limits and group-chat bots.

`from fanzha.alerts import services; services.alert_sign(...)` keeps working: the
names callers use are re-exported here.
"""

from fanzha.alerts.services.intake import (
    AlertIdConflict,
    IngestResult,
    alert_from_route,
    alert_ingest,
    alert_values,
    input_of,
    new_alert_text,
)
from fanzha.alerts.services.response import (
    MAX_SAVED,
    RESPONDER_ROLES,
    STEP_FIELDS,
    UNREACHABLE_TRIES,
    AlertEditConflict,
    AlertTaken,
    CloseResult,
    alert_assign,
    alert_close,
    alert_conflict_resolve,
    alert_contact_add,
    alert_sign,
    alert_step_record,
    alert_transfer_done,
    assignable_users,
)
from fanzha.alerts.services.settings import (
    sender_create,
    sender_set_active,
    time_limit_set,
    webhook_add,
    webhook_remove,
)

__all__ = [
    "MAX_SAVED", "RESPONDER_ROLES", "STEP_FIELDS", "UNREACHABLE_TRIES",
    "AlertEditConflict", "AlertIdConflict", "AlertTaken", "CloseResult", "IngestResult",
    "alert_assign", "alert_close", "alert_conflict_resolve", "alert_contact_add", "alert_from_route",
    "alert_ingest", "alert_sign", "alert_step_record", "alert_transfer_done", "alert_values", "assignable_users",
    "input_of", "new_alert_text", "sender_create", "sender_set_active", "time_limit_set", "webhook_add",
    "webhook_remove",
]
