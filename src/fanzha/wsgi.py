import os

from django.core.wsgi import get_wsgi_application

os.umask(0o077)  # database, keys, uploads and exports readable by the owner only
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fanzha.settings")
application = get_wsgi_application()

from fanzha.core.keycheck import check_pii_key  # noqa: E402 — needs the apps loaded

check_pii_key()  # refuse to serve with a PII key that cannot read this database's numbers
