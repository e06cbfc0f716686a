from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "fanzha.outreach"
    label = "outreach"
    verbose_name = "宣传与反诈APP安装"
