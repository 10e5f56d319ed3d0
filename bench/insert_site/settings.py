"""portal.settings (whatever profile the environment picks) plus the bench app and URL.

Also names the Celery queue/exchange and the cache key prefix after `BENCH_NAMESPACE`, so that
the messages and keys a bench run leaves in a shared Redis are its own and can be removed.
"""

import os

from portal.settings import *  # noqa: F403
from portal.settings import CACHES, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench.insert_site"]
ROOT_URLCONF = "bench.insert_site.urls"

BENCH_NAMESPACE = os.environ.get("BENCH_NAMESPACE", "")
if BENCH_NAMESPACE:
    CELERY_TASK_DEFAULT_QUEUE = BENCH_NAMESPACE
    CELERY_TASK_DEFAULT_EXCHANGE = BENCH_NAMESPACE
    CELERY_TASK_DEFAULT_ROUTING_KEY = BENCH_NAMESPACE
    CACHES["default"]["KEY_PREFIX"] = BENCH_NAMESPACE
