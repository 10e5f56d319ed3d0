"""WSGI entry point for gunicorn (and runserver, which loads WSGI_APPLICATION). Defaults to the
production profile."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from portal.body_deadline import RequestBodyDeadline

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("PORTAL_ENV", "production")

# Without a buffering proxy in front, a body that trickles in would hold a sync worker.
application = RequestBodyDeadline(get_wsgi_application(), settings.REQUEST_BODY_TIMEOUT_SECONDS)

# The embedded default (tasks in-process) has no beat: the serving process runs it.
from portal import embedded  # noqa: E402 - needs the settings configured above

embedded.start()
