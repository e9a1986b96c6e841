"""Access tokens as the clients see them: something that hands out a valid bearer token.

The clients ask `access_token()` before each call and `invalidate()` when the service refused a
token. Implementations that persist tokens (per linked account) live in services/tokens.py.
"""

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from django.utils import timezone


class TokenSource(Protocol):
    def access_token(self) -> str: ...

    def invalidate(self, token: str) -> None: ...


class StaticToken:
    """A token that does not expire (HubSpot private apps)."""

    def __init__(self, token: str):
        self._token = token

    def access_token(self) -> str:
        return self._token

    def invalidate(self, token: str) -> None:
        pass

    def __repr__(self):
        return "StaticToken([redacted])"


class CachedToken:
    """Keeps one token in memory and asks `fetch` for a new one shortly before it expires.

    `fetch` returns (token, expires_at). One thread fetches; the others wait and reuse.
    """

    def __init__(self, fetch: Callable[[], tuple[str, datetime]], *,
                 margin: timedelta = timedelta(seconds=60)):
        self._fetch = fetch
        self._margin = margin
        self._token = ""
        self._expires_at: datetime | None = None
        self._lock = threading.Lock()

    def _fresh(self) -> bool:
        return bool(self._token and self._expires_at
                    and self._expires_at - self._margin > timezone.now())

    def access_token(self) -> str:
        if self._fresh():
            return self._token
        with self._lock:
            if not self._fresh():
                self._token, self._expires_at = self._fetch()
            return self._token

    def invalidate(self, token: str) -> None:
        with self._lock:
            if token == self._token:
                self._token, self._expires_at = "", None

    def __repr__(self):
        return f"CachedToken(expires_at={self._expires_at!r})"
