from django.apps import AppConfig


class DutiesConfig(AppConfig):
    name = "fanzha.duties"
    label = "duties"
    verbose_name = "工作职责"
