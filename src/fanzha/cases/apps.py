from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "fanzha.cases"
    label = "cases"
    verbose_name = "发案与压降"

    def ready(self) -> None:
        # The police station's case export is one more kind on the import page and command.
        from fanzha.cases.importers import CaseImporter
        from fanzha.core.imports import register

        register("cases", CaseImporter)
