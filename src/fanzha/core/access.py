"""What each role may open: the one role-access table.

Every menu entry and every tab of the product is an *area* below. The same
table draws the menus (`menu_for`, `tabs_for`), guards the views
(`@area_view("cases")`) and is printed in the README (`fanzha access_table`),
so a role is never shown an entry it cannot open, and a page a role may not
open answers 403 even when its address is typed by hand.

Which *records* a user sees inside an area is the scoping rule's business
(`fanzha.core.scoping`): the area says "a grid worker may open the alert
queue", the scope says "the alerts of their grids".

A view is marked with the decorator it is guarded by (`area_view`,
`scoped_view`, `public_view`); `fanzha_access` on the view function names the
area, so a test walks the URL resolver and fails on a view nobody marked
(`core/tests/test_scoping_checks.py`).

Permissions are checked in one way too: `require(user, what)` raises
PermissionDenied unless the user may do `what` — an area, a Django permission
or a rule taking the user — and pages answer it with the 403 page, the API
with its 403 JSON. `allowed(user, what)` is the same test for showing a button.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# Role values (fanzha.org.models.Role) spelt out so this module imports nothing
# from the apps and every app may import it.
OFFICE = "office"
LEADER = "leader"
OFFICER = "officer"
COMMUNITY = "community"
GRID_LEADER = "grid_leader"
GRID_WORKER = "grid_worker"
GROUP_HEAD = "group_head"
LIAISON = "liaison"
DEPARTMENT = "department"
SAFETY_STAFF = "safety_staff"
VOLUNTEER = "volunteer"

ALL_ROLES = frozenset({OFFICE, LEADER, OFFICER, COMMUNITY, GRID_LEADER, GRID_WORKER, GROUP_HEAD, LIAISON,
                       DEPARTMENT, SAFETY_STAFF, VOLUNTEER})
STREET_WIDE = frozenset({OFFICE, LEADER, OFFICER})
GRID_TEAM = frozenset({GRID_LEADER, GRID_WORKER})
FIELD = STREET_WIDE | {COMMUNITY} | GRID_TEAM  # the people who work the street's records


@dataclass(frozen=True)
class Area:
    key: str
    label: str
    url_name: str
    roles: frozenset[str]
    perm: str | None = None  # a Django permission needed on top of the role ("org.import_data")
    parent: str | None = None  # a tab of another area's page
    menu: bool = True  # False: guards pages reached by links only (no menu entry or tab)
    badge_url: str | None = None  # a fragment with a count, fetched by htmx after the page loads

    def url(self) -> str:
        return reverse(self.url_name)


# Order is menu order. `parent` areas are the tabs of their parent's pages.
AREAS: tuple[Area, ...] = (
    Area("home", _("首页"), "home", ALL_ROLES),
    Area("alerts", _("预警"), "alerts:queue", FIELD, badge_url="alerts:badge"),
    Area("alerts.figures", _("预警统计"), "alerts:figures", STREET_WIDE | {COMMUNITY}, parent="alerts"),
    Area("alerts.upload", _("批量导入预警"), "alerts:upload", frozenset({OFFICE, OFFICER}), perm="alerts.upload_alerts", parent="alerts"),
    Area("alerts.settings", _("预警设置"), "alerts:settings", frozenset({OFFICE}), perm="alerts.configure_alerts", parent="alerts"),
    Area("residents", _("居民"), "resident_list", FIELD | {GROUP_HEAD}),
    Area("units", _("单位"), "unit_list", FIELD | {LIAISON}),
    Area("cases", _("案件"), "cases:list", FIELD),
    Area("cases.stats", _("案件统计"), "cases:stats", FIELD),
    Area("cases.targets", _("压降目标"), "cases:targets", STREET_WIDE | {COMMUNITY}, parent="cases.stats"),
    Area("outreach", _("宣传"), "outreach:dashboard", ALL_ROLES - {DEPARTMENT}),
    Area("outreach.new", _("登记活动"), "outreach:activity_new", ALL_ROLES - {DEPARTMENT, LEADER}, perm="outreach.record_outreach", parent="outreach"),
    Area("outreach.activities", _("活动台账"), "outreach:activity_list", ALL_ROLES - {DEPARTMENT}, parent="outreach"),
    Area("outreach.visits", _("走访台账"), "outreach:visit_list", FIELD | {GROUP_HEAD, SAFETY_STAFF}, parent="outreach"),
    Area("outreach.targets", _("安装目标"), "outreach:targets", FIELD, parent="outreach"),
    Area("outreach.wechat", _("微信群推送"), "outreach:wechat", FIELD, parent="outreach"),
    Area("outreach.units", _("单位安装"), "outreach:unit_rates", STREET_WIDE | {COMMUNITY, LIAISON}, parent="outreach"),
    Area("outreach.letters", _("学校回执"), "outreach:letters", STREET_WIDE | {COMMUNITY, LIAISON}, parent="outreach"),
    Area("outreach.reports", _("报表"), "outreach:reports", STREET_WIDE | {COMMUNITY, LIAISON}, parent="outreach"),
    Area("outreach.settings", _("宣传设置"), "outreach:settings", frozenset({OFFICE}), perm="outreach.manage_outreach_settings", parent="outreach"),
    Area("outreach.visit", _("入户走访"), "outreach:visit_list", FIELD | {GROUP_HEAD, SAFETY_STAFF}, perm="outreach.record_outreach", parent="outreach", menu=False),
    Area("risk", _("风险"), "risk:home", FIELD, badge_url="risk:badge"),
    Area("risk.key_persons", _("重点人员"), "risk:key_persons", FIELD, parent="risk"),
    Area("risk.overdue", _("逾期回访"), "risk:overdue", STREET_WIDE | {COMMUNITY}, parent="risk"),
    Area("risk.premises", _("场所"), "risk:premises", FIELD, parent="risk"),
    Area("risk.sweeps", _("周三打卡"), "risk:sweeps", FIELD, parent="risk"),
    Area("risk.screening", _("月度排查"), "risk:screening", STREET_WIDE | {COMMUNITY}, parent="risk"),
    Area("risk.figures", _("风险统计"), "risk:figures", STREET_WIDE | {COMMUNITY}, parent="risk"),
    Area("risk.intervals", _("回访间隔"), "risk:intervals", frozenset({OFFICE}), parent="risk"),
    Area("clues", _("线索"), "clues:queue", FIELD | {DEPARTMENT}),
    Area("clues.new", _("登记线索"), "clues:new", FIELD - {LEADER}, parent="clues"),
    Area("clues.figures", _("线索统计"), "clues:figures", STREET_WIDE | {COMMUNITY}, parent="clues"),
    Area("supervision", _("督导"), "supervision:home", STREET_WIDE | {COMMUNITY, DEPARTMENT, LIAISON}),
    Area("supervision.plans", _("工作措施"), "supervision:plans", STREET_WIDE, parent="supervision"),
    Area("supervision.meetings", _("会议"), "supervision:meetings", STREET_WIDE, parent="supervision"),
    Area("supervision.visits", _("督导检查"), "supervision:visits", STREET_WIDE, parent="supervision"),
    Area("supervision.rectifications", _("整改"), "supervision:rectifications", STREET_WIDE | {COMMUNITY, DEPARTMENT, LIAISON}, parent="supervision"),
    Area("supervision.criticisms", _("通报批评"), "supervision:criticisms", STREET_WIDE, parent="supervision"),
    Area("supervision.groups", _("领导小组"), "supervision:groups", STREET_WIDE, parent="supervision"),
    Area("supervision.points", _("包保联系点"), "supervision:points", STREET_WIDE, parent="supervision"),
    Area("supervision.settings", _("督导设置"), "supervision:settings", frozenset({OFFICE}), parent="supervision"),
    Area("supervision.manage", _("督导管理"), "supervision:settings", frozenset({OFFICE}), parent="supervision", menu=False),
    Area("duties", _("职责"), "duties:home", FIELD | {GROUP_HEAD, LIAISON, SAFETY_STAFF}),
    Area("duties.entry", _("登记台账"), "duties:entry", FIELD - {LEADER} | {LIAISON, SAFETY_STAFF}, parent="duties"),
    Area("duties.groups", _("微信群"), "duties:groups", FIELD, parent="duties"),
    Area("duties.volunteers", _("志愿者"), "duties:volunteers", FIELD | {SAFETY_STAFF}, parent="duties"),
    Area("duties.campaigns", _("集中宣传"), "duties:campaigns", STREET_WIDE | {COMMUNITY}, parent="duties"),
    Area("duties.settings", _("职责设置"), "duties:settings", frozenset({OFFICE}), parent="duties"),
    Area("assessment", _("无诈创建"), "assessment:home", STREET_WIDE | {COMMUNITY, LIAISON}),
    Area("analysis", _("研判"), "analysis:home", STREET_WIDE | {COMMUNITY}),
    Area("analysis.briefings", _("工作简报"), "analysis:briefings", STREET_WIDE, parent="analysis"),
    # Grid visit tasks made from a hot spot: the grid team reaches them from their notification (link only).
    Area("analysis.tasks", _("定向任务"), "analysis:tasks", FIELD, menu=False),
    Area("io", _("导入导出"), "io_index", frozenset({OFFICE}), perm="org.import_data"),
    Area("audit", _("审计日志"), "audit_log", frozenset({OFFICE}), perm="org.view_audit"),
    Area("security", _("账号安全"), "security", frozenset({OFFICE}), perm="org.view_audit"),
    # Pages reached by links only (no menu entry): every role that can be notified opens its notifications.
    Area("notifications", _("通知"), "alerts:notifications", ALL_ROLES, menu=False),
)

BY_KEY: dict[str, Area] = {a.key: a for a in AREAS}


def areas_of_url(url_name: str) -> tuple[str, ...]:
    """The areas whose page is at `url_name` ("cases:list" → ("cases",)); empty for pages of no area."""
    return _BY_URL.get(url_name, ())


_BY_URL: dict[str, tuple[str, ...]] = {}
for _a in AREAS:
    _BY_URL[_a.url_name] = (*_BY_URL.get(_a.url_name, ()), _a.key)


def roles_of(user) -> frozenset[str]:
    from fanzha.core.scoping import scope_of

    return scope_of(user).roles


def can_open(user, key: str) -> bool:
    """Whether the user may open the pages of area `key` (superusers may open all)."""
    area = BY_KEY[key]
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not (roles_of(user) & area.roles):
        return False
    return area.perm is None or user.has_perm(area.perm)


def menu_for(user) -> list[Area]:
    """The main menu: top-level areas the user may open, in table order."""
    return [a for a in AREAS if a.parent is None and a.menu and can_open(user, a.key)]


def tabs_for(user, parent: str) -> list[Area]:
    """The tabs of an area's pages that the user may open (the parent first)."""
    return [a for a in AREAS if (a.key == parent or a.parent == parent) and a.menu and can_open(user, a.key)]


