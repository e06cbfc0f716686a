from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "fanzha.alerts"
    label = "alerts"
    verbose_name = "预警劝阻"
