"""Tasks only the real-worker tests load (`celery worker --include tests.portal.crash_tasks`)."""

import os
import signal
from pathlib import Path

from celery import shared_task


@shared_task(ignore_result=False)
def crash_once(marker: str) -> str:
    """Kill the worker process the first time; succeed when the broker hands the task over again."""
    path = Path(marker)
    if not path.exists():
        path.write_text("killed once")
        os.kill(os.getpid(), signal.SIGKILL)
    return "done after redelivery"
