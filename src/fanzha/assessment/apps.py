from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "fanzha.assessment"
    label = "assessment"
    verbose_name = "无诈创建考核"
