"""portal/gunicorn_conf.py unchanged, plus one hook: each worker says when it is ready.

`bench.harness.gunicorn` passes the write end of a pipe in BENCH_READY_FD; a worker writes its
pid there once it has loaded the application, so the bench starts when every worker can take
requests, without polling.
"""

import contextlib
import os

from portal.gunicorn_conf import *  # noqa: F403


def post_worker_init(worker: object) -> None:
    ready = os.environ.get("BENCH_READY_FD")
    if ready:
        # A worker started after the bench stopped listening (a replacement) must still boot.
        with contextlib.suppress(OSError):
            os.write(int(ready), f"{os.getpid()}\n".encode())
