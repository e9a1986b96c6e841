"""Rate limits and token lifetimes (``/_sandbox/limits``), injected faults (``/_sandbox/faults``).

Limits (all off by default, so the demo is fast):

- HubSpot: ``hubspot_per_10s`` (rolling 10-second window, per rate-limit group: the private app,
  or OAuth apps) and ``hubspot_daily`` (per portal, per UTC day);
- Zoom: ``zoom_qps`` (``{"light","medium","heavy","resource_intensive"}`` requests per second
  per category, for the whole account: every app shares them) and ``zoom_daily_heavy`` (Heavy and
  Resource-intensive calls per UTC day, shared);
- lifetimes of issued tokens and of ``next_page_token`` values.

Only admitted requests count toward a limit (a request answered 429 does not use quota).
Limit state has its own lock, so it never waits for a long listing holding the world lock.
"""

from __future__ import annotations

import math
import random
import threading
import time
import uuid
from collections import deque
from datetime import UTC, datetime, timedelta

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


def next_midnight_utc(now: float | None = None) -> datetime:
    now = time.time() if now is None else now
    return datetime.fromtimestamp((_utc_day(now) + 1) * 86400, UTC)


def correlation_id() -> str:
    return str(uuid.uuid4())


class Limits:
    def __init__(self):
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

    def set_ttl(self, key: str, value: float) -> None:
        with self.lock:
            self.ttls[key] = value

    # ---------------------------------------------------------------- HubSpot
    def hubspot_admit(self, group: str, portal: str) -> tuple[Reply | None, dict]:
        """(429 reply or None, headers to add to the answer)."""
        per_10s, daily = self.hubspot_per_10s, self.hubspot_daily
        if per_10s is None and daily is None:
            return None, {}
        now = time.time()
        headers: dict = {}
        with self.lock:
            window = None
            if per_10s is not None:
                window = self._hs_window.setdefault(group, deque())
                horizon = now - HUBSPOT_WINDOW_S
                while window and window[0] <= horizon:
                    window.popleft()
            day_used = 0
            if daily is not None:
                day, used = self._hs_day.get(portal, (0, 0))
                day_used = used if day == _utc_day(now) else 0

            def rate_headers(extra_used: int) -> dict:
                out = {}
                if per_10s is not None:
                    out.update({
                        "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
                        "X-HubSpot-RateLimit-Max": str(per_10s),
                        "X-HubSpot-RateLimit-Remaining":
                            str(max(0, per_10s - len(window) - extra_used)),
                    })
                if daily is not None:
                    out.update({
                        "X-HubSpot-RateLimit-Daily": str(daily),
                        "X-HubSpot-RateLimit-Daily-Remaining":
                            str(max(0, daily - day_used - extra_used)),
                    })
                return out

            if daily is not None and day_used >= daily:
                return hubspot_429("DAILY", "You have reached your daily limit.", group,
                                   rate_headers(0)), {}
            if per_10s is not None and len(window) >= per_10s:
                return hubspot_429("TEN_SECONDLY_ROLLING",
                                   "You have reached your ten_secondly_rolling limit.", group,
                                   rate_headers(0)), {}
            headers = rate_headers(1)
            if window is not None:
                window.append(now)
            if daily is not None:
                self._hs_day[portal] = (_utc_day(now), day_used + 1)
        return None, headers

    # ---------------------------------------------------------------- Zoom
    def zoom_admit(self, category: str | None) -> tuple[Reply | None, dict]:
        if category is None:
            return None, {}
        qps = self.zoom_qps.get(CATEGORY_KEY.get(category, ""))
        daily = self.zoom_daily_heavy if category in HEAVY_CATEGORIES else None
        if qps is None and daily is None:
            return None, {}
        now = time.time()
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


# --------------------------------------------------------------------------------------------
# faults
# --------------------------------------------------------------------------------------------

FAULT_KEYS = ("error_rate", "rate_limit_rate", "reset_rate", "slow_rate", "slow_s",
              "partial_rate", "partial_category", "retry_after", "retry_after_s", "services",
              "seed")
# How an injected partial failure is classified: retryable, or the input rejected for good.
PARTIAL_CATEGORIES = ("INTERNAL_ERROR", "VALIDATION_ERROR")
RETRY_AFTER_FORMATS = ("seconds", "milliseconds", "iso", "none")
FAULT_KINDS = ("error", "rate_limit", "reset", "slow", "partial")
ERROR_STATUSES = (500, 502, 503, 504)
ERROR_TEXT = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
              504: "Gateway Timeout"}


class Fault:
    """What to do to one request: ``kind`` in error|rate_limit|reset|None, plus a delay."""

    __slots__ = ("kind", "status", "slow_s")

    def __init__(self, kind, status=0, slow_s=0.0):
        self.kind = kind
        self.status = status
        self.slow_s = slow_s


