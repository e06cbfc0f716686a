from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "fanzha.risk"
    label = "risk"
    verbose_name = "风险排查"
