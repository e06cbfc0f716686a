from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OrgConfig(AppConfig):
    name = "fanzha.org"
    label = "org"
    verbose_name = "组织架构"

    def ready(self) -> None:
        import fanzha.org.counts  # noqa: F401  (a new node's head-count row, on post_save)
        from fanzha.org.roles import sync_role_groups

        # Sent for every app: the handler acts on the last one, when every app's permissions exist.
        post_migrate.connect(sync_role_groups, dispatch_uid="fanzha-sync-role-groups")
