"""Rate limits and token lifetimes (``/_sandbox/limits``).

Limits (all off by default, so the demo is fast):

- HubSpot: ``hubspot_per_10s`` (rolling 10-second window, per rate-limit group: the private app,
  or OAuth apps) and ``hubspot_daily`` (per portal, per UTC day);
- Zoom: ``zoom_qps`` (``{"light","medium","heavy","resource_intensive"}`` requests per second
  per category, for the whole account: every app shares them) and ``zoom_daily_heavy`` (Heavy and
  Resource-intensive calls per UTC day, shared);
- lifetimes of issued tokens and of ``next_page_token`` values.

Only admitted requests count toward a limit (a request answered 429 does not use quota).
Windows and days are read from the world's clock (``clock.py``): advancing it opens the next
window. Limit state has its own lock, so it never waits for a long listing holding the world
lock.
"""

from __future__ import annotations

import threading
import uuid
from collections import deque
from datetime import UTC, datetime

from .clock import Clock
from .common import Reply, iso_z

DEFAULT_TTLS = {"zoom_token_ttl_s": 3600, "hubspot_token_ttl_s": 1800, "page_token_ttl_s": 900}
LIMIT_KEYS = ("hubspot_per_10s", "hubspot_daily", "zoom_qps", "zoom_daily_heavy",
              "zoom_token_ttl_s", "hubspot_token_ttl_s", "page_token_ttl_s")
QPS_KEYS = {"light": "Light", "medium": "Medium", "heavy": "Heavy",
            "resource_intensive": "Resource-intensive"}
CATEGORY_KEY = {v: k for k, v in QPS_KEYS.items()}
HEAVY_CATEGORIES = ("Heavy", "Resource-intensive")

HUBSPOT_WINDOW_S = 10.0

ZOOM_QPS_MESSAGE = ("You have reached the maximum per-second rate limit for this API. "
                    "Try again later.")
ZOOM_DAILY_MESSAGE = ("You have reached the maximum daily rate limit for this API. Refer to the "
                      "response header for details on when you can make the next request.")


def _positive_int(key: str, value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{key} must be a positive integer or null")
    return value


def _seconds(key: str, value) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{key} must be a number of seconds >= 0 or null")
    return value


def _utc_day(now: float) -> int:
    return int(now // 86400)


def next_midnight_utc(now: float) -> datetime:
    return datetime.fromtimestamp((_utc_day(now) + 1) * 86400, UTC)


def correlation_id() -> str:
    return str(uuid.uuid4())


def _hubspot_headers(per_10s: int | None, in_window: int, daily: int | None, day_used: int
                     ) -> dict:
    out = {}
    if per_10s is not None:
        out.update({
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
            "X-HubSpot-RateLimit-Max": str(per_10s),
            "X-HubSpot-RateLimit-Remaining": str(max(0, per_10s - in_window)),
        })
    if daily is not None:
        out.update({
            "X-HubSpot-RateLimit-Daily": str(daily),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, daily - day_used)),
        })
    return out


