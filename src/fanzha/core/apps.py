from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fanzha.core"
    label = "core"
    verbose_name = "公共"

    def ready(self) -> None:
        from fanzha.core import signals  # noqa: F401
