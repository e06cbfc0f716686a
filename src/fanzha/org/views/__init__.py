"""Pages of the org tree, households, residents and units, one module per sub-domain: the home page and a node's
page (`home`), residents (`residents`), households (`households`), units and their staff (`units`).

Every object comes through `fanzha.org.selectors`, so anything outside the
user's part of the tree answers 404 exactly like a record that does not exist.
Writes need `org.change_records` (403 otherwise); showing full ID and phone
numbers needs `org.reveal_pii` and is written to the audit log.
`fanzha.org.urls` reads the views from this package as before (`views.resident_detail`)."""

from fanzha.org.views.home import (
    HOME_PANELS,
    FIGURE_LABELS,
    home_panels,
    home,
    CAMPAIGN_AREAS,
    home_campaign,
    node_detail,
)
from fanzha.org.views.residents import (
    TAGS,
    resident_list,
    resident_detail,
    resident_reveal,
    resident_create,
    resident_edit,
)
from fanzha.org.views.households import (
    HOUSEHOLD_VISITS_SHOWN,
    OUTREACH_PANEL,
    household_detail,
    household_create,
    household_edit,
)
from fanzha.org.views.units import (
    unit_list,
    unit_detail,
    staff_create,
    family_member_add,
)
from fanzha.org.views._common import (
    PAGE_SIZE,
    require_form_methods,
    can_change,
)

__all__ = [
    "FIGURE_LABELS",
    "home_panels",
    "home",
    "CAMPAIGN_AREAS",
    "home_campaign",
    "node_detail",
    "TAGS",
    "resident_list",
    "resident_detail",
    "resident_reveal",
    "resident_create",
    "resident_edit",
    "HOUSEHOLD_VISITS_SHOWN",
    "OUTREACH_PANEL",
    "household_detail",
    "household_create",
    "household_edit",
    "unit_list",
    "unit_detail",
    "staff_create",
    "family_member_add",
    "PAGE_SIZE",
    "require_form_methods",
    "can_change",
    "HOME_PANELS",
]
