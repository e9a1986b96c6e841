"""The sandbox's time: real time plus an offset that only moves forward.

Every read of the time in the sandbox (token and authorization-code lifetimes, page tokens,
rate-limit windows and daily caps, Retry-After dates, "now" in seeds and answers, the exchange
record) goes through the ``Clock`` its ``World`` owns. ``POST /_sandbox/clock``
(``{"advance_s": N}``) moves it forward, so a test lets a token or a window run out without
sleeping; ``POST /_sandbox/reset`` puts it back on real time.

``FrozenClock`` stands still unless advanced; pass one to ``World(clock=...)`` when a test must
know the exact second every request lands in (a per-second rate limit, an "expired N seconds
ago" message).
"""

from __future__ import annotations

import math
import threading
import time
from datetime import UTC, datetime


class Clock:
    """Real time plus an offset (seconds) that ``advance`` adds to."""

    def __init__(self):
        self._lock = threading.Lock()
        self._offset = 0.0

    def _base(self) -> float:
        return time.time()

    def time(self) -> float:
        """Seconds since the epoch, as ``time.time()``."""
        return self._base() + self._offset

    def now(self) -> datetime:
        """The current time, UTC."""
        return datetime.fromtimestamp(self.time(), UTC)

    @property
    def offset_s(self) -> float:
        return self._offset

    def advance(self, seconds: float) -> None:
        """Move time forward; it never goes back (a token once expired stays expired)."""
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) \
                or not math.isfinite(seconds) or seconds < 0:
            raise ValueError("advance_s must be a number of seconds >= 0 "
                             "(the sandbox's time only moves forward)")
        with self._lock:
            self._offset += float(seconds)

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0


class FrozenClock(Clock):
    """A clock that stands still at ``start`` (default: when it was made) unless advanced."""

    def __init__(self, start: float | None = None):
        super().__init__()
        self._start = time.time() if start is None else float(start)

    def _base(self) -> float:
        return self._start
