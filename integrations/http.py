"""The HTTP plumbing both clients share: pooled session, pacing, retries, timeouts, logging.

Retries cover 429, 5xx, connection errors and timeouts, with exponential backoff and full
jitter, honouring Retry-After given as seconds, as milliseconds (Retry-After-Ms) or as a date
(ISO-8601, as Zoom's daily limit sends it, or HTTP-date). A wait longer than
API_MAX_RETRY_WAIT_S is not slept through: the call fails with RateLimited so the sync run
says when to come back.

A write that is not safe to send twice (``replay_safe=False``) is retried only when the service
cannot have applied it (no connection made, or a 429); when it may have been applied and no
answer says so — the connection dropped or timed out after sending, or a 5xx — the call fails
at once with OutcomeUnknown, and the caller finds out what the service has before sending again.
"""

import logging
import random
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError

from .errors import (
    IntegrationError,
    OutcomeUnknown,
    RateLimited,
    ServiceUnreachable,
    TransientError,
    error_for_status,
)

logger = logging.getLogger("integrations.http")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
BACKOFF_CAP_S = 30.0
# Path segments that are themselves secrets (HubSpot's token-info endpoint).
_SECRET_PATH = re.compile(r"(/access-tokens/)[^/?]+")


def redact_path(path: str) -> str:
    return _SECRET_PATH.sub(r"\1[redacted]", path)


