"""Zoom's OAuth endpoints (https://zoom.us/oauth/...): HTTP only, no models."""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings

from ..auth import OAuthTokenEndpoint
from ..errors import AuthenticationFailed


@dataclass(frozen=True)
class ZoomTokens:
    access_token: str
    expires_at: datetime
    refresh_token: str = ""
    api_url: str = ""

    def __repr__(self):
        return f"ZoomTokens(expires_at={self.expires_at!r}, api_url={self.api_url!r})"


class ZoomOAuth(OAuthTokenEndpoint):
    service_name = "Zoom"
    token_path = "/oauth/token"

    def __init__(self, *, client_id: str, client_secret: str, base_url: str | None = None,
                 **kw):
        super().__init__(client_id=client_id, client_secret=client_secret,
                         base_url=base_url or settings.ZOOM_OAUTH_BASE_URL, **kw)

    def _error_details(self, response):
        try:
            body = response.json()
        except ValueError:
            return response.text[:300], None
        return body.get("reason") or body.get("message", ""), body.get("error")

    def _post_token_form(self, form: dict) -> dict:
        # Zoom takes the app's credentials as HTTP Basic auth
        return self.request("POST", self.token_path, data=form,
                            auth=(self.client_id, self._client_secret),
                            authenticated=False, pace=False)

    def _tokens(self, data: dict) -> ZoomTokens:
        api_url = (data.get("api_url") or "").rstrip("/")
        return ZoomTokens(
            access_token=data["access_token"], expires_at=self._expires_at(data),
            refresh_token=data.get("refresh_token", ""),
            api_url=f"{api_url}/v2" if api_url else "",
        )

    def account_credentials(self, *, account_id: str) -> ZoomTokens:
        """Server-to-Server OAuth: a new token for the account (there is no refresh token)."""
        try:
            return self._tokens(self._grant({"grant_type": "account_credentials",
                                             "account_id": account_id}))
        except AuthenticationFailed as exc:
            raise exc.with_message(
                "Zoom rejected the Server-to-Server credentials (account id, client id or "
                f"client secret): {exc.said()}") from None

    def revoke(self, *, token: str) -> None:
        self.request("POST", "/oauth/revoke", params={"token": token},
                     auth=(self.client_id, self._client_secret), authenticated=False,
                     pace=False)

    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        query = urlencode({"response_type": "code", "client_id": self.client_id,
                           "redirect_uri": redirect_uri, "state": state})
        return f"{self.base_url}/oauth/authorize?{query}"