class Faults:
    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        with self.lock:
            self.config: dict = {}
            self.active = False
            self.rng = random.Random(1)

    def configure(self, body: dict) -> None:
        """Replace the configuration (``{}`` clears it)."""
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
        unknown = sorted(set(body) - set(FAULT_KEYS))
        if unknown:
            raise ValueError(f"unknown fault key(s): {', '.join(unknown)}; "
                             f"known: {', '.join(FAULT_KEYS)}")
        if not body:
            self.clear()
            return
        cfg = {}
        for key in ("error_rate", "rate_limit_rate", "reset_rate", "slow_rate", "partial_rate"):
            value = body.get(key, 0) or 0
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not 0 <= value <= 1:
                raise ValueError(f"{key} must be a number between 0 and 1")
            cfg[key] = float(value)
        if cfg["error_rate"] + cfg["rate_limit_rate"] + cfg["reset_rate"] > 1:
            raise ValueError("error_rate + rate_limit_rate + reset_rate must not exceed 1")
        for key, default in (("slow_s", 5.0), ("retry_after_s", 1.0)):
            value = body.get(key, default)
            if value is None:
                value = default
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{key} must be a number of seconds >= 0")
            cfg[key] = value
        retry_after = body.get("retry_after") or "seconds"
        if retry_after not in RETRY_AFTER_FORMATS:
            raise ValueError(f"retry_after must be one of {', '.join(RETRY_AFTER_FORMATS)}")
        cfg["retry_after"] = retry_after
        category = body.get("partial_category") or "INTERNAL_ERROR"
        if category not in PARTIAL_CATEGORIES:
            raise ValueError(f"partial_category must be one of {', '.join(PARTIAL_CATEGORIES)}")
        cfg["partial_category"] = category
        services = body.get("services")
        if services is None:
            services = ["zoom", "hubspot"]
        if not isinstance(services, list) or not services or any(
                s not in ("zoom", "hubspot") for s in services):
            raise ValueError('services must be a non-empty list of "zoom" and/or "hubspot"')
        cfg["services"] = sorted(set(services), key=["zoom", "hubspot"].index)
        seed = body.get("seed", 1)
        if seed is None:
            seed = 1
        if isinstance(seed, bool) or not isinstance(seed, int | str):
            raise ValueError("seed must be an integer or a string")
        cfg["seed"] = seed
        with self.lock:
            self.config = cfg
            self.rng = random.Random(seed)
            self.active = any(cfg[k] > 0 for k in ("error_rate", "rate_limit_rate", "reset_rate",
                                                   "slow_rate", "partial_rate"))

    def as_dict(self) -> dict:
        with self.lock:
            return dict(self.config)

    def draw(self, service: str) -> Fault | None:
        """The fault for one request of ``service`` (None: answer normally, no delay)."""
        if not self.active:
            return None
        with self.lock:
            cfg = self.config
            if not cfg or service not in cfg["services"]:
                return None
            u = self.rng.random()
            v = self.rng.random()
            kind, status = None, 0
            if u < cfg["reset_rate"]:
                kind = "reset"
            elif u < cfg["reset_rate"] + cfg["error_rate"]:
                kind = "error"
                status = self.rng.choice(ERROR_STATUSES)
            elif u < cfg["reset_rate"] + cfg["error_rate"] + cfg["rate_limit_rate"]:
                kind = "rate_limit"
            slow_s = cfg["slow_s"] if v < cfg["slow_rate"] else 0.0
        if kind is None and not slow_s:
            return None
        return Fault(kind, status, slow_s)

    def failed_inputs(self, service: str, count: int) -> set[int]:
        """Indexes of batch inputs that an injected partial failure makes fail."""
        if not self.active or count <= 0:
            return set()
        with self.lock:
            cfg = self.config
            rate = cfg.get("partial_rate", 0) if cfg else 0
            if not rate or service not in cfg["services"]:
                return set()
            return {i for i in range(count) if self.rng.random() < rate}

    def retry_after_headers(self) -> dict:
        with self.lock:
            fmt = self.config.get("retry_after", "seconds")
            seconds = self.config.get("retry_after_s", 1.0)
        if fmt == "seconds":
            return {"Retry-After": str(math.ceil(seconds))}
        if fmt == "milliseconds":
            return {"Retry-After-Ms": str(int(round(seconds * 1000)))}
        if fmt == "iso":
            at = datetime.now(UTC) + timedelta(seconds=seconds)
            if at.microsecond:
                at = at.replace(microsecond=0) + timedelta(seconds=1)
            return {"Retry-After": iso_z(at)}
        return {}
