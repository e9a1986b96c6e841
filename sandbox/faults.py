"""Injected faults (``/_sandbox/faults``): errors, 429s, connection resets, slow answers,
partial batch failures and lost answers, drawn from a seeded random generator so a run can be
replayed.

Every fault but one is decided and served before a request touches state, so retrying such a
request is safe. ``reset_after_apply_rate`` is the exception, and the point of it: the request
is applied, then the connection is dropped without an answer, as when a network fails between
the service and its caller. Whoever retries such a request blindly applies it twice.

``paths`` narrows the faults to requests whose service-relative path starts with one of the
given prefixes (say, only HubSpot's attendance writes).
"""

from __future__ import annotations

import math
import random
import threading
from datetime import timedelta

from .clock import Clock
from .common import iso_z

FAULT_KEYS = ("error_rate", "rate_limit_rate", "reset_rate", "reset_after_apply_rate",
              "slow_rate", "slow_s", "partial_rate", "partial_category", "retry_after",
              "retry_after_s", "services", "paths", "seed")
# Faults that take the place of the answer, drawn from one number: their rates add up to <= 1.
ANSWER_FAULTS = ("reset_rate", "reset_after_apply_rate", "error_rate", "rate_limit_rate")
# How an injected partial failure is classified: retryable, or the input rejected for good.
PARTIAL_CATEGORIES = ("INTERNAL_ERROR", "VALIDATION_ERROR")
RETRY_AFTER_FORMATS = ("seconds", "milliseconds", "iso", "none")
FAULT_KINDS = ("error", "rate_limit", "reset", "reset_after_apply", "slow", "partial")
ERROR_STATUSES = (500, 502, 503, 504)
ERROR_TEXT = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
              504: "Gateway Timeout"}


class Fault:
    """What to do to one request: ``kind`` in error|rate_limit|reset|reset_after_apply|None,
    plus a delay."""

    __slots__ = ("kind", "status", "slow_s")

    def __init__(self, kind, status=0, slow_s=0.0):
        self.kind = kind
        self.status = status
        self.slow_s = slow_s


class Faults:
    def __init__(self, clock: Clock):
        self.clock = clock  # for Retry-After dates
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
        for key in (*ANSWER_FAULTS, "slow_rate", "partial_rate"):
            value = body.get(key, 0) or 0
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not 0 <= value <= 1:
                raise ValueError(f"{key} must be a number between 0 and 1")
            cfg[key] = float(value)
        if sum(cfg[k] for k in ANSWER_FAULTS) > 1:
            raise ValueError(f"{' + '.join(ANSWER_FAULTS)} must not exceed 1")
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
        paths = body.get("paths")
        if paths is not None and (not isinstance(paths, list) or not paths or any(
                not isinstance(p, str) or not p.startswith("/") for p in paths)):
            raise ValueError('paths must be a non-empty list of path prefixes starting with "/"')
        cfg["paths"] = paths
        seed = body.get("seed", 1)
        if seed is None:
            seed = 1
        if isinstance(seed, bool) or not isinstance(seed, int | str):
            raise ValueError("seed must be an integer or a string")
        cfg["seed"] = seed
        with self.lock:
            self.config = cfg
            self.rng = random.Random(seed)
            self.active = any(cfg[k] > 0 for k in (*ANSWER_FAULTS, "slow_rate", "partial_rate"))

    def as_dict(self) -> dict:
        with self.lock:
            return dict(self.config)

    def _applies(self, cfg: dict, service: str, path: str) -> bool:
        if not cfg or service not in cfg["services"]:
            return False
        return cfg["paths"] is None or any(path.startswith(p) for p in cfg["paths"])

    def draw(self, service: str, path: str = "/") -> Fault | None:
        """The fault for one request of ``service`` to ``path`` (service-relative); None:
        answer normally, no delay."""
        if not self.active:
            return None
        with self.lock:
            cfg = self.config
            if not self._applies(cfg, service, path):
                return None
            u = self.rng.random()
            v = self.rng.random()
            kind, status = None, 0
            if u < cfg["reset_rate"]:
                kind = "reset"
            elif u < cfg["reset_rate"] + cfg["reset_after_apply_rate"]:
                kind = "reset_after_apply"
            elif u < cfg["reset_rate"] + cfg["reset_after_apply_rate"] + cfg["error_rate"]:
                kind = "error"
                status = self.rng.choice(ERROR_STATUSES)
            elif u < sum(cfg[k] for k in ANSWER_FAULTS):
                kind = "rate_limit"
            slow_s = cfg["slow_s"] if v < cfg["slow_rate"] else 0.0
        if kind is None and not slow_s:
            return None
        return Fault(kind, status, slow_s)

    def failed_inputs(self, service: str, count: int, path: str = "/") -> set[int]:
        """Indexes of batch inputs that an injected partial failure makes fail."""
        if not self.active or count <= 0:
            return set()
        with self.lock:
            cfg = self.config
            rate = cfg.get("partial_rate", 0) if cfg else 0
            if not rate or not self._applies(cfg, service, path):
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
            at = self.clock.now() + timedelta(seconds=seconds)
            if at.microsecond:
                at = at.replace(microsecond=0) + timedelta(seconds=1)
            return {"Retry-After": iso_z(at)}
        return {}
