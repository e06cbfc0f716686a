from django.urls import path

from fanzha.analysis import views

app_name = "analysis"
urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.drill, name="drill"),
    path("analysis.xlsx", views.export, name="export"),
    path("briefings/", views.briefings, name="briefings"),
    path("briefings/<int:pk>/", views.briefing, name="briefing"),
    path("briefings/<int:pk>.docx", views.briefing_docx, name="briefing_docx"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/new/", views.task_new, name="task_new"),
    path("tasks/<int:pk>/", views.task, name="task"),
]
