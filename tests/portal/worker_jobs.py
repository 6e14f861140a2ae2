"""Jobs the worker tests enqueue: each appends its name to a file (no database)."""

import os
import time
from pathlib import Path

from django_tasks import task


@task()
def mark(name: str, seconds: float = 0.0) -> str:
    """Sleep ``seconds``, then append ``name`` to ``$WORKER_TEST_MARKS``."""
    time.sleep(seconds)
    with Path(os.environ["WORKER_TEST_MARKS"]).open("a") as marks:
        marks.write(name + "\n")
    return name
