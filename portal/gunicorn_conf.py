"""gunicorn settings: `gunicorn -c portal/gunicorn_conf.py portal.wsgi`.

No access log by default, and a logger class that removes client addresses from everything it
does write (gunicorn's worker logs "Invalid request from ip=..." at WARNING on its own).
Production binds a Unix socket behind the reverse proxy, which forwards no client address.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync worker processes, not threads: the work is CPU-bound Python, and a thread holding the
# audit log's append lock while its siblings hold the interpreter keeps every other submission
# waiting (the submission bench measured gthread 2x4 at ~0.75x the throughput of 3 processes on
# 2 cores; docs/decisions.md). Slow clients are the reverse proxy's job: it buffers requests and
# responses.
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
logger_class = "portal.logs.GunicornLogger"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
access_log_format = '"%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
timeout = 30
