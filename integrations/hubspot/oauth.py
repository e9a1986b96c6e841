"""HubSpot's OAuth endpoints (/oauth/v1/...): HTTP only, no models."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlencode

from django.conf import settings
from django.utils import timezone

from ..errors import AuthenticationFailed, InvalidGrant, InvalidRequest
from ..http import JsonApi


@dataclass(frozen=True)
class HubSpotTokens:
    access_token: str
    refresh_token: str
    expires_at: datetime

    def __repr__(self):
        return f"HubSpotTokens(expires_at={self.expires_at!r})"



class HubSpotOAuth(JsonApi):
    service_name = "HubSpot"

    def __init__(self, *, client_id: str, client_secret: str, base_url: str | None = None,
                 **kw):
        super().__init__(base_url=base_url or settings.HUBSPOT_API_BASE_URL, **kw)
        self.client_id = client_id
        self._client_secret = client_secret

    def __repr__(self):
        return f"HubSpotOAuth(client_id={self.client_id!r})"

    def _error_details(self, response):
        try:
            body = response.json()
        except ValueError:
            return response.text[:300], None
        return body.get("message", response.text[:300]), body.get("status") or body.get(
            "category")

    def _token(self, form: dict) -> HubSpotTokens:
        form = {**form, "client_id": self.client_id, "client_secret": self._client_secret}
        try:
            data = self.request("POST", "/oauth/v1/token", data=form, authenticated=False,
                                pace=False)
        except (AuthenticationFailed, InvalidRequest) as exc:
            if exc.code in ("BAD_REFRESH_TOKEN", "BAD_AUTH_CODE", "invalid_grant"):
                raise InvalidGrant(exc.message, status=exc.status, code=exc.code) from None
            raise AuthenticationFailed(
                f"HubSpot refused the app credentials: {exc.message}",
                status=exc.status, code=exc.code,
            ) from None
        return HubSpotTokens(
            access_token=data["access_token"], refresh_token=data.get("refresh_token", ""),
            expires_at=timezone.now() + timedelta(seconds=int(data.get("expires_in", 1800))),
        )

    def authorization_code(self, *, code: str, redirect_uri: str) -> HubSpotTokens:
        return self._token({"grant_type": "authorization_code", "code": code,
                            "redirect_uri": redirect_uri})

    def refresh(self, *, refresh_token: str) -> HubSpotTokens:
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def token_info(self, *, access_token: str) -> dict:
        """hub_id, app_id, scopes… of an access token (its path segment is never logged)."""
        return self.request("GET", f"/oauth/v1/access-tokens/{quote(access_token, safe='')}",
                            authenticated=False, pace=False)

    def authorize_url(self, *, redirect_uri: str, state: str, scopes: str) -> str:
        query = urlencode({"client_id": self.client_id, "redirect_uri": redirect_uri,
                           "scope": scopes, "state": state})
        return f"{settings.HUBSPOT_AUTHORIZE_URL}?{query}"
