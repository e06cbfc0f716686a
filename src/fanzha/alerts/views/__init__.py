"""Alert pages, one module per sub-domain: the response (queue, one alert, its steps), the inbox of
notifications, intake (batch upload, id conflicts), the office's settings, the figures page. `urls.py`
names them as `views.<name>`."""

from fanzha.alerts.views.figures_page import figures, figures_export
from fanzha.alerts.views.intake import conflict_resolve, conflicts, upload, upload_template
from fanzha.alerts.views.inbox import badge, notification_open, notifications
from fanzha.alerts.views.response import (
    assign,
    assignable,
    close,
    contact,
    detail,
    queue,
    queue_fragment,
    reveal,
    sign,
    step,
    timeline_fragment,
    transfer_done,
)
from fanzha.alerts.views.settings import alert_settings, webhook_delete

__all__ = [
    "alert_settings", "assign", "assignable", "badge", "close", "conflict_resolve", "conflicts", "contact", "detail",
    "figures", "figures_export", "notification_open", "notifications", "queue", "queue_fragment", "reveal", "sign",
    "step", "timeline_fragment", "transfer_done", "upload", "upload_template", "webhook_delete",
]
