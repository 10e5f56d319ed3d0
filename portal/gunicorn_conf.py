"""gunicorn settings: `gunicorn -c portal/gunicorn_conf.py portal.wsgi`.

No access log by default, and a logger class that removes client addresses from everything it
does write (gunicorn's worker logs "Invalid request from ip=..." at WARNING on its own).
Production binds a Unix socket behind the reverse proxy, which forwards no client address.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
logger_class = "portal.logs.GunicornLogger"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = '"%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
timeout = 30
