"""Client-side pacing, so normal operation never runs into Zoom's or HubSpot's rate limits.

A moving window per key (HubSpot portal; Zoom account + rate category), kept by the `limits`
library. With Redis configured every worker on every machine shares one window; without it,
each process keeps its own, and a qcluster worker takes its share (limit / Q_WORKERS).
"""

import sys
import threading
import time
from functools import lru_cache

from django.conf import settings
from limits import RateLimitItemPerSecond, storage, strategies

# Pace a little under the published limits: requests sent at the edge of a window can arrive
# in the next one after network jitter.
SAFETY = 0.95

ZOOM_PLAN_QPS = {
    # requests per second per account, by Zoom's rate-limit category
    "pro": {"light": 30, "medium": 20, "heavy": 10},
    "business": {"light": 80, "medium": 60, "heavy": 40},
}
# Zoom labels some endpoints "resource-intensive"; they share Heavy's budget for our purposes.
CATEGORY_ALIASES = {"resource-intensive": "heavy"}


@lru_cache(maxsize=4)
def _limiter(storage_url: str) -> strategies.MovingWindowRateLimiter:
    return strategies.MovingWindowRateLimiter(storage.storage_from_string(storage_url))


def _share() -> float:
    """The fraction of a limit this process may use."""
    if settings.RATE_LIMIT_STORAGE_URL.startswith("memory://") and "qcluster" in sys.argv:
        return 1.0 / max(1, settings.Q_CLUSTER.get("workers", 1))
    return 1.0


_local_lock = threading.Lock()


def pace(*, key: str, limit: int | None, window_s: int) -> float:
    """Blocks until one more request fits in the window; returns the seconds waited."""
    if not limit:
        return 0.0
    allowed = max(1, int(limit * SAFETY * _share()))
    item = RateLimitItemPerSecond(allowed, window_s)
    limiter = _limiter(settings.RATE_LIMIT_STORAGE_URL)
    waited = 0.0
    while True:
        with _local_lock:
            if limiter.hit(item, key):
                return waited
            reset_at = limiter.get_window_stats(item, key).reset_time
        delay = min(max(reset_at - time.time(), 0.002), window_s)
        time.sleep(delay)
        waited += delay


def zoom_qps(category: str) -> int | None:
    category = CATEGORY_ALIASES.get(category, category)
    if settings.ZOOM_QPS:
        return settings.ZOOM_QPS.get(category)
    plan = ZOOM_PLAN_QPS.get(settings.ZOOM_PLAN.lower())
    if plan is None:
        return None
    return plan.get(category)
