"""Scoped reads and roll-ups of outreach, one module per sub-domain:

* `rollup` — visit coverage and install rates for a node and everything under
  it, and the home-visit publicity rate (入户宣传率);
* `records` — activities, visits, WeChat pushes, school letters, reports, a
  household's outreach, outreach counted per child node;
* `targets` — staff of units, install targets and progress against them;
* `targeted` — the targeted visit list (点对点).

Pages, API and reports all call these, so their figures are the same. Every
public name is also here, so `from fanzha.outreach.selectors import X` and
`selectors.X` keep working.
"""

from fanzha.outreach.selectors.rollup import *  # noqa: F401,F403
from fanzha.outreach.selectors.records import *  # noqa: F401,F403
from fanzha.outreach.selectors.targets import *  # noqa: F401,F403
from fanzha.outreach.selectors.targeted import *  # noqa: F401,F403
