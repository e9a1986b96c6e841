"""Typed errors raised by the Zoom and HubSpot clients.

Messages are written for the person reading a failed sync run in the admin: what failed, where,
and what to do. They never contain tokens or secrets.
"""


class IntegrationError(Exception):
    """Base class for everything that can go wrong talking to Zoom or HubSpot."""

    service = ""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code


class NotConfigured(IntegrationError):
    """A required account, portal or setting is missing."""


class ServiceUnreachable(IntegrationError):
    """Connection refused, DNS failure or timeout."""


class AuthenticationFailed(IntegrationError):
    """Credentials or token rejected (HTTP 401, invalid_client, invalid_grant)."""


class InvalidGrant(AuthenticationFailed):
    """A refresh token or code the service no longer accepts: a person must connect again."""


class MissingScope(IntegrationError):
    """The app lacks a permission the call needs (HTTP 403)."""


class NotFound(IntegrationError):
    pass


class InvalidRequest(IntegrationError):
    """The service rejected our input (HTTP 400/409/422)."""


class RateLimited(IntegrationError):
    def __init__(self, message: str, *, retry_after: float | None = None, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class TransientError(IntegrationError):
    """5xx from the service after retries."""


def error_for_status(
    status: int, message: str, *, code: str | None = None
) -> type[IntegrationError]:
    if status == 401:
        return AuthenticationFailed
    if status == 403:
        return MissingScope
    if status == 404:
        return NotFound
    if status == 429:
        return RateLimited
    if status >= 500:
        return TransientError
    return InvalidRequest
