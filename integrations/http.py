"""The HTTP plumbing both clients share: one pooled session, retries, timeouts, logging."""

import logging
import time

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .errors import IntegrationError, ServiceUnreachable, error_for_status

logger = logging.getLogger("integrations.http")

RETRY_STATUSES = (429, 500, 502, 503, 504)


def build_session() -> requests.Session:
    retry = Retry(
        total=5,
        connect=3,
        read=2,
        status=5,
        backoff_factor=0.5,
        backoff_jitter=0.3,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=None,  # our writes are upserts or de-duplicated by us: safe to resend
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry, pool_connections=4, pool_maxsize=8)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class JsonApi:
    """Sends a request and returns parsed JSON, or raises a typed IntegrationError."""

    service_name = "API"

    def __init__(self, *, base_url: str, session: requests.Session | None = None,
                 timeout: float | None = None):
        self.base_url = base_url.rstrip("/")
        self.session = session or build_session()
        self.timeout = timeout or settings.API_TIMEOUT_S

    def _auth_headers(self) -> dict:
        return {}

    def _error_details(self, response: requests.Response) -> tuple[str, str | None]:
        return response.text[:300], None

    def request(self, method: str, path: str, *, params=None, json=None, data=None,
                headers=None, auth=None, url: str | None = None, authenticated: bool = True):
        url = url or f"{self.base_url}{path}"
        all_headers = {"Accept": "application/json", **(headers or {})}
        if authenticated:
            all_headers.update(self._auth_headers())
        started = time.monotonic()
        try:
            response = self.session.request(
                method, url, params=params, json=json, data=data, headers=all_headers,
                auth=auth, timeout=self.timeout,
            )
        except requests.exceptions.RetryError as exc:
            raise ServiceUnreachable(
                f"{self.service_name} kept failing at {method} {path}; gave up after retries."
            ) from exc
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise ServiceUnreachable(
                f"Could not reach {self.service_name} at {self.base_url} "
                f"({type(exc).__name__}). Is the service up and the base URL right?"
            ) from None
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.debug("%s %s %s -> %s in %.0f ms", self.service_name, method, path,
                     response.status_code, elapsed_ms)
        if response.status_code >= 400:
            message, code = self._error_details(response)
            cls = error_for_status(response.status_code, message, code=code)
            raise cls(
                f"{self.service_name} {method} {path} failed with HTTP "
                f"{response.status_code}: {message}",
                status=response.status_code, code=code,
            )
        if response.status_code == 204 or not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise IntegrationError(
                f"{self.service_name} {method} {path} answered HTTP {response.status_code} "
                "with a body that is not JSON; is the base URL right?",
                status=response.status_code,
            ) from None
