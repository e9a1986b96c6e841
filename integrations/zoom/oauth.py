"""Zoom's OAuth endpoints (https://zoom.us/oauth/...): HTTP only, no models."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone

from ..errors import AuthenticationFailed, IntegrationError, InvalidGrant, InvalidRequest
from ..http import JsonApi


@dataclass(frozen=True)
class ZoomTokens:
    access_token: str
    expires_at: datetime
    refresh_token: str = ""
    api_url: str = ""

    def __repr__(self):
        return f"ZoomTokens(expires_at={self.expires_at!r}, api_url={self.api_url!r})"



class ZoomOAuth(JsonApi):
    service_name = "Zoom"

    def __init__(self, *, client_id: str, client_secret: str, base_url: str | None = None,
                 **kw):
        super().__init__(base_url=base_url or settings.ZOOM_OAUTH_BASE_URL, **kw)
        self.client_id = client_id
        self._client_secret = client_secret

    def __repr__(self):
        return f"ZoomOAuth(client_id={self.client_id!r})"

    def _error_details(self, response):
        try:
            body = response.json()
        except ValueError:
            return response.text[:300], None
        return body.get("reason") or body.get("message", ""), body.get("error")

    def _token(self, form: dict) -> ZoomTokens:
        try:
            data = self.request("POST", "/oauth/token", data=form,
                                auth=(self.client_id, self._client_secret),
                                authenticated=False, pace=False)
        except (AuthenticationFailed, InvalidRequest) as exc:
            if exc.code == "invalid_grant":
                raise InvalidGrant(exc.message, status=exc.status, code=exc.code) from None
            raise AuthenticationFailed(
                f"Zoom refused the app credentials: {exc.message}",
                status=exc.status, code=exc.code,
            ) from None
        if "access_token" not in data:
            raise IntegrationError("Zoom's token endpoint answered without an access token.")
        api_url = (data.get("api_url") or "").rstrip("/")
        return ZoomTokens(
            access_token=data["access_token"],
            expires_at=timezone.now() + timedelta(seconds=int(data.get("expires_in", 3600))),
            refresh_token=data.get("refresh_token", ""),
            api_url=f"{api_url}/v2" if api_url else "",
        )

    def account_credentials(self, *, account_id: str) -> ZoomTokens:
        """Server-to-Server OAuth: a new token for the account (there is no refresh token)."""
        try:
            return self._token({"grant_type": "account_credentials", "account_id": account_id})
        except AuthenticationFailed as exc:
            raise AuthenticationFailed(
                "Zoom rejected the Server-to-Server credentials (account id, client id or "
                f"client secret): {exc.message.removeprefix('Zoom refused the app credentials: ')}",
                status=exc.status, code=exc.code,
            ) from None

    def authorization_code(self, *, code: str, redirect_uri: str) -> ZoomTokens:
        return self._token({"grant_type": "authorization_code", "code": code,
                            "redirect_uri": redirect_uri})

    def refresh(self, *, refresh_token: str) -> ZoomTokens:
        """Returns a new access token AND a new refresh token; the old one is dead from now."""
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def revoke(self, *, token: str) -> None:
        self.request("POST", "/oauth/revoke", params={"token": token},
                     auth=(self.client_id, self._client_secret), authenticated=False,
                     pace=False)

    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        query = urlencode({"response_type": "code", "client_id": self.client_id,
                           "redirect_uri": redirect_uri, "state": state})
        return f"{self.base_url}/oauth/authorize?{query}"