def area_view(key: str):
    """Guard a view by the table: anonymous → login page, role not allowed → 403.

    The view is marked with its area (`view.fanzha_access`) for the URL walk test.
    """
    if key not in BY_KEY:
        raise KeyError(f"unknown area {key!r}: add it to fanzha.core.access.AREAS")

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can_open(request.user, key):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.fanzha_access = key
        return wrapper

    return decorator


def allowed(user, what) -> bool:
    """Whether the user may do `what`: an area key ("cases.stats"), a Django permission
    ("org.export_data") or a rule taking the user (`risk.rules.can_write_files`)."""
    if callable(what):
        return bool(what(user))
    if what in BY_KEY:
        return can_open(user, what)
    if "." not in what:
        raise KeyError(f"unknown area {what!r}: add it to fanzha.core.access.AREAS")
    return user is not None and user.has_perm(what)


def require(user, what, message=None) -> None:
    """The one permission check of pages and API: PermissionDenied unless `allowed(user, what)`.

    Pages answer it with the 403 page, the API with its 403 JSON (`fanzha.api`),
    so a view never builds its own refusal.
    """
    if not allowed(user, what):
        raise PermissionDenied(message or _("您的角色没有此操作权限"))


def requires(what, message=None):
    """`require` as a view decorator, for a whole view (`@requires("org.import_data")`)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            require(request.user, what, message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def scoped_view(what=None):
    """Guard a view that belongs to no area of the table (the exports every permitted role reaches
    from its own lists): anonymous → login page; `what` (a permission or rule) not allowed → 403.

    Its records come through the scoping selectors like every other view's; the
    mark (`fanzha_access = "scoped"`) tells the URL walk test it was not forgotten.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if what is not None:
                require(request.user, what)
            return view(request, *args, **kwargs)

        wrapper.fanzha_access = "scoped"
        return wrapper

    return decorator


