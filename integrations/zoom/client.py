"""Zoom REST API client: Server-to-Server OAuth tokens, pagination, typed errors.

Knows nothing about our models; the caller hands it a token cache to persist tokens.
"""

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from urllib.parse import quote

from django.conf import settings

from ..errors import AuthenticationFailed, InvalidRequest, NotFound
from ..http import JsonApi

PAGE_SIZE = 300
# Fetch a new token this long before the old one expires, so no call goes out with a stale one.
TOKEN_REFRESH_MARGIN = timedelta(seconds=60)


class TokenCache(Protocol):
    def load(self) -> tuple[str, datetime | None]: ...

    def save(self, token: str, expires_at: datetime | None) -> None: ...


class MemoryTokenCache:
    def __init__(self):
        self.token, self.expires_at = "", None

    def load(self):
        return self.token, self.expires_at

    def save(self, token, expires_at):
        self.token, self.expires_at = token, expires_at


@dataclass(frozen=True)
class ZoomCredentials:
    account_id: str
    client_id: str
    client_secret: str

    def __repr__(self):  # never print the secret
        return f"ZoomCredentials(account_id={self.account_id!r}, client_id={self.client_id!r})"


def encode_uuid(uuid: str) -> str:
    """Zoom wants a UUID that starts with '/' or contains '//' URL-encoded twice in a path."""
    once = quote(uuid, safe="")
    if uuid.startswith("/") or "//" in uuid:
        return quote(once, safe="")
    return once


class ZoomClient(JsonApi):
    service_name = "Zoom"

    def __init__(self, *, credentials: ZoomCredentials, token_cache: TokenCache | None = None,
                 oauth_base_url: str | None = None, api_base_url: str | None = None, **kw):
        super().__init__(base_url=api_base_url or settings.ZOOM_API_BASE_URL, **kw)
        self.oauth_base_url = (oauth_base_url or settings.ZOOM_OAUTH_BASE_URL).rstrip("/")
        self.credentials = credentials
        self.token_cache = token_cache or MemoryTokenCache()
        self._lock = threading.Lock()

    # --- auth -------------------------------------------------------------------------------

    def fetch_token(self) -> tuple[str, datetime]:
        try:
            data = self.request(
                "POST", "/oauth/token", url=f"{self.oauth_base_url}/oauth/token",
                data={"grant_type": "account_credentials",
                      "account_id": self.credentials.account_id},
                auth=(self.credentials.client_id, self.credentials.client_secret),
                authenticated=False,
            )
        except (AuthenticationFailed, InvalidRequest) as exc:
            raise AuthenticationFailed(
                "Zoom rejected the Server-to-Server credentials (account id, client id or "
                f"client secret): {exc.message}", status=exc.status, code=exc.code,
            ) from None
        expires_at = datetime.now(UTC) + timedelta(seconds=int(data["expires_in"]))
        return data["access_token"], expires_at

    def access_token(self) -> str:
        with self._lock:
            token, expires_at = self.token_cache.load()
            now = datetime.now(UTC)
            if token and expires_at and expires_at - TOKEN_REFRESH_MARGIN > now:
                return token
            token, expires_at = self.fetch_token()
            self.token_cache.save(token, expires_at)
            return token

    def _auth_headers(self):
        return {"Authorization": f"Bearer {self.access_token()}"}

    def request(self, method, path, **kw):
        try:
            return super().request(method, path, **kw)
        except AuthenticationFailed:
            if not kw.get("authenticated", True):
                raise
            # A cached token can be revoked before it expires: fetch a fresh one, try once more.
            self.token_cache.save("", None)
            return super().request(method, path, **kw)

    def _error_details(self, response):
        try:
            body = response.json()
        except ValueError:
            return response.text[:300], None
        if "reason" in body:  # the OAuth endpoint's error shape
            return body.get("reason", ""), body.get("error")
        code = body.get("code")
        return body.get("message", response.text[:300]), str(code) if code is not None else None

    # --- pagination ------------------------------------------------------------------------

    def paginate(self, path: str, key: str, params: dict | None = None,
                 page_size: int = PAGE_SIZE) -> Iterator[list[dict]]:
        """Yields one page (list of items) at a time until next_page_token is empty."""
        params = dict(params or {}, page_size=page_size)
        while True:
            data = self.get(path, params=params)
            yield data.get(key) or []
            token = data.get("next_page_token")
            if not token:
                return
            params["next_page_token"] = token

    def get(self, path, params=None):
        return self.request("GET", path, params=params)

    # --- endpoints -------------------------------------------------------------------------

    def check(self) -> dict:
        """A cheap call that proves the credentials work."""
        return self.get("/users", params={"page_size": 1})

    def iter_users(self) -> Iterator[dict]:
        for page in self.paginate("/users", "users", page_size=300):
            yield from page

    def iter_user_webinars(self, user_id: str) -> Iterator[dict]:
        path = f"/users/{quote(user_id, safe='')}/webinars"
        for page in self.paginate(path, "webinars", {"type": "scheduled"}):
            yield from page

    def get_webinar(self, webinar_id: str) -> dict:
        return self.get(f"/webinars/{webinar_id}", params={"show_previous_occurrences": "true"})

    def iter_registrant_pages(self, webinar_id: str, status: str) -> Iterator[list[dict]]:
        yield from self.paginate(
            f"/webinars/{webinar_id}/registrants", "registrants", {"status": status}
        )

    def list_past_instances(self, webinar_id: str) -> list[dict]:
        try:
            return self.get(f"/past_webinars/{webinar_id}/instances").get("webinars") or []
        except NotFound:
            return []

    def get_webinar_report(self, uuid: str) -> dict | None:
        try:
            return self.get(f"/report/webinars/{encode_uuid(uuid)}")
        except NotFound:
            return None

    def iter_participant_pages(self, uuid: str) -> Iterator[list[dict]]:
        yield from self.paginate(f"/past_webinars/{encode_uuid(uuid)}/participants", "participants")

    def iter_past_webinar_pages(self, *, date_from: str, date_to: str) -> Iterator[list[dict]]:
        """Held webinar sessions that started between two dates (YYYY-MM-DD, ≤ one month)."""
        yield from self.paginate("/report/history_meetings", "history_meetings", {
            "from": date_from, "to": date_to, "meeting_type": "webinar",
            "date_type": "start_time",
        })
