"""Access tokens as the clients see them: something that hands out a valid bearer token.

The clients ask `access_token()` before each call and `invalidate()` when the service refused a
token. Implementations that persist tokens (per linked account) live in services/tokens.py.
"""

from typing import Protocol


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
