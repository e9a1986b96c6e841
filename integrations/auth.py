"""What the Zoom and HubSpot clients share about authentication.

`BearerTokenApi`: an API called with `Authorization: Bearer <token>` from a token source, that
drops a refused token and tries once more with a fresh one. `OAuthTokenEndpoint`: an OAuth
token endpoint (authorization code, refresh), whose refusals are told apart: a dead grant
(`InvalidGrant`, a person must connect again) versus wrong app credentials.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from .errors import AuthenticationFailed, IntegrationError, InvalidGrant, InvalidRequest
from .http import JsonApi
from .tokens import TokenSource


class BearerTokenApi(JsonApi):
    def __init__(self, *, tokens: TokenSource, **kw):
        super().__init__(**kw)
        self.tokens = tokens
        self._last_token = ""

    def _auth_headers(self):
        self._last_token = self.tokens.access_token()
        # header names are case-insensitive: a re-cased name is the same request
        return {"Authorization": f"Bearer {self._last_token}"}  # pragma: no mutate

    def _token_refused(self, response) -> bool:
        """Whether this 401 means "this token is no longer good" (worth one fresh token).
        A Zoom token can be revoked or expire early: any 401 is worth one fresh token."""
        return True

    def _on_auth_failure(self, response) -> bool:
        if not self._token_refused(response):
            return False
        self.tokens.invalidate(self._last_token)
        return True


class OAuthTokenEndpoint(JsonApi):
    """One OAuth app's token endpoint. Subclasses say where it is, how the app's credentials
    travel, and what the answer looks like."""

    token_path = ""
    # The service's error codes that mean "this code or refresh token is dead".
    invalid_grant_codes: frozenset[str] = frozenset({"invalid_grant"})
    default_lifetime_s = 3600

    def __init__(self, *, client_id: str, client_secret: str, base_url: str, **kw):
        super().__init__(base_url=base_url, **kw)
        self.client_id = client_id
        self._client_secret = client_secret

    def __repr__(self):
        return f"{type(self).__name__}(client_id={self.client_id!r})"

    def _post_token_form(self, form: dict) -> dict:
        raise NotImplementedError

    def _grant(self, form: dict) -> dict:
        """The token endpoint's answer to one grant, or the typed refusal."""
        try:
            data = self._post_token_form(form)
        except (AuthenticationFailed, InvalidRequest) as exc:
            if exc.code in self.invalid_grant_codes:
                raise exc.with_message(exc.message, InvalidGrant) from None
            raise exc.with_message(
                f"{self.service_name} refused the app credentials: {exc.message}",
                AuthenticationFailed) from None
        if "access_token" not in data:
            raise IntegrationError(
                f"{self.service_name}'s token endpoint answered without an access token.",
                service=self.service_name)
        return data

    def _expires_at(self, data: dict) -> datetime:
        return timezone.now() + timedelta(
            seconds=int(data.get("expires_in", self.default_lifetime_s)))

    def _tokens(self, data: dict):
        raise NotImplementedError

    def authorization_code(self, *, code: str, redirect_uri: str):
        return self._tokens(self._grant({"grant_type": "authorization_code", "code": code,
                                         "redirect_uri": redirect_uri}))

    def refresh(self, *, refresh_token: str):
        """New tokens for a refresh token (Zoom also replaces the refresh token itself)."""
        return self._tokens(self._grant({"grant_type": "refresh_token",
                                         "refresh_token": refresh_token}))
