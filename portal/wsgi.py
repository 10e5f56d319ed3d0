"""WSGI entry point for gunicorn. Defaults to the production profile."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("PORTAL_ENV", "production")

application = get_wsgi_application()
