"""Pages of outreach, one module per sub-domain:

* `dashboard` — the dashboard and the home-visit publicity rate (入户宣传率);
* `activities` — activities and their evidence;
* `visits` — home visits with installs, the visit ledger, the targeted list;
* `targets` — unit staff installs and install targets;
* `channels` — WeChat pushes and school letters;
* `reports` — reports and the outreach settings;
* `_common` — what they share (period and node parameters, form errors).

Every object comes through the scoped selectors (out of scope answers 404
like a record that does not exist); writes need `outreach.record_outreach`
(targets: `outreach.manage_install_targets`; evidence GPS setting:
`outreach.manage_outreach_settings`), otherwise 403. Views parse the form,
call a service, and redirect or re-render with the service's messages next
to the fields and everything typed kept. Every view is also here, so
`outreach.urls` names them as `views.X`.
"""

from fanzha.outreach.views.dashboard import *  # noqa: F401,F403
from fanzha.outreach.views.activities import *  # noqa: F401,F403
from fanzha.outreach.views.visits import *  # noqa: F401,F403
from fanzha.outreach.views.targets import *  # noqa: F401,F403
from fanzha.outreach.views.channels import *  # noqa: F401,F403
from fanzha.outreach.views.reports import *  # noqa: F401,F403
