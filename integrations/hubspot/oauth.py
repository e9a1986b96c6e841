"""HubSpot's OAuth endpoints (/oauth/v1/...): HTTP only, no models."""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode

from django.conf import settings

from ..auth import OAuthTokenEndpoint


@dataclass(frozen=True)
class HubSpotTokens:
    access_token: str
    refresh_token: str
    expires_at: datetime

    def __repr__(self):
        return f"HubSpotTokens(expires_at={self.expires_at!r})"


class HubSpotOAuth(OAuthTokenEndpoint):
    service_name = "HubSpot"
    token_path = "/oauth/v1/token"
    invalid_grant_codes = frozenset({"BAD_REFRESH_TOKEN", "BAD_AUTH_CODE", "invalid_grant"})
    default_lifetime_s = 1800

    def __init__(self, *, client_id: str, client_secret: str, base_url: str | None = None,
                 **kw):
        super().__init__(client_id=client_id, client_secret=client_secret,
                         base_url=base_url or settings.HUBSPOT_API_BASE_URL, **kw)

    def _error_details(self, response):
        try:
            body = response.json()
        except ValueError:
            return response.text[:300], None
        return body.get("message", response.text[:300]), body.get("status") or body.get(
            "category")

    def _post_token_form(self, form: dict) -> dict:
        # HubSpot takes the app's credentials in the form itself
        form = {**form, "client_id": self.client_id, "client_secret": self._client_secret}
        return self.request("POST", self.token_path, data=form, authenticated=False,
                            pace=False)

    def _tokens(self, data: dict) -> HubSpotTokens:
        return HubSpotTokens(access_token=data["access_token"],
                             refresh_token=data.get("refresh_token", ""),
                             expires_at=self._expires_at(data))

    def token_info(self, *, access_token: str) -> dict:
        """hub_id, app_id, scopes… of an access token (its path segment is never logged)."""
        return self.request("GET", f"/oauth/v1/access-tokens/{quote(access_token, safe='')}",
                            authenticated=False, pace=False)

    def authorize_url(self, *, redirect_uri: str, state: str, scopes: str) -> str:
        query = urlencode({"client_id": self.client_id, "redirect_uri": redirect_uri,
                           "scope": scopes, "state": state})
        return f"{settings.HUBSPOT_AUTHORIZE_URL}?{query}"
