from django.apps import AppConfig


class CluesConfig(AppConfig):
    name = "fanzha.clues"
    label = "clues"
    verbose_name = "线索"

    def ready(self) -> None:
        # A 12337 export or a WeChat round-up is one more kind on the import page and command.
        from fanzha.clues.importers import ClueImporter
        from fanzha.core.imports import register

        register("clues", ClueImporter)
