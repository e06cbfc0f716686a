from django.urls import path

from fanzha.alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("queue/", views.queue_fragment, name="queue_fragment"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/timeline/", views.timeline_fragment, name="timeline"),
    path("<int:pk>/sign/", views.sign, name="sign"),
    path("<int:pk>/contact/", views.contact, name="contact"),
    path("<int:pk>/step/", views.step, name="step"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/assignable/", views.assignable, name="assignable"),
    path("<int:pk>/transfer-done/", views.transfer_done, name="transfer_done"),
    path("<int:pk>/reveal/", views.reveal, name="reveal"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/badge/", views.badge, name="badge"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("upload/", views.upload, name="upload"),
    path("upload/template.xlsx", views.upload_template, name="upload_template"),
    path("settings/", views.alert_settings, name="settings"),
    path("settings/webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook_delete"),
    path("conflicts/", views.conflicts, name="conflicts"),
    path("conflicts/<int:pk>/", views.conflict_resolve, name="conflict_resolve"),
    path("figures/", views.figures, name="figures"),
    path("figures.xlsx", views.figures_export, name="figures_export"),
]
