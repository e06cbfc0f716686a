from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "fanzha.analysis"
    label = "analysis"
    verbose_name = "研判与通报"
