"""A time budget for one piece of work, kept by the OS timer (SIGALRM).

When the time is up, `OverBudget` is raised in the work wherever it is in
Python code (regular expressions check for signals too); a long call into C
(the HTML parser on one huge page) is interrupted when it returns.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class OverBudget(BaseException):
    """The time is up. A BaseException, like KeyboardInterrupt, so that code which
    must never fail on bad input (``except Exception``) cannot swallow it."""


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise OverBudget in the body after `seconds`; None or 0 means no budget.

    Signals reach only the main thread: elsewhere the body runs without one."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise OverBudget(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
