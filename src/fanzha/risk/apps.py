from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "fanzha.risk"
    label = "risk"
    verbose_name = "风险排查"

    def ready(self) -> None:
        # Key persons and premises are two more kinds on the import page and command.
        from fanzha.core.imports import register
        from fanzha.risk.importers import KeyPersonImporter, PremisesImporter

        register("key_persons", KeyPersonImporter)
        register("premises", PremisesImporter)
