"""Every error the product raises about linked services, in one place.

Each error carries what a caller may need to decide on as fields — which service, the HTTP
status, the service's own error code and the service's own words — so no caller ever parses a
message. `message` is written for the person reading a failed sync run in the admin: what
failed, where, and what to do. None of them contains a token or a secret.
"""


class IntegrationError(Exception):
    """Base class for everything that can go wrong talking to Zoom or HubSpot."""

    def __init__(self, message: str, *, service: str = "", status: int | None = None,
                 code: str | None = None, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.service = service  # "Zoom", "HubSpot" or "" when no service answered
        self.status = status  # the HTTP status the service answered with
        self.code = code  # the service's own error code or category
        self.detail = detail  # what the service said, in its words

    def said(self) -> str:
        """ "Zoom answered “Invalid client_id or client_secret” (HTTP 401)." for a person;
        the message itself when no service answered."""
        if self.service and self.status and self.detail:
            return f"{self.service} answered “{self.detail.rstrip('. ')}” (HTTP {self.status})."
        message = self.message.strip()
        return message if message.endswith((".", "?", "!")) else f"{message}."

    def with_message(self, message: str, cls: type["IntegrationError"] | None = None):
        """The same failure (service, status, code, detail), told differently."""
        return (cls or type(self))(message, service=self.service, status=self.status,
                                   code=self.code, detail=self.detail)


class NotConfigured(IntegrationError):
    """A required account, portal or setting is missing."""


class ServiceUnreachable(IntegrationError):
    """Connection refused, DNS failure or timeout."""


class AuthenticationFailed(IntegrationError):
    """Credentials or token rejected (HTTP 401, invalid_client, invalid_grant)."""


class InvalidGrant(AuthenticationFailed):
    """A refresh token or code the service no longer accepts: a person must connect again."""


class ReconnectNeeded(AuthenticationFailed):
    """The stored grant of a linked account is refused for good: a person must connect again.

    `reason` is the why alone ("Zoom no longer accepts its refresh token (…)."), kept on the
    account for the reconnect banner."""

    def __init__(self, message: str, *, reason: str = "", **kw):
        super().__init__(message, **kw)
        self.reason = reason


class MissingScope(IntegrationError):
    """The app lacks a permission the call needs (HTTP 403)."""


class NotFound(IntegrationError):
    pass


class InvalidRequest(IntegrationError):
    """The service rejected our input (HTTP 400/409/422)."""


class RegistrationNotEnabled(InvalidRequest):
    """The webinar takes no registration (Zoom's "No registration required"): Zoom refuses
    its registrant calls with code 3000. Not a failure: it simply has no registrants."""


class BatchErrors(InvalidRequest):
    """Some inputs of a batch call failed for good; `failed_ids` names them."""

    def __init__(self, message, *, errors, results, failed_ids=(), **kw):
        super().__init__(message, **kw)
        self.errors = errors
        self.results = results
        self.failed_ids = set(failed_ids)


class RateLimited(IntegrationError):
    def __init__(self, message: str, *, retry_after: float | None = None, **kw):
        super().__init__(message, **kw)
        self.retry_after = retry_after


class TransientError(IntegrationError):
    """5xx from the service after retries."""


class OutcomeUnknown(TransientError):
    """A write that must not be applied twice was sent, and no answer says whether the service
    applied it (the connection dropped or timed out after sending, or a 5xx). Whoever sent it
    finds out what the service has before sending it again."""


class OAuthFlowError(IntegrationError):
    """A connect flow that cannot finish; the message is meant for the admin user."""


class SecretUnreadable(Exception):
    """A stored secret could not be decrypted: FIELD_ENCRYPTION_KEY changed without rotation.

    Not an IntegrationError: no service is involved, and nothing a retry could fix."""


def error_for_status(status: int) -> type[IntegrationError]:
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
