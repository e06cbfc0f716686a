"""What each role may do. Roles are Django groups holding these permissions,
kept in step with this table after every migrate."""

from fanzha.org.models import Role

ALL_PERMS = ["reveal_pii", "change_records", "import_data", "export_data", "view_audit"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICE: ["reveal_pii", "change_records", "import_data", "export_data", "view_audit",
                  "cases.manage_cases", "cases.manage_targets",
                  "alerts.handle_alerts", "alerts.upload_alerts", "alerts.configure_alerts"],
    Role.LEADER: ["export_data"],
    Role.OFFICER: ["reveal_pii", "change_records", "export_data", "cases.manage_cases",
                   "alerts.handle_alerts", "alerts.upload_alerts"],
    Role.COMMUNITY: ["reveal_pii", "change_records", "export_data", "alerts.handle_alerts"],
    Role.GRID_LEADER: ["reveal_pii", "change_records", "alerts.handle_alerts"],
    Role.GRID_WORKER: ["reveal_pii", "change_records", "alerts.handle_alerts"],
    Role.GROUP_HEAD: ["change_records"],
    Role.LIAISON: ["change_records"],
    Role.DEPARTMENT: [],
    Role.SAFETY_STAFF: ["change_records"],
    Role.VOLUNTEER: [],
}

# Outreach (宣传): everyone who works in the field records activities, visits and
# installs; the office sets install targets and the evidence GPS setting.
for _role in (Role.OFFICE, Role.OFFICER, Role.COMMUNITY, Role.GRID_LEADER, Role.GRID_WORKER, Role.GROUP_HEAD, Role.LIAISON,
              Role.SAFETY_STAFF, Role.VOLUNTEER):
    ROLE_PERMISSIONS[_role].append("outreach.record_outreach")
ROLE_PERMISSIONS[Role.OFFICE] += ["outreach.manage_install_targets", "outreach.manage_outreach_settings"]


def _qualified(code: str) -> tuple[str, str]:
    """'cases.manage_cases' → ('cases', 'manage_cases'); bare codes are org's."""
    app, _, name = code.rpartition(".")
    return (app or "org", name)


def sync_role_groups(app_config=None, **kwargs) -> None:
    """Bring the role groups in line with ROLE_PERMISSIONS: once per migrate or flush, on the last
    app's post_migrate (every app's permissions exist by then)."""
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    if app_config is not None:
        with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
        if with_models and app_config is not with_models[-1]:
            return

    wanted = {_qualified(c) for codes in ROLE_PERMISSIONS.values() for c in codes}
    perms = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.select_related("content_type").filter(codename__in={n for _a, n in wanted})
    }
    if not wanted <= perms.keys():
        return  # some apps' permissions are not created yet (an earlier post_migrate pass)
    for role, codes in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=f"role:{role}")
        group.permissions.set([perms[_qualified(c)] for c in codes])
