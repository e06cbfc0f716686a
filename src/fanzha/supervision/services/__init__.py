"""Writes of supervision, one module per sub-domain: leading groups and contact points (`groups`), plans, measures
and progress (`plans`), meetings and their tasks (`meetings`), visits and their checklist (`visits`),
rectifications and criticism (`rectifications`); who a measure is for (`holders`).

Keyword-only arguments, one transaction each, `ValidationError` with Chinese
messages a user can act on. Photos go through `fanzha.outreach.evidence`
(sniffed, GPS stripped, thumbnailed) and are removed again if the write fails.
Callers keep importing from `fanzha.supervision.services` (`services.measure_save`, `Holder`)."""

from fanzha.supervision.services.holders import (
    Holder,
    holder_of,
    holders_from_keys,
)
from fanzha.supervision.services.groups import (
    setting_set,
    group_save,
    contact_point_add,
    contact_point_delete,
)
from fanzha.supervision.services.plans import (
    plan_create,
    measure_save,
    measure_delete,
    _recompute_measure,
    plan_load_example,
    plan_copy,
    progress_report,
)
from fanzha.supervision.services.meetings import (
    meeting_record,
    decision_to_task,
)
from fanzha.supervision.services.visits import (
    DEFAULT_CHECKLIST,
    checklist_for,
    checklist_set,
    visit_record,
    finding_add,
)
from fanzha.supervision.services.rectifications import (
    rectification_issue,
    rectification_submit,
    rectification_accept,
    rectification_return,
    criticism_record,
)
from fanzha.supervision.services._common import (
    EVIDENCE_FOLDER,
    EARLIEST,
)

__all__ = [
    "Holder",
    "holder_of",
    "holders_from_keys",
    "setting_set",
    "group_save",
    "contact_point_add",
    "contact_point_delete",
    "plan_create",
    "measure_save",
    "measure_delete",
    "_recompute_measure",
    "plan_load_example",
    "plan_copy",
    "progress_report",
    "meeting_record",
    "decision_to_task",
    "DEFAULT_CHECKLIST",
    "checklist_for",
    "checklist_set",
    "visit_record",
    "finding_add",
    "rectification_issue",
    "rectification_submit",
    "rectification_accept",
    "rectification_return",
    "criticism_record",
    "EVIDENCE_FOLDER",
    "EARLIEST",
]