class Limits:
    """Rate limits and lifetimes; windows and days are read from ``clock``."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self.lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        """No limits, default token lifetimes, empty counters."""
        with self.lock:
            self.hubspot_per_10s: int | None = None
            self.hubspot_daily: int | None = None
            self.zoom_qps: dict[str, int] = {}
            self.zoom_daily_heavy: int | None = None
            self.ttls: dict[str, float] = dict(DEFAULT_TTLS)
            self._hs_window: dict[str, deque] = {}
            self._hs_day: dict[str, tuple[int, int]] = {}
            self._zoom_second: dict[str, tuple[int, int]] = {}
            self._zoom_heavy_day: tuple[int, int] = (0, 0)

    # ---------------------------------------------------------------- config
    def update(self, body: dict) -> None:
        """Apply a partial update; ``None`` removes a limit (a lifetime goes back to default)."""
        unknown = sorted(set(body) - set(LIMIT_KEYS))
        if unknown:
            raise ValueError(f"unknown limit(s): {', '.join(unknown)}; "
                             f"known: {', '.join(LIMIT_KEYS)}")
        new = {}
        for key in ("hubspot_per_10s", "hubspot_daily", "zoom_daily_heavy"):
            if key in body:
                new[key] = _positive_int(key, body[key])
        for key in DEFAULT_TTLS:
            if key in body:
                new[key] = _seconds(key, body[key])
        qps = None
        if "zoom_qps" in body:
            raw = body["zoom_qps"]
            if raw is None:
                qps = {}
            elif not isinstance(raw, dict):
                raise ValueError("zoom_qps must be an object like "
                                 '{"light": 30, "medium": 20, "heavy": 10} or null')
            else:
                bad = sorted(set(raw) - set(QPS_KEYS))
                if bad:
                    raise ValueError(f"unknown zoom_qps categories: {', '.join(bad)}; "
                                     f"known: {', '.join(QPS_KEYS)}")
                qps = dict(self.zoom_qps)
                for k, v in raw.items():
                    v = _positive_int(f"zoom_qps.{k}", v)
                    if v is None:
                        qps.pop(k, None)
                    else:
                        qps[k] = v
        with self.lock:
            for key in ("hubspot_per_10s", "hubspot_daily", "zoom_daily_heavy"):
                if key in new:
                    setattr(self, key, new[key])
            for key in DEFAULT_TTLS:
                if key in new:
                    self.ttls[key] = DEFAULT_TTLS[key] if new[key] is None else new[key]
            if qps is not None:
                self.zoom_qps = qps

    def as_dict(self) -> dict:
        with self.lock:
            return {
                "hubspot_per_10s": self.hubspot_per_10s,
                "hubspot_daily": self.hubspot_daily,
                "zoom_qps": dict(self.zoom_qps) or None,
                "zoom_daily_heavy": self.zoom_daily_heavy,
                **self.ttls,
            }

    def ttl(self, key: str) -> float:
        return self.ttls[key]

    # ---------------------------------------------------------------- HubSpot
    def hubspot_admit(self, group: str, portal: str) -> tuple[Reply | None, dict]:
        """(429 reply or None, headers to add to the answer)."""
        per_10s, daily = self.hubspot_per_10s, self.hubspot_daily
        if per_10s is None and daily is None:
            return None, {}
        now = self.clock.time()
        with self.lock:
            window = None
            if per_10s is not None:
                window = self._hs_window.setdefault(group, deque())
                horizon = now - HUBSPOT_WINDOW_S
                while window and window[0] <= horizon:
                    window.popleft()
            in_window = len(window) if window is not None else 0
            day_used = 0
            if daily is not None:
                day, used = self._hs_day.get(portal, (0, 0))
                day_used = used if day == _utc_day(now) else 0
            if daily is not None and day_used >= daily:
                return hubspot_429("DAILY", "You have reached your daily limit.", group,
                                   _hubspot_headers(per_10s, in_window, daily, day_used)), {}
            if per_10s is not None and in_window >= per_10s:
                return hubspot_429("TEN_SECONDLY_ROLLING",
                                   "You have reached your ten_secondly_rolling limit.", group,
                                   _hubspot_headers(per_10s, in_window, daily, day_used)), {}
            if window is not None:
                window.append(now)
            if daily is not None:
                self._hs_day[portal] = (_utc_day(now), day_used + 1)
        return None, _hubspot_headers(per_10s, in_window + 1, daily, day_used + 1)

    # ---------------------------------------------------------------- Zoom
    def zoom_admit(self, category: str | None) -> tuple[Reply | None, dict]:
        if category is None:
            return None, {}
        qps = self.zoom_qps.get(CATEGORY_KEY.get(category, ""))
        daily = self.zoom_daily_heavy if category in HEAVY_CATEGORIES else None
        if qps is None and daily is None:
            return None, {}
        now = self.clock.time()
        with self.lock:
            day_used = 0
            if daily is not None:
                day, used = self._zoom_heavy_day
                day_used = used if day == _utc_day(now) else 0
                if day_used >= daily:
                    return zoom_429(ZOOM_DAILY_MESSAGE, {
                        "X-RateLimit-Category": category,
                        "X-RateLimit-Type": "Daily-limit",
                        "X-RateLimit-Limit": str(daily),
                        "X-RateLimit-Remaining": "0",
                        "Retry-After": iso_z(next_midnight_utc(now)),
                    }), {}
            if qps is not None:
                second = int(now)
                sec, used = self._zoom_second.get(category, (0, 0))
                used = used if sec == second else 0
                if used >= qps:
                    return zoom_429(ZOOM_QPS_MESSAGE, {"X-RateLimit-Category": category,
                                                       "X-RateLimit-Type": "QPS"}), {}
                self._zoom_second[category] = (second, used + 1)
            headers = {}
            if daily is not None:
                self._zoom_heavy_day = (_utc_day(now), day_used + 1)
                headers = {"X-RateLimit-Category": category,
                           "X-RateLimit-Type": "Daily-limit",
                           "X-RateLimit-Limit": str(daily),
                           "X-RateLimit-Remaining": str(max(0, daily - day_used - 1))}
        return None, headers


def zoom_429(message: str, headers: dict) -> Reply:
    return Reply(429, {"code": 429, "message": message}, headers=dict(headers))


def hubspot_429(policy: str, message: str, group: str, headers: dict) -> Reply:
    return Reply(429, {"status": "error", "message": message, "errorType": "RATE_LIMIT",
                       "correlationId": correlation_id(), "policyName": policy,
                       "groupName": group}, headers=dict(headers))
