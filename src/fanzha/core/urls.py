from django.urls import path

from fanzha.core import views, views_security

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("audit/", views.audit_log, name="audit_log"),
    path("security/", views_security.security, name="security"),
    path("security/unlock/", views_security.unlock, name="security_unlock"),
    path("security/users/<int:pk>/logout-all/", views_security.logout_all, name="security_logout_all"),
    path("password/", views_security.password_change, name="password_change"),
    path("password/logout-everywhere/", views_security.logout_mine_everywhere, name="logout_everywhere"),
]
