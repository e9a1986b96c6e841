"""Small shared pieces: replies, service errors, time formatting, request object.

Nothing here reads the time: "now" is the world's clock (``clock.py``)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qsl


@dataclass
class Reply:
    """What a handler returns: an HTTP status, a JSON-able body (or None) and extra headers."""

    status: int = 200
    body: object = None
    headers: dict = field(default_factory=dict)
    content_type: str = "application/json"
    raw: bytes | None = None  # pre-encoded body (non-JSON pages)
    fault: str | None = None  # set on answers made up by an injected fault (not recorded)


class ZoomError(Exception):
    """A Zoom API error: ``{"code": <int>, "message": "..."}``."""

    def __init__(self, status: int, code: int, message: str, *, headers: dict | None = None,
                 **extra):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extra = extra


class ZoomOAuthError(Exception):
    """An error of Zoom's OAuth endpoint: ``{"reason": "...", "error": "..."}``."""

    def __init__(self, status: int, error: str, reason: str):
        super().__init__(reason)
        self.status = status
        self.error = error
        self.reason = reason


class HubSpotError(Exception):
    """A HubSpot API error (``status/message/correlationId/category``)."""

    def __init__(self, status: int, category: str, message: str, *,
                 headers: dict | None = None, **extra):
        super().__init__(message)
        self.status = status
        self.category = category
        self.message = message
        self.headers = headers or {}
        self.extra = extra


class ControlError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class BadJson(Exception):
    """The request body is not valid JSON (each service maps it to its own error shape)."""


@dataclass
class Request:
    service: str  # "zoom" | "hubspot" | "control"
    method: str
    path: str  # service-relative, raw (still percent-encoded)
    template: str  # service-relative route template, e.g. "/v2/webinars/{webinarId}"
    params: dict  # decoded path parameters
    query: dict  # first value of each query parameter
    headers: dict  # lower-cased header names
    raw_body: bytes
    world: object
    _json: object = None
    _json_loaded: bool = False

    def json(self):
        """The body parsed as JSON (None when empty). Raises BadJson."""
        if not self._json_loaded:
            self._json_loaded = True
            if not self.raw_body.strip():
                self._json = None
            else:
                try:
                    self._json = json.loads(self.raw_body.decode("utf-8"))
                except (UnicodeDecodeError, ValueError) as exc:
                    raise BadJson(str(exc)) from exc
        return self._json

    def form(self) -> dict:
        """The body parsed as ``application/x-www-form-urlencoded``."""
        try:
            text = self.raw_body.decode("utf-8")
        except UnicodeDecodeError:
            return {}
        return dict(parse_qsl(text, keep_blank_values=True))

    def bearer(self) -> str | None:
        auth = self.headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            return auth[7:].strip()
        return None


def iso_z(dt: datetime | None) -> str:
    """Zoom style: ``2024-05-01T12:00:00Z``."""
    if dt is None:
        return ""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(dt: datetime | None) -> str | None:
    """HubSpot style: ``2024-05-01T12:00:00.123Z``."""
    if dt is None:
        return None
    dt = dt.astimezone(UTC)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")


def parse_iso(value) -> datetime | None:
    """Parse an ISO-8601 string (``Z`` allowed) or epoch milliseconds; None when invalid."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value / 1000.0, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not _ISO_RE.match(value.strip()):
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt


def epoch_ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)
