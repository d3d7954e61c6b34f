"""A "now" that is a parameter and still ticks: for work that outlasts a moment (a delivery
pass, an import job) yet must stay testable at a chosen time."""

import time
from collections.abc import Callable
from datetime import datetime, timedelta

Clock = Callable[[], datetime]


def moving_clock(start: datetime) -> Clock:
    """`start`, moved on by the real time that passes since this call."""
    began = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - began)