# Not mutated: pool sizes and where the adapter is mounted change how fast, not what, is sent;
# requests' adapters never retry by themselves (max_retries=0 is their default too).
def build_session() -> requests.Session:  # pragma: no mutate block
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=0, pool_connections=4, pool_maxsize=16)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def parse_retry_after(headers) -> float | None:
    """Seconds to wait, from Retry-After-Ms, or Retry-After as seconds or a date."""
    millis = headers.get("Retry-After-Ms")
    if millis:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = (headers.get("Retry-After") or "").strip()  # pragma: no mutate (any non-time: None)
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = datetime.fromisoformat(value)  # ISO-8601, "Z" included
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def never_sent(exc: requests.RequestException) -> bool:
    """True when the request cannot have reached the service: the connection was never made."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    # requests always gives urllib3's error as the first argument; the guard is for the rest
    reason = getattr(exc.args[0], "reason", None) if exc.args else None  # pragma: no mutate
    return isinstance(reason, NewConnectionError)


def backoff_delay(attempt: int) -> float:
    """Full jitter: a random wait up to base·2^attempt, capped."""
    return random.uniform(0, min(BACKOFF_CAP_S, settings.API_RETRY_BACKOFF_S * (2 ** attempt)))


class JsonApi:
    """Sends a request and returns parsed JSON, or raises a typed IntegrationError."""

    service_name = "API"

    def __init__(self, *, base_url: str, session: requests.Session | None = None,
                 timeout: float | None = None, max_retries: int | None = None,
                 max_retry_wait_s: float | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        self.base_url = base_url.rstrip("/")  # pragma: no mutate (no base URL ends in X)
        self.session = session or build_session()
        self.timeout = timeout or settings.API_TIMEOUT_S
        self.max_retries = settings.API_MAX_RETRIES if max_retries is None else max_retries
        self.max_retry_wait_s = (settings.API_MAX_RETRY_WAIT_S if max_retry_wait_s is None
                                 else max_retry_wait_s)
        self.sleep = sleep  # how a retry waits (replaceable, e.g. to see the waits asked for)
        self.stats = {"requests": 0, "retries": 0, "rate_limited": 0, "paced_s": 0.0}

    # hooks for the service clients
    def _auth_headers(self) -> dict:
        return {}

    def _pace(self, method: str, path: str) -> None:
        pass

    def _error_details(self, response: requests.Response) -> tuple[str, str | None]:
        return response.text[:300], None  # pragma: no mutate (a length for humans)

    def _gives_up(self, response: requests.Response) -> str:
        """A reason not to retry this 429/5xx at all (e.g. a daily quota), or ""."""
        return ""

    def _on_auth_failure(self, response: requests.Response) -> bool:
        """Return True to retry once with fresh credentials (e.g. an expired token)."""
        # (not mutated: every client that sends credentials answers this itself)
        return False  # pragma: no mutate

    def request(self, method: str, path: str, *, params=None, json=None, data=None,
                headers=None, auth=None, url: str | None = None, authenticated: bool = True,
                pace: bool = True, replay_safe: bool = True):
        url = url or f"{self.base_url}{path}"
        shown = redact_path(path)
        attempt = 0
        auth_retried = False  # pragma: no mutate (None is as false)
        while True:
            # neither service requires Accept; a changed one is not a visible change
            all_headers = {"Accept": "application/json", **(headers or {})}  # pragma: no mutate
            if authenticated:
                all_headers.update(self._auth_headers())
            if pace:
                self._pace(method, path)
            started = time.monotonic()
            self.stats["requests"] += 1
            try:
                response = self.session.request(
                    method, url, params=params, json=json, data=data, headers=all_headers,
                    auth=auth, timeout=self.timeout,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                logger.debug("%s %s %s -> %s", self.service_name, method, shown,
                             type(exc).__name__)
                if not replay_safe and not never_sent(exc):
                    raise self._outcome_unknown(method, shown, type(exc).__name__) from None
                if attempt < self.max_retries:
                    self._sleep(backoff_delay(attempt))
                    attempt += 1
                    continue
                raise ServiceUnreachable(
                    f"Could not reach {self.service_name} at {self.base_url} "
                    f"({type(exc).__name__} after {attempt + 1} attempts). "
                    "Is the service up and the base URL right?",
                    service=self.service_name,
                ) from None
            elapsed_ms = (time.monotonic() - started) * 1000
            status = response.status_code
            logger.debug("%s %s %s -> %s in %.0f ms", self.service_name, method, shown,
                         status, elapsed_ms)
            if status == 401 and authenticated and not auth_retried \
                    and self._on_auth_failure(response):
                auth_retried = True
                continue
            if status >= 500 and not replay_safe:
                raise self._outcome_unknown(method, shown, f"HTTP {status}", status=status)
            if status in RETRY_STATUSES:
                retry_after = parse_retry_after(response.headers)
                if status == 429:
                    self.stats["rate_limited"] += 1
                wait = retry_after if retry_after is not None else backoff_delay(attempt)
                give_up = self._gives_up(response)
                if not give_up and attempt < self.max_retries and wait <= self.max_retry_wait_s:
                    self._sleep(wait)
                    attempt += 1
                    continue
                message, code = self._error_details(response)
                cls = RateLimited if status == 429 else TransientError
                extra = {"retry_after": retry_after} if cls is RateLimited else {}
                raise cls(
                    f"{self.service_name} {method} {shown} failed with HTTP {status} "
                    f"after {attempt + 1} attempt(s): {message}"
                    + (f" (retry after {retry_after:.0f} s)" if retry_after else "")
                    + (f" {give_up}" if give_up else ""),
                    service=self.service_name, status=status, code=code, detail=message,
                    **extra,
                )
            if status >= 400:
                message, code = self._error_details(response)
                raise error_for_status(status)(
                    f"{self.service_name} {method} {shown} failed with HTTP {status}: "
                    f"{message}",
                    service=self.service_name, status=status, code=code, detail=message,
                )
            if not response.content:  # a 204 has none
                return {}
            try:
                return response.json()
            except ValueError:
                raise IntegrationError(
                    f"{self.service_name} {method} {shown} answered HTTP {status} with a body "
                    "that is not JSON; is the base URL right?",
                    service=self.service_name, status=status,
                ) from None

    def _outcome_unknown(self, method: str, shown: str, what: str,
                         status: int | None = None) -> OutcomeUnknown:
        return OutcomeUnknown(
            f"{self.service_name} {method} {shown} got no answer that says whether it was "
            f"applied ({what}).", service=self.service_name, status=status)

    def pause_before_retry(self, attempt: int) -> None:
        """The wait before attempt `attempt + 1` of something the caller retries itself."""
        self._sleep(backoff_delay(attempt))

    def _sleep(self, seconds: float) -> None:
        self.stats["retries"] += 1
        self.sleep(seconds)
