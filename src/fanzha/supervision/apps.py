from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "fanzha.supervision"
    label = "supervision"
    verbose_name = "责任与督导"
