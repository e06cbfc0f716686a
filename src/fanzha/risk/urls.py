from django.urls import path

from fanzha.risk import views

app_name = "risk"
urlpatterns = [
    path("", views.home, name="home"),
    path("badge/", views.badge, name="badge"),
    path("people/", views.key_person_list, name="key_persons"),
    path("people/overdue/", views.overdue, name="overdue"),
    path("people/new/", views.key_person_new, name="key_person_new"),
    path("people/<int:pk>/", views.key_person_detail, name="key_person"),
    path("people/<int:pk>/edit/", views.key_person_edit, name="key_person_edit"),
    path("people/<int:pk>/follow-up/", views.key_person_follow_up, name="key_person_follow_up"),
    path("people/<int:pk>/review/", views.key_person_review, name="key_person_review"),
    path("people/<int:pk>/close/", views.key_person_close, name="key_person_close"),
    path("people/<int:pk>/link/", views.key_person_link, name="key_person_link"),
    path("people/<int:pk>/documents/", views.key_person_document, name="key_person_document"),
    path("documents/<int:pk>/", views.document_file, name="document_file"),
    path("intervals/", views.intervals, name="intervals"),
    path("premises/", views.premises_list, name="premises"),
    path("premises/new/", views.premises_new, name="premises_new"),
    path("premises/<int:pk>/", views.premises_detail, name="premises_detail"),
    path("premises/<int:pk>/edit/", views.premises_new, name="premises_edit"),
    path("photos/<int:pk>/", views.photo_file, name="photo"),
    path("photos/<int:pk>/thumb/", views.photo_file, {"thumb": True}, name="photo_thumb"),
    path("screening/", views.screening, name="screening"),
    path("screening/<int:community>/", views.screening_form, name="screening_form"),
    path("sweeps/", views.sweep_list, name="sweeps"),
    path("sweeps/new/", views.sweep_new, name="sweep_new"),
    path("sweeps/calendar/", views.calendar, name="calendar"),
    path("sweeps/<int:pk>/", views.sweep_detail, name="sweep"),
    path("sweeps/<int:pk>/join/", views.sweep_join, name="sweep_join"),
    path("sweeps/<int:pk>/people/", views.sweep_person, name="sweep_person"),
    path("sweeps/<int:pk>/people/<int:person>/file/", views.sweep_person_file, name="sweep_person_file"),
    path("sweeps/<int:pk>/premises/", views.sweep_premises, name="sweep_premises"),
    path("figures/", views.figures, name="figures"),
    path("export/<str:what>.xlsx", views.export, name="export"),
]
