"""What each role may do. Roles are Django groups holding these permissions,
kept in step with this table after every migrate."""

from fanzha.org.models import Role

ALL_PERMS = ["reveal_pii", "change_records", "import_data", "export_data", "view_audit"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.OFFICE: ["reveal_pii", "change_records", "import_data", "export_data", "view_audit"],
    Role.LEADER: ["export_data"],
    Role.OFFICER: ["reveal_pii", "change_records", "export_data"],
    Role.COMMUNITY: ["reveal_pii", "change_records", "export_data"],
    Role.GRID_LEADER: ["reveal_pii", "change_records"],
    Role.GRID_WORKER: ["reveal_pii", "change_records"],
    Role.GROUP_HEAD: ["change_records"],
    Role.LIAISON: ["change_records"],
}


def sync_role_groups(**kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    perms = {p.codename: p for p in Permission.objects.filter(content_type__app_label="org", codename__in=ALL_PERMS)}
    if len(perms) < len(ALL_PERMS):
        return  # permissions not created yet (first migrate pass)
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=f"role:{role}")
        group.permissions.set([perms[c] for c in codes])
