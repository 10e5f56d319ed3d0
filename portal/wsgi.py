"""WSGI entry point for gunicorn (and runserver, which loads WSGI_APPLICATION). Defaults to the
production profile."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("PORTAL_ENV", "production")

application = get_wsgi_application()

# The embedded default (tasks in-process) has no beat: the serving process runs it.
from portal import embedded  # noqa: E402 - needs the settings configured above

embedded.start()
