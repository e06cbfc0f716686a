"""Risk pages, one module per sub-domain: key persons (and their documents and review intervals), premises and
their checks, monthly screening, Wednesday sweeps, and the overview (home, badge, figures, exports).

Views stay thin: parse, call a service, redirect or re-render the bound form.
Key-person detail is shown only to the roles in `rules.DETAIL_ROLES`; grid workers get
the flag page. Every view of a file is written to the audit log.
`fanzha.risk.urls` reads the views from this package as before (`views.sweep_detail`)."""

from fanzha.risk.views.overview import (
    home,
    badge,
    my_overdue,
    figures,
    export,
)
from fanzha.risk.views.key_persons import (
    key_person_list,
    overdue,
    key_person_new,
    key_person_detail,
    key_person_edit,
    key_person_follow_up,
    key_person_review,
    key_person_close,
    key_person_link,
    key_person_document,
    document_file,
    intervals,
)
from fanzha.risk.views.premises import (
    premises_list,
    premises_new,
    premises_detail,
    photo_file,
)
from fanzha.risk.views.screening import (
    screening,
    screening_form,
    SCREENING_LABELS,
)
from fanzha.risk.views.sweeps import (
    sweep_list,
    sweep_new,
    sweep_detail,
    sweep_join,
    sweep_person,
    sweep_person_file,
    sweep_premises,
    calendar,
)
from fanzha.risk.views._common import (
    PAGE,
)

__all__ = [
    "home",
    "badge",
    "my_overdue",
    "figures",
    "export",
    "key_person_list",
    "overdue",
    "key_person_new",
    "key_person_detail",
    "key_person_edit",
    "key_person_follow_up",
    "key_person_review",
    "key_person_close",
    "key_person_link",
    "key_person_document",
    "document_file",
    "intervals",
    "premises_list",
    "premises_new",
    "premises_detail",
    "photo_file",
    "screening",
    "screening_form",
    "SCREENING_LABELS",
    "sweep_list",
    "sweep_new",
    "sweep_detail",
    "sweep_join",
    "sweep_person",
    "sweep_person_file",
    "sweep_premises",
    "calendar",
    "PAGE",
]
