"""Routing: every service's route table, path splitting (with Zoom's double-encoded UUIDs) and
matching a request to a route."""

from __future__ import annotations

import re
from urllib.parse import unquote

from .common import ZoomError
from .control import routes as control_routes
from .hubspot import routes as hubspot_routes
from .zoom import routes as zoom_routes
from .zoom.routes import rate_limit_category

_PCT = re.compile(r"%[0-9A-Fa-f]{2}")
SERVICES = (("zoom", "/zoom"), ("hubspot", "/hubspot"), ("control", "/_sandbox"))


class Route:
    __slots__ = ("method", "template", "segments", "handler", "auth", "category", "is_oauth")

    def __init__(self, method, template, handler, auth, category=None):
        self.method = method
        self.template = template
        self.segments = [
            (s[1:-1], True) if s.startswith("{") and s.endswith("}") else (s, False)
            for s in template.strip("/").split("/")
        ]
        self.handler = handler
        self.auth = auth
        self.category = category  # Zoom rate-limit category ("Light", ...) or None
        self.is_oauth = template.startswith("/oauth/")

    def match(self, segments: list[str]) -> dict | None:
        if len(segments) != len(self.segments):
            return None
        params = {}
        for (name, is_param), value in zip(self.segments, segments, strict=True):
            if is_param:
                if value == "":
                    return None
                params[name] = value
            elif name != value:
                return None
        return params


ROUTES = {
    "zoom": [Route(*r, rate_limit_category(r[0], r[1])) for r in zoom_routes.ROUTES],
    "hubspot": [Route(*r) for r in hubspot_routes.ROUTES],
    "control": [Route(*r) for r in control_routes.ROUTES],
}


def split_path(rel: str) -> tuple[list[str], list[bool]]:
    """Percent-decode each segment; decode once more when the result still has ``%XX``.

    Returns the decoded segments and, per segment, whether it was double-encoded.
    """
    raw = rel.strip("/")
    if not raw:
        return [], []
    segments, doubled = [], []
    for seg in raw.split("/"):
        once = unquote(seg)
        if _PCT.search(once):
            segments.append(unquote(once))
            doubled.append(True)
        else:
            segments.append(once)
            doubled.append(False)
    return segments, doubled


def find_route(service: str, method: str, segments: list[str]):
    """(route, params) or (None, allowed_methods)."""
    allowed = []
    for route in ROUTES[service]:
        params = route.match(segments)
        if params is None:
            continue
        if route.method == method:
            return route, params
        allowed.append(route.method)
    return None, allowed


# path parameters that may be a held session's UUID, and what Zoom calls the thing
_UUID_PARAMS = {"webinarId": "Webinar", "meetingId": "Meeting"}


def check_zoom_uuid_encoding(route: Route, segments: list[str], doubled: list[bool]) -> None:
    """Like Zoom: a UUID that starts with "/" or contains "//" must be double-encoded."""
    for (name, is_param), value, was_doubled in zip(route.segments, segments, doubled,
                                                    strict=True):
        if is_param and name in _UUID_PARAMS and not was_doubled and (
                value.startswith("/") or "//" in value):
            raise ZoomError(404, 3001, f"{_UUID_PARAMS[name]} does not exist: {value}.")