def public_view(view):
    """Mark a view that anyone may open without logging in (public clue form, login, health)."""
    view.fanzha_access = "public"
    return view


ROLE_ORDER = (OFFICE, LEADER, OFFICER, COMMUNITY, GRID_LEADER, GRID_WORKER, GROUP_HEAD, LIAISON, DEPARTMENT,
              SAFETY_STAFF, VOLUNTEER)


def table_rows() -> list[tuple[str, str, list[str]]]:
    """(area, label, roles) for the README's access table."""
    return [(a.key, str(a.label), [r for r in ROLE_ORDER if r in a.roles]) for a in AREAS]


def markdown_table(role_labels: dict[str, str] | None = None) -> str:
    """The table as Markdown: one row per area (tabs marked ↳ under their page), one column per role."""
    role_labels = role_labels or {}
    head = ["area", "page"] + [f"{role_labels[r]} `{r}`" if r in role_labels else f"`{r}`" for r in ROLE_ORDER]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for a in AREAS:
        page = f"↳ {a.label}" if a.parent else str(a.label)
        if not a.menu:
            page = f"{page} ({_('由链接进入')})"
        elif a.parent:
            page = f"{page} ({_('%(page)s的标签页') % {'page': BY_KEY[a.parent].label}})"
        if a.perm:
            page += f" + `{a.perm}`"
        cells = [f"`{a.key}`", page] + ["✓" if r in a.roles else "" for r in ROLE_ORDER]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
