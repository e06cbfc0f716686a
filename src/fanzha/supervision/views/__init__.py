"""Supervision pages, one module per sub-domain: the overview, settings and photos (`overview`), leading groups
and contact points (`groups`), plans, measures and progress (`plans`), meetings and tasks (`meetings`), visits
(`visits`), rectifications and criticism (`rectifications`). Thin views over the services and selectors.

Street-wide roles (office, leader, officer) see the street's plans, meetings,
visits and the overdue list; only the office writes. A department, a unit
liaison or community staff see and answer their own measures and
rectifications; another unit's answers 404. `fanzha.supervision.urls` reads the views from this package."""

from fanzha.supervision.views.overview import (
    home,
    photo,
    photo_thumb,
    settings_page,
)
from fanzha.supervision.views.groups import (
    groups,
    group_edit,
    points,
)
from fanzha.supervision.views.plans import (
    plans,
    plan_new,
    plan_example,
    plan_detail,
    plan_copy,
    ledger,
    measure_new,
    measure_edit,
    measure_detail,
    progress_new,
)
from fanzha.supervision.views.meetings import (
    meetings,
    meeting_new,
    meeting_detail,
    decision_task,
    tasks,
)
from fanzha.supervision.views.visits import (
    visits,
    visit_new,
    visit_detail,
    finding_new,
    visit_report,
)
from fanzha.supervision.views.rectifications import (
    rectifications,
    rectification_new,
    rectification_detail,
    rectification_fix,
    rectification_accept,
    rectification_return,
    rectification_notice,
    criticisms,
)
from fanzha.supervision.views._common import (
    DOCX,
    XLSX,
)

__all__ = [
    "home",
    "photo",
    "photo_thumb",
    "settings_page",
    "groups",
    "group_edit",
    "points",
    "plans",
    "plan_new",
    "plan_example",
    "plan_detail",
    "plan_copy",
    "ledger",
    "measure_new",
    "measure_edit",
    "measure_detail",
    "progress_new",
    "meetings",
    "meeting_new",
    "meeting_detail",
    "decision_task",
    "tasks",
    "visits",
    "visit_new",
    "visit_detail",
    "finding_new",
    "visit_report",
    "rectifications",
    "rectification_new",
    "rectification_detail",
    "rectification_fix",
    "rectification_accept",
    "rectification_return",
    "rectification_notice",
    "criticisms",
    "DOCX",
    "XLSX",
]
