"""Leaving at once on a second Ctrl-C, without waiting for the threads and parser processes still at work."""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from typing import NoReturn


def exit_now(status: int) -> NoReturn:
    """End the process now: the caller has rolled back the document in hand and queued its job again, so what is
    left (a thread still reading or splitting a huge file, a PDF parser child) holds nothing worth waiting for."""
    for child in multiprocessing.active_children():  # only this process's own children (the PDF parsers)
        child.kill()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
